// SwiGLU MLP (Shazeer 2020, "GLU Variants Improve Transformer"; Llama's MLP):
//   y = W_down · (silu(W_gate · x) ⊙ (W_up · x)),   silu(u) = u · σ(u)
// `hidden: auto` = floor(2·4d/3) rounded up to multiple_of, so its three d×h matrices hold about
// as many parameters as the GELU MLP's two d×4d ones (see ModelConfig::mlp_hidden).
#pragma once

#include "components/core/linear.h"
#include "components/mlp/mlp.h"

namespace ablate {

template <typename S>
class SwiGluMlp final : public Mlp<S> {
 public:
  SwiGluMlp(int64_t C, int64_t hidden, bool bias);
  void forward(const S* x, S* y, int64_t N) override;
  void backward(const S* dy, S* dx, int64_t N) override;
  ParameterList<S> parameters() override;

 private:
  int64_t C_, hidden_;
  Linear<S> gate_proj_, up_proj_, down_proj_;  // (hidden, C), (hidden, C), (C, hidden)
  Tensor<S> x_;                                // (N, C) input
  WeightInput<S> x_in_;                        // x_, as gate_proj and up_proj read it
  Tensor<S> gate_, up_;                        // (N, hidden) W_gate x, W_up x
  Tensor<S> h_;                                // (N, hidden) silu(gate) ⊙ up
  WeightInput<S> h_in_;                        // h_, as down_proj reads it
  Tensor<S> dgate_, dup_;                      // (N, hidden) scratch for backward
};

}  // namespace ablate
