#include "components/position/learned.h"

#include <stdexcept>
#include <string>

#include "components/core/parallel.h"

namespace ablate {

template <typename S>
LearnedPosition<S>::LearnedPosition(int64_t context, int64_t C)
    : context_(context), C_(C), weight_({context, C}, /*is_matrix=*/false) {}

// P ~ N(0, init_std), row by row.
template <typename S>
void LearnedPosition<S>::initialize(Rng& rng, double init_std) {
  for (S& w : weight_.value.data) w = static_cast<S>(rng.normal() * init_std);
}

template <typename S>
void LearnedPosition<S>::check_range(int64_t T, int64_t pos0) const {
  if (pos0 + T > context_)
    throw std::out_of_range("learned positions: position " + std::to_string(pos0 + T - 1) +
                            " is past the table of " + std::to_string(context_) +
                            " positions (model.context); learned positions cannot extrapolate");
}

template <typename S>
void LearnedPosition<S>::add_to_embeddings(S* x, int64_t B, int64_t T, int64_t pos0) const {
  check_range(T, pos0);
  parallel_chunks(B * T, rows_per_chunk(C_), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const S* p = weight_.value.ptr() + (pos0 + r % T) * C_;
      for (int64_t c = 0; c < C_; ++c) x[r * C_ + c] += p[c];
    }
  });
}

// Undoes x[b, t] += P[pos0 + t]:  dP[pos0 + t] += Σ_b dx[b, t].
template <typename S>
void LearnedPosition<S>::add_to_embeddings_backward(const S* dx, int64_t B, int64_t T, int64_t pos0) {
  check_range(T, pos0);
  parallel_chunks(T, rows_per_chunk(B * C_), [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; ++t) {
      S* g = weight_.grad.ptr() + (pos0 + t) * C_;
      for (int64_t b = 0; b < B; ++b)
        for (int64_t c = 0; c < C_; ++c) g[c] += dx[(b * T + t) * C_ + c];
    }
  });
}

template class LearnedPosition<float>;
template class LearnedPosition<double>;

}  // namespace ablate
