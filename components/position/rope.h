// Rotary position embedding (Su et al. 2021, "RoFormer"), Hugging Face "rotate_half" layout:
// inside the first rd = rotary_dim dims of each head, with x1 = x[:rd/2], x2 = x[rd/2:rd],
//   x1' = a·(x1 cos φ − x2 sin φ),   x2' = a·(x2 cos φ + x1 sin φ),   φ_i = p · θ_i
// and dims rd..D pass through (partial rotary, as GPT-NeoX / Phi). θ_i and the attention factor a
// come from the scaling method (rope_scaling.h); a = 1 except for YaRN.
// Recipe (Llama, Hugging Face LlamaModel): no parameters to initialise or decay; token embeddings
// unscaled (embedding_scale auto = 1).
#pragma once

#include <memory>
#include <mutex>
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
  // a·cos φ and a·sin φ of positions pos0 .. pos0+T−1, (T, rotary_dim/2) each, for sequences of
  // seq_len tokens (dynamic NTK's frequencies depend on it).
  struct Table {
    int64_t pos0, T, seq_len;
    std::vector<S> cos, sin;
  };
  // The table of the last call, kept for the next: a forward's layers, and the backward, rotate
  // the same positions, so the angles are computed once per step instead of per layer and pass.
  std::shared_ptr<const Table> table(int64_t pos0, int64_t T, int64_t seq_len) const;
  int64_t head_dim_, rotary_dim_, original_context_;
  double theta_;
  RopeScalingConfig scaling_;
  mutable std::mutex table_mutex_;  // calls may come from several threads (items scored in parallel)
  mutable std::shared_ptr<const Table> table_;
};

}  // namespace ablate
