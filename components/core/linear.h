// Linear: y = x Wᵀ + b with W of shape (out, in) as in PyTorch / Hugging Face.
// It keeps no activations: the owner passes the input x again to backward (llm.c style).
#pragma once

#include "components/core/parameter.h"
#include "components/core/weight_input.h"

namespace ablate {

template <typename S>
class Linear {
 public:
  Linear() = default;
  Linear(int64_t in_features, int64_t out_features, bool bias);

  // x (N, in) -> y (N, out)
  void forward(const S* x, S* y, int64_t N) const;
  // Undoes `y = x Wᵀ + b`: dx (N, in) = dy W (written, or added when accumulate_dx; skipped if
  // dx is null); dW += dyᵀ x; db += Σ_rows dy.
  void backward(const S* x, const S* dy, S* dx, int64_t N, bool accumulate_dx = false);
  // The same for an input that other products read too (rounded once under bf16: weight_input.h).
  void forward(const WeightInput<S>& x, S* y) const;
  void backward(const WeightInput<S>& x, const S* dy, S* dx, bool accumulate_dx = false);
  ParameterList<S> parameters();

  int64_t in_features() const { return in_; }
  int64_t out_features() const { return out_; }

  Parameter<S> weight;  // (out, in)
  Parameter<S> bias;    // (out), empty when the layer has none

 private:
  int64_t in_ = 0, out_ = 0;
  bool has_bias_ = false;
};

}  // namespace ablate
