#include "components/position/sinusoidal.h"

#include <cmath>
#include <vector>

#include "components/core/parallel.h"

namespace ablate {

template <typename S>
void SinusoidalPosition<S>::add_to_embeddings(S* x, int64_t B, int64_t T, int64_t pos0) const {
  std::vector<S> table(static_cast<size_t>(T * C_));  // (T, C), computed in double
  parallel_chunks(T, rows_per_chunk(8 * C_), [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; ++t)
      for (int64_t c = 0; c < C_; ++c) {
        const int64_t i2 = c - (c % 2);
        const double angle = static_cast<double>(pos0 + t) / std::pow(10000.0, double(i2) / double(C_));
        table[t * C_ + c] = static_cast<S>(c % 2 == 0 ? std::sin(angle) : std::cos(angle));
      }
  });
  parallel_chunks(B * T, rows_per_chunk(C_), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r)
      for (int64_t c = 0; c < C_; ++c) x[r * C_ + c] += table[(r % T) * C_ + c];
  });
}

template class SinusoidalPosition<float>;
template class SinusoidalPosition<double>;

}  // namespace ablate
