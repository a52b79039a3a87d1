// Deterministic parallel loops over oneTBB. Work is cut into chunks whose boundaries depend
// only on the problem size (never on the thread count or on timing), and every output element
// is written by exactly one chunk, so results are bit-identical run to run.
#pragma once

#include <algorithm>
#include <cstdint>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/partitioner.h>

namespace ablate {

// Calls f(begin, end) for the chunks [0, chunk), [chunk, 2 chunk), ... of [0, n).
template <typename F>
void parallel_chunks(int64_t n, int64_t chunk, F&& f) {
  if (n <= 0) return;
  chunk = std::max<int64_t>(chunk, 1);
  const int64_t n_chunks = (n + chunk - 1) / chunk;
  if (n_chunks == 1) {
    f(int64_t(0), n);
    return;
  }
  tbb::parallel_for(
      tbb::blocked_range<int64_t>(0, n_chunks, 1),
      [&](const tbb::blocked_range<int64_t>& r) {
        for (int64_t c = r.begin(); c < r.end(); ++c) f(c * chunk, std::min(n, (c + 1) * chunk));
      },
      tbb::simple_partitioner());
}

// Calls f(i) for every i in [0, n), one task each (for coarse items: heads, tiles, batches).
template <typename F>
void parallel_for_each(int64_t n, F&& f) {
  parallel_chunks(n, 1, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) f(i);
  });
}

// A row chunk that gives each task about `work_per_task` scalar operations at `cost_per_row`.
inline int64_t rows_per_chunk(int64_t cost_per_row, int64_t work_per_task = 1 << 15) {
  return std::max<int64_t>(1, work_per_task / std::max<int64_t>(cost_per_row, 1));
}

}  // namespace ablate
