// Causal self-attention with n_heads query heads and n_kv_heads key/value heads:
//   mha: n_kv_heads = n_heads (Vaswani et al. 2017); mqa: n_kv_heads = 1 (Shazeer 2019,
//   "Fast Transformer Decoding"); gqa: 1 < n_kv_heads < n_heads (Ainslie et al. 2023, "GQA").
//   q = x W_qᵀ, k = x W_kᵀ, v = x W_vᵀ;  RoPE rotates q and k (if the position variant does);
//   o_h = softmax(q_h k_gᵀ / √D + mask) v_g with g = h / (n_heads / n_kv_heads);  y = [o_1..o_H] W_oᵀ
// One class serves all three; the names only set n_kv_heads.
#pragma once

#include "components/attention/attention_kernels.h"
#include "components/core/kv_cache.h"
#include "components/core/linear.h"
#include "components/model/model_config.h"
#include "components/position/position.h"

namespace ablate {

enum class AttentionKernel { kTiled, kNaive };

template <typename S>
class Attention {
 public:
  Attention(const ModelConfig& config, const Position<S>* position);

  // x (B, T, C) -> y (B, T, C); keeps q, k, v, the output and lse for backward.
  void forward(const S* x, S* y, int64_t B, int64_t T);
  // dy (B, T, C) -> dx (B, T, C) (written); parameter gradients accumulated.
  void backward(const S* dy, S* dx, int64_t B, int64_t T);
  // Incremental decoding: x (B, T, C) are the T tokens that follow the cache.length tokens held
  // in `cache`; appends their keys and values and writes y (B, T, C). Keeps nothing for backward.
  void forward_cached(const S* x, S* y, int64_t B, int64_t T, KVCache<S>& cache);

  ParameterList<S> parameters();
  // Analytic KV-cache bytes per token of this layer (fp32): 2 · n_kv_heads · head_dim · 4.
  int64_t kv_bytes_per_token() const { return 2 * Hkv_ * D_ * 4; }

  AttentionKernel kernel = AttentionKernel::kTiled;  // kNaive only for tests
  // The tiled kernels' blocks and the precision of their products. Model::set_precision sets
  // blocks.products; bf16 products run where the bf16 kernel is native (bf16_kernel(),
  // weight_matmul.h), and fp32 ones elsewhere: on the fp32 kernels, rounding the operands would
  // only add conversions.
  AttentionBlocks blocks;

 private:
  // q, k, v of x (B, T, C) at positions pos0.., rotated; sizes o_ and lse_ for T queries.
  void project(const WeightInput<S>& x, int64_t B, int64_t T, int64_t pos0);
  void attend(const AttentionShape& shape, const S* q, const S* k, const S* v, S* o, S* lse) const;
  AttentionBlocks kernel_blocks() const;  // blocks, with the products this CPU runs

  int64_t C_, H_, Hkv_, D_;
  const Position<S>* position_;
  Linear<S> q_proj_, k_proj_, v_proj_, o_proj_;
  Tensor<S> x_;          // (B, T, C) input
  WeightInput<S> x_in_;  // x_, as q_proj, k_proj and v_proj read it (forward and backward)
  Tensor<S> q_, k_, v_;  // (B, T, H, D), (B, T, Hkv, D) x2, after rotation
  Tensor<S> o_;          // (B, T, H, D) attention output (input of o_proj)
  WeightInput<S> o_in_;  // o_, as o_proj reads it
  Tensor<S> lse_;        // (B, H, T)
  Tensor<S> do_, dq_, dk_, dv_;  // backward scratch
};

}  // namespace ablate
