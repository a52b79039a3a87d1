// Rotary position embedding (Su et al. 2021, "RoFormer"), Hugging Face "rotate_half" layout:
// inside the first rd = rotary_dim dims of each head, with x1 = x[:rd/2], x2 = x[rd/2:rd],
//   x1' = a·(x1 cos φ − x2 sin φ),   x2' = a·(x2 cos φ + x1 sin φ),   φ_i = p · θ_i
// and dims rd..D pass through (partial rotary, as GPT-NeoX / Phi). θ_i and the attention factor a
// come from the scaling method (rope_scaling.h); a = 1 except for YaRN.
// Recipe (Llama, Hugging Face LlamaModel): no parameters to initialise or decay; token embeddings
// unscaled (embedding_scale auto = 1).
#pragma once

#include <vector>

#include "components/model/model_config.h"
#include "components/position/position.h"

namespace ablate {

template <typename S>
class Rope final : public Position<S> {
 public:
  explicit Rope(const ModelConfig& config);
  void rotate(S* x, int64_t B, int64_t T, int64_t n_heads, int64_t pos0, int64_t seq_len) const override;
  void rotate_backward(S* dx, int64_t B, int64_t T, int64_t n_heads, int64_t pos0,
                       int64_t seq_len) const override;

 private:
  // sign = +1 applies R(φ), −1 applies R(φ)ᵀ = R(−φ) (the backward).
  void apply(S* x, int64_t B, int64_t T, int64_t n_heads, int64_t pos0, int64_t seq_len, int sign) const;
  int64_t head_dim_, rotary_dim_, original_context_;
  double theta_;
  RopeScalingConfig scaling_;
};

}  // namespace ablate
