#include "components/norm/layernorm.h"

#include <cmath>

#include "components/core/row_reduce.h"

namespace ablate {

template <typename S>
LayerNorm<S>::LayerNorm(int64_t C, double eps)
    : C_(C), eps_(static_cast<S>(eps)), weight_({C}, false), bias_({C}, false) {
  std::fill(weight_.value.data.begin(), weight_.value.data.end(), S(1));
}

template <typename S>
void LayerNorm<S>::forward(const S* x, S* y, int64_t N) {
  x_.resize({N, C_});
  std::copy(x, x + N * C_, x_.ptr());
  mean_.resize({N});
  rstd_.resize({N});
  const S* w = weight_.value.ptr();
  const S* b = bias_.value.ptr();
  parallel_chunks(N, rows_per_chunk(4 * C_), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const S* xr = x + r * C_;
      const S mean = lane_sum<S>(C_, [&](int64_t c) { return xr[c]; }) / S(C_);
      const S var = lane_sum<S>(C_, [&](int64_t c) { return (xr[c] - mean) * (xr[c] - mean); }) / S(C_);
      const S rstd = S(1) / std::sqrt(var + eps_);
      mean_[r] = mean;
      rstd_[r] = rstd;
      S* yr = y + r * C_;
      for (int64_t c = 0; c < C_; ++c) yr[c] = (xr[c] - mean) * rstd * w[c] + b[c];
    }
  });
}

// Undoes y = x̂·w + b with x̂ = (x − μ)·rstd:
//   dx = rstd · (dx̂ − mean(dx̂) − x̂ · mean(dx̂ ⊙ x̂)),  dx̂ = dy ⊙ w;  dw += Σ dy ⊙ x̂;  db += Σ dy.
template <typename S>
void LayerNorm<S>::backward(const S* dy, S* dx, int64_t N) {
  const S* w = weight_.value.ptr();
  parallel_chunks(N, rows_per_chunk(6 * C_), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const S* xr = x_.ptr() + r * C_;
      const S* dyr = dy + r * C_;
      const S mean = mean_[r], rstd = rstd_[r];
      const S mean_dxhat = lane_sum<S>(C_, [&](int64_t c) { return dyr[c] * w[c]; }) / S(C_);
      const S mean_dxhat_xhat =
          lane_sum<S>(C_, [&](int64_t c) { return dyr[c] * w[c] * (xr[c] - mean) * rstd; }) / S(C_);
      S* dxr = dx + r * C_;
      for (int64_t c = 0; c < C_; ++c) {
        const S xhat = (xr[c] - mean) * rstd;
        dxr[c] = rstd * (dyr[c] * w[c] - mean_dxhat - xhat * mean_dxhat_xhat);
      }
    }
  });
  reduce_rows<S>(N, C_, weight_.grad.ptr(), [&](int64_t r, S* p) {
    const S* xr = x_.ptr() + r * C_;
    const S* dyr = dy + r * C_;
    for (int64_t c = 0; c < C_; ++c) p[c] += dyr[c] * (xr[c] - mean_[r]) * rstd_[r];
  });
  reduce_rows<S>(N, C_, bias_.grad.ptr(), [&](int64_t r, S* p) {
    const S* dyr = dy + r * C_;
    for (int64_t c = 0; c < C_; ++c) p[c] += dyr[c];
  });
}

template class LayerNorm<float>;
template class LayerNorm<double>;

}  // namespace ablate
