// Learned absolute positions (GPT-2's wpe; Radford et al. 2019): x_t += P[t], P of shape
// (context, C). The table cannot represent positions ≥ context: asking for them is an error.
// Recipe, GPT-2 as Hugging Face's GPT2PreTrainedModel._init_weights builds it:
//   init    P ~ N(0, init_std), as every nn.Embedding there (initializer_range = 0.02);
//   scale   token embeddings unscaled (embedding_scale auto = 1: GPT-2 adds wte[x] + wpe[t]);
//   decay   none on P (Ablate decays matrices only, as minGPT's configure_optimizers keeps
//           pos_emb out of weight decay; nanoGPT, which decays every 2-D tensor, differs).
#pragma once

#include "components/position/position.h"

namespace ablate {

template <typename S>
class LearnedPosition final : public Position<S> {
 public:
  LearnedPosition(int64_t context, int64_t C);
  void initialize(Rng& rng, double init_std) override;
  void add_to_embeddings(S* x, int64_t B, int64_t T, int64_t pos0) const override;
  void add_to_embeddings_backward(const S* dx, int64_t B, int64_t T, int64_t pos0) override;
  int64_t max_positions() const override { return context_; }
  ParameterList<S> parameters() override { return {{"weight", &weight_}}; }

 private:
  void check_range(int64_t T, int64_t pos0) const;
  int64_t context_, C_;
  Parameter<S> weight_;  // (context, C)
};

}  // namespace ablate
