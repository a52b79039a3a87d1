// Position: the `position` slot interface (learned.h, sinusoidal.h, rope.h, none.h).
// Absolute encodings add a vector to the token embeddings; RoPE instead rotates queries and keys
// inside attention. A variant implements the hooks that apply to it; the others do nothing.
// Each variant's header states its recipe: how its parameters start (initialize), the token-embedding
// scale `embedding_scale: auto` gives it (its registry row), and whether weight decay applies.
#pragma once

#include "components/core/parameter.h"
#include "components/core/random.h"

namespace ablate {

template <typename S>
class Position {
 public:
  virtual ~Position() = default;
  // Draws the variant's own parameters when the model is initialised (Model draws every matrix
  // first, so a variant without parameters leaves the model's other draws unchanged).
  virtual void initialize(Rng& rng, double init_std) {}
  // x (B, T, C) += encoding of positions pos0 .. pos0 + T − 1.
  virtual void add_to_embeddings(S* x, int64_t B, int64_t T, int64_t pos0) const {}
  // Backward of add_to_embeddings: dx (B, T, C) is dLoss/dx; accumulates parameter gradients.
  virtual void add_to_embeddings_backward(const S* dx, int64_t B, int64_t T, int64_t pos0) {}
  // Rotates x (B, T, n_heads, head_dim) in place for positions pos0 + t. seq_len is the length
  // of the whole sequence seen so far (dynamic NTK scaling depends on it).
  virtual void rotate(S* x, int64_t B, int64_t T, int64_t n_heads, int64_t pos0, int64_t seq_len) const {}
  // Backward of rotate: dx (B, T, n_heads, head_dim) in place ← Rᵀ dx.
  virtual void rotate_backward(S* dx, int64_t B, int64_t T, int64_t n_heads, int64_t pos0,
                               int64_t seq_len) const {}
  // Number of positions the encoding can represent; 0 = unlimited.
  virtual int64_t max_positions() const { return 0; }
  virtual ParameterList<S> parameters() { return {}; }
};

}  // namespace ablate
