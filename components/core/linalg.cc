#include "components/core/linalg.h"

#include <algorithm>
#include <atomic>
#include <type_traits>
#include <vector>

#include "components/core/onednn_gemm.h"
#include "components/core/parallel.h"

namespace ablate {
namespace {

// Cuts an R x C output into blocks (fixed by R and C only) and calls f(r0, r1, c0, c1) in parallel.
// Rows are split first (64 at a time); if that leaves too few blocks, columns are split as well.
template <typename F>
void parallel_blocks(int64_t R, int64_t C, F&& f) {
  constexpr int64_t kRowBlock = 64, kMinColBlock = 128, kTargetBlocks = 16;
  const int64_t row_blocks = (R + kRowBlock - 1) / kRowBlock;
  int64_t col_blocks = 1;
  if (row_blocks < kTargetBlocks) {
    col_blocks = std::min<int64_t>((kTargetBlocks + row_blocks - 1) / row_blocks,
                                   std::max<int64_t>(1, C / kMinColBlock));
  }
  const int64_t col_block = (C + col_blocks - 1) / col_blocks;
  parallel_for_each(row_blocks * col_blocks, [&](int64_t b) {
    const int64_t rb = b / col_blocks, cb = b % col_blocks;
    const int64_t r0 = rb * kRowBlock, r1 = std::min(R, r0 + kRowBlock);
    const int64_t c0 = cb * col_block, c1 = std::min(C, c0 + col_block);
    if (r0 < r1 && c0 < c1) f(r0, r1, c0, c1);
  });
}

// The blocks of a product with a packed weight (onednn_gemm.h): 64 rows by all C columns, so
// the weight is packed once, as one operand, then read by every row block and every later product.
template <typename F>
void parallel_row_blocks(int64_t R, int64_t C, F&& f) {
  constexpr int64_t kRowBlock = 64;
  parallel_for_each((R + kRowBlock - 1) / kRowBlock, [&](int64_t b) {
    const int64_t r0 = b * kRowBlock, r1 = std::min(R, r0 + kRowBlock);
    f(r0, r1, int64_t(0), C);
  });
}

std::atomic<GemmBackend> fp32_backend{GemmBackend::kOneDnn};

// (For one row Eigen's matrix-vector kernel is faster than oneDNN's, so xwt and xw keep it there.)
bool onednn_for_fp32() { return fp32_backend.load() == GemmBackend::kOneDnn; }

// The blocks of the three products, for either operand type (T = float or Bf16).
template <typename T>
void onednn_xwt(GemmType type, const T* x, const T* w, float* y, int64_t M, int64_t K, int64_t N, bool accumulate) {
  parallel_blocks(M, N, [&](int64_t r0, int64_t r1, int64_t c0, int64_t c1) {
    onednn_gemm(type, {x + r0 * K, K, 1}, {w + c0 * K, 1, K}, y + r0 * N + c0, N, r1 - r0, K, c1 - c0, accumulate);
  });
}

template <typename T>
void onednn_xw(GemmType type, const T* dy, const T* w, float* dx, int64_t M, int64_t N, int64_t K, bool accumulate) {
  parallel_blocks(M, K, [&](int64_t r0, int64_t r1, int64_t c0, int64_t c1) {
    onednn_gemm(type, {dy + r0 * N, N, 1}, {w + c0, K, 1}, dx + r0 * K + c0, K, r1 - r0, N, c1 - c0, accumulate);
  });
}

template <typename T>
void onednn_dw(GemmType type, const T* dy, const T* x, float* dw, int64_t M, int64_t N, int64_t K) {
  parallel_blocks(N, K, [&](int64_t r0, int64_t r1, int64_t c0, int64_t c1) {
    onednn_gemm(type, {dy + r0, 1, N}, {x + c0, K, 1}, dw + r0 * K + c0, K, r1 - r0, M, c1 - c0, true);
  });
}

}  // namespace

void set_fp32_gemm_backend(GemmBackend backend) { fp32_backend.store(backend); }
GemmBackend fp32_gemm_backend() { return fp32_backend.load(); }

// (The fp32 operands' bf16 copies are buffers per call, not per thread: a thread waiting in one
// product's parallel loop may run another product's task, which must not overwrite its operands.)
void matmul_xwt_bf16(const Bf16* x, const Bf16* w, float* y, int64_t M, int64_t K, int64_t N, bool accumulate) {
  onednn_xwt(GemmType::kBf16, x, w, y, M, K, N, accumulate);
}
void matmul_xwt_bf16(const float* x, const Bf16* w, float* y, int64_t M, int64_t K, int64_t N, bool accumulate) {
  matmul_xwt_bf16(bf16_copy(x, M * K).get(), w, y, M, K, N, accumulate);
}

void matmul_xw_bf16(const Bf16* dy, const Bf16* w, float* dx, int64_t M, int64_t N, int64_t K, bool accumulate) {
  onednn_xw(GemmType::kBf16, dy, w, dx, M, N, K, accumulate);
}
void matmul_xw_bf16(const float* dy, const Bf16* w, float* dx, int64_t M, int64_t N, int64_t K, bool accumulate) {
  matmul_xw_bf16(bf16_copy(dy, M * N).get(), w, dx, M, N, K, accumulate);
}

void matmul_dw_bf16(const Bf16* dy, const Bf16* x, float* dw, int64_t M, int64_t N, int64_t K) {
  onednn_dw(GemmType::kBf16, dy, x, dw, M, N, K);
}
void matmul_dw_bf16(const float* dy, const float* x, float* dw, int64_t M, int64_t N, int64_t K) {
  matmul_dw_bf16(bf16_copy(dy, M * N).get(), bf16_copy(x, M * K).get(), dw, M, N, K);
}

void matmul_xwt_bf16(const Bf16* x, const Bf16* w, PackedOperands& w_packs, float* y, int64_t M, int64_t K, int64_t N,
                     bool accumulate) {
  w_packs.pack({w, 1, K}, std::min<int64_t>(M, 64), K, N, accumulate);
  parallel_row_blocks(M, N, [&](int64_t r0, int64_t r1, int64_t c0, int64_t c1) {
    onednn_gemm_packed({x + r0 * K, K, 1}, {w + c0 * K, 1, K}, w_packs, y + r0 * N + c0, N, r1 - r0, K, c1 - c0,
                       accumulate);
  });
}

void matmul_xw_bf16(const Bf16* dy, const Bf16* w, PackedOperands& w_packs, float* dx, int64_t M, int64_t N, int64_t K,
                    bool accumulate) {
  w_packs.pack({w, K, 1}, std::min<int64_t>(M, 64), N, K, accumulate);
  parallel_row_blocks(M, K, [&](int64_t r0, int64_t r1, int64_t c0, int64_t c1) {
    onednn_gemm_packed({dy + r0 * N, N, 1}, {w + c0, K, 1}, w_packs, dx + r0 * K + c0, K, r1 - r0, N, c1 - c0,
                       accumulate);
  });
}

void matmul_dw_bf16(const Bf16* dy_t, const Bf16* x, PackedOperands& x_packs, float* dw, int64_t M, int64_t N,
                    int64_t K) {
  x_packs.pack({x, K, 1}, std::min<int64_t>(N, 64), M, K, true);
  parallel_row_blocks(N, K, [&](int64_t r0, int64_t r1, int64_t c0, int64_t c1) {
    onednn_gemm_packed({dy_t + r0 * M, M, 1}, {x + c0, K, 1}, x_packs, dw + r0 * K + c0, K, r1 - r0, M, c1 - c0, true);
  });
}

template <typename S>
void matmul_xwt(const S* x, const S* w, S* y, int64_t M, int64_t K, int64_t N, bool accumulate) {
  if constexpr (std::is_same_v<S, float>)
    if (M >= 2 && onednn_for_fp32()) return onednn_xwt(GemmType::kF32, x, w, y, M, K, N, accumulate);
  parallel_blocks(M, N, [&](int64_t r0, int64_t r1, int64_t c0, int64_t c1) {
    ConstMapR<S> xb(x + r0 * K, r1 - r0, K, Eigen::OuterStride<>(K));
    ConstMapR<S> wb(w + c0 * K, c1 - c0, K, Eigen::OuterStride<>(K));
    MapR<S> yb(y + r0 * N + c0, r1 - r0, c1 - c0, Eigen::OuterStride<>(N));
    if (accumulate) yb.noalias() += xb * wb.transpose();
    else yb.noalias() = xb * wb.transpose();
  });
}

template <typename S>
void matmul_xw(const S* dy, const S* w, S* dx, int64_t M, int64_t N, int64_t K, bool accumulate) {
  if constexpr (std::is_same_v<S, float>)
    if (M >= 2 && onednn_for_fp32()) return onednn_xw(GemmType::kF32, dy, w, dx, M, N, K, accumulate);
  parallel_blocks(M, K, [&](int64_t r0, int64_t r1, int64_t c0, int64_t c1) {
    ConstMapR<S> dyb(dy + r0 * N, r1 - r0, N, Eigen::OuterStride<>(N));
    ConstMapR<S> wb(w + c0, N, c1 - c0, Eigen::OuterStride<>(K));
    MapR<S> dxb(dx + r0 * K + c0, r1 - r0, c1 - c0, Eigen::OuterStride<>(K));
    if (accumulate) dxb.noalias() += dyb * wb;
    else dxb.noalias() = dyb * wb;
  });
}

template <typename S>
void matmul_dw(const S* dy, const S* x, S* dw, int64_t M, int64_t N, int64_t K) {
  if constexpr (std::is_same_v<S, float>)
    if (onednn_for_fp32()) return onednn_dw(GemmType::kF32, dy, x, dw, M, N, K);
  parallel_blocks(N, K, [&](int64_t r0, int64_t r1, int64_t c0, int64_t c1) {
    ConstMapR<S> dyb(dy + r0, M, r1 - r0, Eigen::OuterStride<>(N));
    ConstMapR<S> xb(x + c0, M, c1 - c0, Eigen::OuterStride<>(K));
    MapR<S> dwb(dw + r0 * K + c0, r1 - r0, c1 - c0, Eigen::OuterStride<>(K));
    dwb.noalias() += dyb.transpose() * xb;
  });
}

template <typename S>
void sum_rows(const S* dy, S* db, int64_t M, int64_t N) {
  constexpr int64_t kCols = 256;
  parallel_chunks(N, kCols, [&](int64_t c0, int64_t c1) {
    for (int64_t m = 0; m < M; ++m)
      for (int64_t c = c0; c < c1; ++c) db[c] += dy[m * N + c];
  });
}

#define ABLATE_INSTANTIATE(S)                                                           \
  template void matmul_xwt<S>(const S*, const S*, S*, int64_t, int64_t, int64_t, bool); \
  template void matmul_xw<S>(const S*, const S*, S*, int64_t, int64_t, int64_t, bool);  \
  template void matmul_dw<S>(const S*, const S*, S*, int64_t, int64_t, int64_t);        \
  template void sum_rows<S>(const S*, S*, int64_t, int64_t);
ABLATE_INSTANTIATE(float)
ABLATE_INSTANTIATE(double)
#undef ABLATE_INSTANTIATE

}  // namespace ablate
