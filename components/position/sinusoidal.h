// Sinusoidal absolute positions (Vaswani et al. 2017, "Attention Is All You Need", §3.5):
//   PE[p, 2i] = sin(p / 10000^(2i/C)),   PE[p, 2i+1] = cos(p / 10000^(2i/C));   x_p += PE[p]
// No parameters; defined at every position, so it can be evaluated past the training context.
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
