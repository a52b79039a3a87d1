// LayerNorm (Ba, Kiros & Hinton 2016, "Layer Normalization"; GPT-2's ln_1/ln_2/ln_f):
//   y = (x − μ) / sqrt(σ² + eps) · w + b,   μ, σ² = mean and biased variance over the C features.
#pragma once

#include "components/norm/norm.h"

namespace ablate {

template <typename S>
class LayerNorm final : public Norm<S> {
 public:
  LayerNorm(int64_t C, double eps);
  void forward(const S* x, S* y, int64_t N) override;
  void backward(const S* dy, S* dx, int64_t N) override;
  ParameterList<S> parameters() override { return {{"weight", &weight_}, {"bias", &bias_}}; }

 private:
  int64_t C_;
  S eps_;
  Parameter<S> weight_, bias_;  // (C), (C)
  Tensor<S> x_;                 // (N, C) input
  Tensor<S> mean_, rstd_;       // (N), (N)
};

}  // namespace ablate
