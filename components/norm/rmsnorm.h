// RMSNorm (Zhang & Sennrich 2019, "Root Mean Square Layer Normalization"; Llama's RMSNorm):
//   y = x / sqrt(mean(x²) + eps) · w       (no mean subtraction, no bias)
#pragma once

#include "components/norm/norm.h"

namespace ablate {

template <typename S>
class RmsNorm final : public Norm<S> {
 public:
  RmsNorm(int64_t C, double eps);
  void forward(const S* x, S* y, int64_t N) override;
  void backward(const S* dy, S* dx, int64_t N) override;
  ParameterList<S> parameters() override { return {{"weight", &weight_}}; }

 private:
  int64_t C_;
  S eps_;
  Parameter<S> weight_;  // (C)
  Tensor<S> x_;          // (N, C) input
  Tensor<S> rstd_;       // (N)
};

}  // namespace ablate
