#include "components/norm/rmsnorm.h"

#include <cmath>

#include "components/core/row_reduce.h"

namespace ablate {

template <typename S>
RmsNorm<S>::RmsNorm(int64_t C, double eps) : C_(C), eps_(static_cast<S>(eps)), weight_({C}, false) {
  std::fill(weight_.value.data.begin(), weight_.value.data.end(), S(1));
}

template <typename S>
void RmsNorm<S>::forward(const S* x, S* y, int64_t N) {
  x_.resize({N, C_});
  std::copy(x, x + N * C_, x_.ptr());
  rstd_.resize({N});
  const S* w = weight_.value.ptr();
  parallel_chunks(N, rows_per_chunk(3 * C_), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const S* xr = x + r * C_;
      const S ms = lane_sum<S>(C_, [&](int64_t c) { return xr[c] * xr[c]; });
      const S rstd = S(1) / std::sqrt(ms / C_ + eps_);
      rstd_[r] = rstd;
      S* yr = y + r * C_;
      for (int64_t c = 0; c < C_; ++c) yr[c] = xr[c] * rstd * w[c];
    }
  });
}

// Undoes y = x̂·w with x̂ = x·rstd:  dx = rstd · (dx̂ − x̂ · mean(dx̂ ⊙ x̂)),  dx̂ = dy ⊙ w;
// dw += Σ dy ⊙ x̂.
template <typename S>
void RmsNorm<S>::backward(const S* dy, S* dx, int64_t N) {
  const S* w = weight_.value.ptr();
  parallel_chunks(N, rows_per_chunk(5 * C_), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const S* xr = x_.ptr() + r * C_;
      const S* dyr = dy + r * C_;
      const S rstd = rstd_[r];
      const S mean_dxhat_xhat = lane_sum<S>(C_, [&](int64_t c) { return dyr[c] * w[c] * xr[c] * rstd; }) / S(C_);
      S* dxr = dx + r * C_;
      for (int64_t c = 0; c < C_; ++c) dxr[c] = rstd * (dyr[c] * w[c] - xr[c] * rstd * mean_dxhat_xhat);
    }
  });
  reduce_rows<S>(N, C_, weight_.grad.ptr(), [&](int64_t r, S* p) {
    const S* xr = x_.ptr() + r * C_;
    const S* dyr = dy + r * C_;
    for (int64_t c = 0; c < C_; ++c) p[c] += dyr[c] * xr[c] * rstd_[r];
  });
}

template class RmsNorm<float>;
template class RmsNorm<double>;

}  // namespace ablate
