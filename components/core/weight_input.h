// WeightInput: an activation x (M, K) that products with weight matrices read, often more than
// once: the q, k and v projections read the same x, and each linear layer reads its x again in
// its backward (for dW += dyᵀ x). Under `precision: bf16` each of those products takes x rounded
// to bf16 (weight_matmul.h); this keeps that copy, made by the first product that needs it, until
// set() names new values, so an activation is rounded once, not once per product.
// The values are not copied: whoever calls set() keeps them alive and unchanged until the next
// set() (the layers hold their inputs for the backward anyway).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <type_traits>
#include <vector>

#include "components/core/bf16.h"
#include "components/core/onednn_gemm.h"

namespace ablate {

template <typename S>
class WeightInput {
 public:
  WeightInput() = default;
  WeightInput(const S* x, int64_t M, int64_t K) { set(x, M, K); }

  void set(const S* x, int64_t M, int64_t K) {
    x_ = x;
    M_ = M;
    K_ = K;
    rounded_ = false;
    packs_.invalidate();
  }

  const S* values() const { return x_; }
  int64_t rows() const { return M_; }
  int64_t cols() const { return K_; }

  // x rounded to bf16 (fp32 inputs only), made on the first call after set().
  const Bf16* bf16() const {
    if constexpr (!std::is_same_v<S, float>) {
      throw std::logic_error("bf16 copies exist for fp32 activations only");
    } else {
      if (!rounded_) {
        bf16_.resize(size_t(M_ * K_));  // (zero-fills only when it grows)
        to_bf16(x_, bf16_.data(), M_ * K_);
        rounded_ = true;
      }
      return bf16_.data();
    }
  }

  // oneDNN's packed copies of that bf16 copy (onednn_gemm.h), for the weight gradients' products
  // (dW += dyᵀ x reads x as its B operand), remade after set().
  PackedOperands& bf16_packs() const {
    bf16();
    return packs_;
  }

 private:
  const S* x_ = nullptr;
  int64_t M_ = 0, K_ = 0;
  mutable std::vector<Bf16> bf16_;
  mutable bool rounded_ = false;
  mutable PackedOperands packs_;
};

}  // namespace ablate
