#include "components/core/weight_matmul.h"

#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "components/core/linalg.h"

namespace ablate {
namespace {

template <typename S>
bool in_bf16(const Parameter<S>& w) {
  return std::is_same_v<S, float> && w.precision == Precision::kBf16;
}

std::atomic<Bf16Kernel>& kernel_setting() {
  static std::atomic<Bf16Kernel> kernel{default_bf16_kernel()};
  return kernel;
}

std::atomic<bool>& packing_setting() {
  static std::atomic<bool> packing{true};
  return packing;
}

// Products of M rows read the weight's packed copy (packing pays where enough row blocks read it).
bool packed(int64_t M) { return M >= 256 && bf16_weight_packing(); }

// Products of M rows on the fp32 kernels (one-row products stay native: see the header).
bool on_fp32_kernels(int64_t M) { return M >= 2 && bf16_kernel() == Bf16Kernel::kFp32Kernels; }

// An activation rounded to bf16, in a buffer of its own (not zero-filled first).
std::unique_ptr<float[]> rounded(const float* a, int64_t n) {
  std::unique_ptr<float[]> r(new float[n]);
  round_to_bf16(a, r.get(), n);
  return r;
}

// x (M, K) against W (N, K): a mismatch is a caller's bug, caught before any product reads past x.
template <typename S>
void check_input(const WeightInput<S>& x, const Parameter<S>& w) {
  if (x.cols() != w.value.shape[1])
    throw std::logic_error("weight product: the input has " + std::to_string(x.cols()) + " columns, the weight " +
                           std::to_string(w.value.shape[1]));
}

}  // namespace

Bf16Kernel default_bf16_kernel() {
  if (onednn_isa() == "avx512_core_amx") return Bf16Kernel::kNative;
  __builtin_cpu_init();
  if (__builtin_cpu_is("amd") && cpu_bf16_feature() == "avx512_bf16") return Bf16Kernel::kNative;
  return Bf16Kernel::kFp32Kernels;
}

Bf16Kernel bf16_kernel() { return kernel_setting().load(); }
const char* bf16_kernel_name() { return bf16_kernel() == Bf16Kernel::kNative ? "native" : "fp32_kernels"; }
void set_bf16_kernel(Bf16Kernel kernel) { kernel_setting().store(kernel); }
bool bf16_weight_packing() { return packing_setting().load(); }
void set_bf16_weight_packing(bool on) { packing_setting().store(on); }

template <typename S>
void weight_forward(const WeightInput<S>& x, const Parameter<S>& w, S* y, bool accumulate) {
  check_input(x, w);
  const int64_t M = x.rows(), N = w.value.shape[0], K = w.value.shape[1];
  if constexpr (std::is_same_v<S, float>)
    if (in_bf16(w)) {
      if (on_fp32_kernels(M))
        return matmul_xwt(rounded(x.values(), M * K).get(), w.bf16_rounded_value(), y, M, K, N, accumulate);
      if (packed(M)) return matmul_xwt_bf16(x.bf16(), w.bf16_value(), w.bf16_packs(), y, M, K, N, accumulate);
      return matmul_xwt_bf16(x.bf16(), w.bf16_value(), y, M, K, N, accumulate);
    }
  matmul_xwt(x.values(), w.value.ptr(), y, M, K, N, accumulate);
}

template <typename S>
void weight_forward(const S* x, const Parameter<S>& w, S* y, int64_t M, bool accumulate) {
  weight_forward(WeightInput<S>(x, M, w.value.shape[1]), w, y, accumulate);
}

template <typename S>
void weight_backward(const WeightInput<S>& x, const S* dy, Parameter<S>& w, S* dx, bool accumulate_dx) {
  check_input(x, w);
  const int64_t M = x.rows(), N = w.value.shape[0], K = w.value.shape[1];
  if constexpr (std::is_same_v<S, float>) {
    if (in_bf16(w) && on_fp32_kernels(M)) {
      const std::unique_ptr<float[]> dy_r = rounded(dy, M * N);
      if (dx) matmul_xw(dy_r.get(), w.bf16_rounded_value(), dx, M, N, K, accumulate_dx);
      return matmul_dw(dy_r.get(), rounded(x.values(), M * K).get(), w.grad.ptr(), M, N, K);
    }
    if (in_bf16(w) && packed(M)) {
      if (dx) matmul_xw_bf16(bf16_copy(dy, M * N).get(), w.bf16_value(), w.bf16_packs(), dx, M, N, K, accumulate_dx);
      const std::unique_ptr<Bf16[]> dy_t = bf16_buffer(M * N);
      to_bf16_transposed(dy, dy_t.get(), M, N);
      return matmul_dw_bf16(dy_t.get(), x.bf16(), x.bf16_packs(), w.grad.ptr(), M, N, K);
    }
    if (in_bf16(w)) {
      const std::unique_ptr<Bf16[]> dy16 = bf16_copy(dy, M * N);  // read by both products
      if (dx) matmul_xw_bf16(dy16.get(), w.bf16_value(), dx, M, N, K, accumulate_dx);
      return matmul_dw_bf16(dy16.get(), x.bf16(), w.grad.ptr(), M, N, K);
    }
  }
  if (dx) matmul_xw(dy, w.value.ptr(), dx, M, N, K, accumulate_dx);
  matmul_dw(dy, x.values(), w.grad.ptr(), M, N, K);
}

template <typename S>
void weight_backward(const S* x, const S* dy, Parameter<S>& w, S* dx, int64_t M, bool accumulate_dx) {
  weight_backward(WeightInput<S>(x, M, w.value.shape[1]), dy, w, dx, accumulate_dx);
}

#define ABLATE_INSTANTIATE(S)                                                                           \
  template void weight_forward<S>(const WeightInput<S>&, const Parameter<S>&, S*, bool);                \
  template void weight_forward<S>(const S*, const Parameter<S>&, S*, int64_t, bool);                    \
  template void weight_backward<S>(const WeightInput<S>&, const S*, Parameter<S>&, S*, bool);           \
  template void weight_backward<S>(const S*, const S*, Parameter<S>&, S*, int64_t, bool);
ABLATE_INSTANTIATE(float)
ABLATE_INSTANTIATE(double)
#undef ABLATE_INSTANTIATE

}  // namespace ablate
