// Deterministic sum over rows of a per-row contribution: rows are cut into fixed chunks, each
// chunk sums into its own partial buffer, and the partials are added in chunk order.
#pragma once

#include <vector>

#include "components/core/parallel.h"

namespace ablate {

// out[c] += Σ_rows contribution; add_row(r, partial) adds row r's contribution into partial (C).
template <typename S, typename F>
void reduce_rows(int64_t N, int64_t C, S* out, F&& add_row) {
  const int64_t chunk = std::max<int64_t>(rows_per_chunk(C), 16);
  const int64_t n_chunks = (N + chunk - 1) / chunk;
  std::vector<S> partial(static_cast<size_t>(n_chunks * C), S(0));
  parallel_chunks(N, chunk, [&](int64_t r0, int64_t r1) {
    S* p = partial.data() + (r0 / chunk) * C;
    for (int64_t r = r0; r < r1; ++r) add_row(r, p);
  });
  for (int64_t k = 0; k < n_chunks; ++k)
    for (int64_t c = 0; c < C; ++c) out[c] += partial[k * C + c];
}

}  // namespace ablate
