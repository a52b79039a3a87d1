// GELU MLP (Hendrycks & Gimpel 2016, "Gaussian Error Linear Units"; GPT-2's MLP):
//   y = W_down · gelu(W_up · x)
//   gelu(u) = u · Φ(u) = ½ u (1 + erf(u / √2))                         (form: erf)
//   gelu(u) ≈ ½ u (1 + tanh(√(2/π) (u + 0.044715 u³)))                 (form: tanh, GPT-2)
#pragma once

#include "components/core/linear.h"
#include "components/mlp/mlp.h"

namespace ablate {

enum class GeluForm { kTanh, kErf };

template <typename S>
class GeluMlp final : public Mlp<S> {
 public:
  GeluMlp(int64_t C, int64_t hidden, GeluForm form, bool bias);
  void forward(const S* x, S* y, int64_t N) override;
  void backward(const S* dy, S* dx, int64_t N) override;
  ParameterList<S> parameters() override;

 private:
  int64_t C_, hidden_;
  GeluForm form_;
  Linear<S> up_proj_, down_proj_;  // (hidden, C), (C, hidden)
  Tensor<S> x_;                    // (N, C) input
  WeightInput<S> x_in_;            // x_, as up_proj reads it (forward and backward)
  Tensor<S> u_;                    // (N, hidden) pre-activation W_up x
  Tensor<S> g_;                    // (N, hidden) gelu(u)
  WeightInput<S> g_in_;            // g_, as down_proj reads it
  Tensor<S> du_;                   // (N, hidden) scratch for backward
};

}  // namespace ablate
