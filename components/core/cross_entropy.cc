#include "components/core/cross_entropy.h"

#include <cmath>
#include <stdexcept>
#include <string>

#include "components/core/parallel.h"

namespace ablate {

template <typename S>
double CrossEntropy<S>::forward(const S* logits, const int32_t* targets, int64_t N, int64_t V) {
  logits_ = logits;
  N_ = N;
  V_ = V;
  targets_.assign(targets, targets + N);
  lse_.assign(N, 0.0);
  nll_.assign(N, 0.0);
  for (int64_t n = 0; n < N; ++n)
    if (targets[n] >= V)
      throw std::out_of_range("cross_entropy: target " + std::to_string(targets[n]) + " at position " +
                              std::to_string(n) + " is outside the vocabulary [0, " + std::to_string(V) + ")");
  parallel_chunks(N, rows_per_chunk(4 * V), [&](int64_t r0, int64_t r1) {
    for (int64_t n = r0; n < r1; ++n) {
      const S* z = logits + n * V;
      double max = z[0], sum = 0;
      for (int64_t v = 1; v < V; ++v) max = std::max(max, double(z[v]));
      for (int64_t v = 0; v < V; ++v) sum += std::exp(double(z[v]) - max);
      lse_[n] = max + std::log(sum);
      if (targets[n] >= 0) nll_[n] = lse_[n] - double(z[targets[n]]);
    }
  });
  double total = 0;
  counted_ = 0;
  for (int64_t n = 0; n < N; ++n)
    if (targets[n] >= 0) {
      total += nll_[n];
      ++counted_;
    }
  return counted_ > 0 ? total / double(counted_) : 0.0;
}

template <typename S>
void CrossEntropy<S>::backward(S* dlogits) const {
  const double inv = counted_ > 0 ? 1.0 / double(counted_) : 0.0;
  parallel_chunks(N_, rows_per_chunk(2 * V_), [&](int64_t r0, int64_t r1) {
    for (int64_t n = r0; n < r1; ++n) {
      const S* z = logits_ + n * V_;
      S* dz = dlogits + n * V_;
      if (targets_[n] < 0) {
        std::fill(dz, dz + V_, S(0));
        continue;
      }
      for (int64_t v = 0; v < V_; ++v) dz[v] = static_cast<S>(std::exp(double(z[v]) - lse_[n]) * inv);
      dz[targets_[n]] -= static_cast<S>(inv);
    }
  });
}

template class CrossEntropy<float>;
template class CrossEntropy<double>;

}  // namespace ablate
