// Pre-norm residual block (GPT-2, Llama; Xiong et al. 2020, "On Layer Normalization in the
// Transformer Architecture"):
//   h = x + Attention(Norm₁(x)),   y = h + Mlp(Norm₂(h))
// Parameter names follow Hugging Face Llama: input_layernorm, self_attn, post_attention_layernorm, mlp.
#pragma once

#include <memory>

#include "components/attention/attention.h"
#include "components/mlp/mlp.h"
#include "components/norm/norm.h"

namespace ablate {

template <typename S>
class Block {
 public:
  Block(const ModelConfig& config, const Position<S>* position);
  // x (B, T, C) -> y (B, T, C); y may not alias x.
  void forward(const S* x, S* y, int64_t B, int64_t T);
  // dy (B, T, C) -> dx (B, T, C) (written).
  void backward(const S* dy, S* dx, int64_t B, int64_t T);
  // Incremental decoding (see Attention::forward_cached).
  void forward_cached(const S* x, S* y, int64_t B, int64_t T, KVCache<S>& cache);
  ParameterList<S> parameters();
  Attention<S>& attention() { return attention_; }

 private:
  void run(const S* x, S* y, int64_t B, int64_t T, KVCache<S>* cache);  // cache: null = training forward
  int64_t C_;
  std::unique_ptr<Norm<S>> input_norm_, post_attention_norm_;
  Attention<S> attention_;
  std::unique_ptr<Mlp<S>> mlp_;
  Tensor<S> normed_, branch_, h_;  // (B, T, C) each
  Tensor<S> dbranch_, dh_;         // backward scratch
};

}  // namespace ablate
