// Deterministic sums: over rows of a per-row contribution (reduce_rows), and along one row
// (lane_sum), each in an order fixed by the sizes alone.
#pragma once

#include <cstdint>
#include <vector>

#include "components/core/parallel.h"

namespace ablate {

// Σ_{c < n} term(c): term c goes to lane c mod kLaneCount and the lanes are added in order at
// the end. The order is fixed, and independent lanes vectorise; one running sum would make
// every addition wait for the previous one (a norm's row of 512 took 2,000 cycles that way).
constexpr int64_t kLaneCount = 16;
template <typename S, typename F>
S lane_sum(int64_t n, F&& term) {
  S lanes[kLaneCount] = {};
  int64_t c = 0;
  for (; c + kLaneCount <= n; c += kLaneCount)
    for (int64_t l = 0; l < kLaneCount; ++l) lanes[l] += term(c + l);
  for (int64_t l = 0; c < n; ++c, ++l) lanes[l] += term(c);
  S sum = 0;
  for (S lane : lanes) sum += lane;
  return sum;
}

// Rows are cut into fixed chunks, each chunk sums into its own partial buffer, and the partials
// are added in chunk order.
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
