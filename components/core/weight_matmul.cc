#include "components/core/weight_matmul.h"

#include <type_traits>

#include "components/core/linalg.h"

namespace ablate {
namespace {

template <typename S>
bool in_bf16(const Parameter<S>& w) {
  return std::is_same_v<S, float> && w.precision == Precision::kBf16;
}

}  // namespace

template <typename S>
void weight_forward(const S* x, const Parameter<S>& w, S* y, int64_t M, bool accumulate) {
  const int64_t N = w.value.shape[0], K = w.value.shape[1];
  if constexpr (std::is_same_v<S, float>)
    if (in_bf16(w)) return matmul_xwt_bf16(x, w.bf16_value(), y, M, K, N, accumulate);
  matmul_xwt(x, w.value.ptr(), y, M, K, N, accumulate);
}

template <typename S>
void weight_backward(const S* x, const S* dy, Parameter<S>& w, S* dx, int64_t M, bool accumulate_dx) {
  const int64_t N = w.value.shape[0], K = w.value.shape[1];
  if constexpr (std::is_same_v<S, float>) {
    if (in_bf16(w)) {
      if (dx) matmul_xw_bf16(dy, w.bf16_value(), dx, M, N, K, accumulate_dx);
      return matmul_dw_bf16(dy, x, w.grad.ptr(), M, N, K);
    }
  }
  if (dx) matmul_xw(dy, w.value.ptr(), dx, M, N, K, accumulate_dx);
  matmul_dw(dy, x, w.grad.ptr(), M, N, K);
}

template void weight_forward<float>(const float*, const Parameter<float>&, float*, int64_t, bool);
template void weight_forward<double>(const double*, const Parameter<double>&, double*, int64_t, bool);
template void weight_backward<float>(const float*, const float*, Parameter<float>&, float*, int64_t, bool);
template void weight_backward<double>(const double*, const double*, Parameter<double>&, double*, int64_t, bool);

}  // namespace ablate
