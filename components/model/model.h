// Model: the decoder-only Transformer assembled from the configured variants.
//   x₀ = s · E[tokens] (+ absolute positions);  x_{l+1} = Block_l(x_l);  logits = Norm(x_L) · Hᵀ
// with H = E when tie_embeddings (GPT-2, Press & Wolf 2017) or a separate lm_head (Llama), and
// s = embedding_scale (√d_model for sinusoidal positions, Vaswani et al. §3.4; else 1); the head
// is never scaled.
// Names: model.embed_tokens.weight, model.embed_positions.weight, model.layers.{i}.*,
// model.norm.*, lm_head.weight (Hugging Face Llama layout).
#pragma once

#include <memory>
#include <vector>

#include "components/core/kv_cache.h"
#include "components/core/weight_input.h"
#include "components/model/block.h"
#include "components/model/model_config.h"
#include "components/norm/norm.h"
#include "components/position/position.h"

namespace ablate {

template <typename S>
class Model {
 public:
  // `config` is resolved here if it is not already; weights are initialised from `seed`:
  // matrices N(0, init_std), residual output projections (o_proj, down_proj) N(0, init_std/√(2L)),
  // norm weights 1, biases 0, then the position variant's own parameters (learned: N(0, init_std)).
  explicit Model(ModelConfig config, uint64_t seed = 0);

  // tokens (B, T) -> logits (B, T, V); keeps activations for backward.
  const Tensor<S>& forward(const int32_t* tokens, int64_t B, int64_t T);
  // dlogits (B, T, V) of the last forward -> parameter gradients (accumulated).
  void backward(const S* dlogits);
  // Incremental decoding: tokens (B, T) follow the tokens already in `caches` (one per layer;
  // resized here if empty). Returns logits (B, T, V) of the new tokens.
  const Tensor<S>& forward_cached(const int32_t* tokens, int64_t B, int64_t T, std::vector<KVCache<S>>& caches);

  // The precision of every matrix product with a weight (precision.h); fp32 at construction.
  // bf16 is for S = float on a CPU with bf16 instructions (else a clear error).
  void set_precision(Precision precision);
  Precision precision() const { return precision_; }

  ParameterList<S> parameters();
  void zero_grad();
  int64_t parameter_count();
  const ModelConfig& config() const { return config_; }
  std::vector<std::unique_ptr<Block<S>>>& blocks() { return blocks_; }

 private:
  // logits_ (B, T, V) = Norm(x_) · Hᵀ
  const Tensor<S>& head_logits(int64_t B, int64_t T);
  void embed(const int32_t* tokens, int64_t B, int64_t T, int64_t pos0, S* x) const;
  Parameter<S>& head() { return config_.tie_embeddings ? embed_tokens_ : lm_head_; }

  ModelConfig config_;
  Parameter<S> embed_tokens_;  // (V, C)
  std::unique_ptr<Position<S>> position_;
  std::vector<std::unique_ptr<Block<S>>> blocks_;
  std::unique_ptr<Norm<S>> final_norm_;
  Parameter<S> lm_head_;  // (V, C), empty when tied

  Precision precision_ = Precision::kFp32;
  int64_t B_ = 0, T_ = 0;
  bool backward_ready_ = false;  // activations of a training forward are held
  std::vector<int32_t> tokens_;  // (B, T) of the last forward
  Tensor<S> x_, y_;              // (B, T, C) residual stream ping-pong buffers
  Tensor<S> normed_;             // (B, T, C) final-norm output
  WeightInput<S> normed_in_;     // normed_, as the head reads it (forward and backward)
  Tensor<S> logits_;             // (B, T, V)
  Tensor<S> dx_, dy_;            // backward scratch
};

}  // namespace ablate
