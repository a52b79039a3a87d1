// Parameter<S>: a trainable tensor and its gradient; NamedParameter gives it its
// Hugging Face style name (model.layers.3.self_attn.q_proj.weight). Under `precision: bf16` a
// matrix's products read a bf16 copy of its value, remade when the value changed (see precision.h).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "components/core/bf16.h"
#include "components/core/onednn_gemm.h"
#include "components/core/precision.h"
#include "components/core/tensor.h"

namespace ablate {

template <typename S>
struct Parameter {
  Tensor<S> value;
  Tensor<S> grad;
  bool decay = false;  // weight decay applies to matrices only

  Precision precision = Precision::kFp32;  // of the products that read this matrix (Model::set_precision)

  Parameter() = default;
  Parameter(std::vector<int64_t> shape, bool is_matrix)
      : value(shape), grad(shape), decay(is_matrix) {}

  // Every write to `value` (optimizer step, checkpoint load) is followed by mark_changed().
  void mark_changed() { ++version_; }

  // The value rounded to bf16 (fp32 parameters only), remade after mark_changed().
  const Bf16* bf16_value() const {
    if constexpr (!std::is_same_v<S, float>) {
      throw std::logic_error("bf16 copies exist for fp32 parameters only");
    } else {
      if (bf16_version_ != version_ || int64_t(bf16_.size()) != value.numel()) {
        bf16_.resize(value.numel());
        to_bf16(value.ptr(), bf16_.data(), value.numel());
        bf16_version_ = version_;
        packs_.invalidate();
      }
      return bf16_.data();
    }
  }

  // oneDNN's packed copies of that bf16 copy's blocks (onednn_gemm.h), made by the products that
  // read them and remade after mark_changed(). Call it before the product's parallel loop.
  PackedOperands& bf16_packs() const {
    bf16_value();
    return packs_;
  }

  // The same copy widened back to fp32 (for bf16 products on fp32 kernels: weight_matmul.h).
  const float* bf16_rounded_value() const {
    const Bf16* b = bf16_value();
    if (rounded_version_ != bf16_version_ || int64_t(rounded_.size()) != value.numel()) {
      rounded_.resize(value.numel());
      for (int64_t i = 0; i < value.numel(); ++i) rounded_[i] = from_bf16(b[i]);
      rounded_version_ = bf16_version_;
    }
    return rounded_.data();
  }

 private:
  uint64_t version_ = 0;
  mutable std::vector<Bf16> bf16_;
  mutable uint64_t bf16_version_ = ~uint64_t(0);
  mutable PackedOperands packs_;
  mutable std::vector<float> rounded_;
  mutable uint64_t rounded_version_ = ~uint64_t(0);
};

template <typename S>
struct NamedParameter {
  std::string name;
  Parameter<S>* param;
};

template <typename S>
using ParameterList = std::vector<NamedParameter<S>>;

// Appends `inner` to `out` with every name prefixed by `prefix` + ".".
template <typename S>
void append_parameters(ParameterList<S>& out, const std::string& prefix, const ParameterList<S>& inner) {
  for (const auto& p : inner) out.push_back({prefix.empty() ? p.name : prefix + "." + p.name, p.param});
}

}  // namespace ablate
