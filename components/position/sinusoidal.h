// Sinusoidal absolute positions (Vaswani et al. 2017, "Attention Is All You Need", §3.5):
//   PE[p, 2i] = sin(p / 10000^(2i/C)),   PE[p, 2i+1] = cos(p / 10000^(2i/C));   x_p += PE[p]
// No parameters; defined at every position, so it can be evaluated past the training context.
// Recipe, Vaswani et al. §3.4 ("in the embedding layers, we multiply those weights by √d_model"),
// as fairseq's Transformer (embed_scale = √embed_dim) and tensor2tensor do:
//   scale   x_p = √C · E[token_p] + PE[p]: embedding_scale auto = √d_model (model.cc applies it;
//           `embedding_scale: 1` is the unscaled ablation). N(0, init_std) embeddings have row norm
//           ≈ init_std·√C (0.23 at C = 128), PE rows √(C/2) (8): unscaled, PE swamps the tokens;
//   init    nothing to initialise;   decay   nothing to decay.
#pragma once

#include "components/position/position.h"

namespace ablate {

template <typename S>
class SinusoidalPosition final : public Position<S> {
 public:
  explicit SinusoidalPosition(int64_t C) : C_(C) {}
  void add_to_embeddings(S* x, int64_t B, int64_t T, int64_t pos0) const override;

 private:
  int64_t C_;
};

}  // namespace ablate
