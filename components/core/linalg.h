// Matrix products on row-major buffers, parallel over output blocks whose boundaries depend only
// on the shapes (see parallel.h), so results are deterministic. Each block is one single-threaded
// kernel call: oneDNN's matmul for fp32 (faster than Eigen here from 2 rows up: see
// experiments/microbench) and for bf16 operands; Eigen for double (gradient checks), for fp32
// products of a single row (decode) and where set_fp32_gemm_backend(kEigen) asks for it.
// Shape letters: M rows of activations, K input features, N output features.
#pragma once

#include <cstdint>

#include <Eigen/Core>

#include "components/core/bf16.h"
#include "components/core/onednn_gemm.h"

namespace ablate {

template <typename S>
using MatrixR = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <typename S>
using MapR = Eigen::Map<MatrixR<S>, Eigen::Unaligned, Eigen::OuterStride<>>;
template <typename S>
using ConstMapR = Eigen::Map<const MatrixR<S>, Eigen::Unaligned, Eigen::OuterStride<>>;

// y (M, N) = x (M, K) · w (N, K)^T, or y += ... when accumulate. (Linear forward, y = x Wᵀ.)
template <typename S>
void matmul_xwt(const S* x, const S* w, S* y, int64_t M, int64_t K, int64_t N, bool accumulate);

// dx (M, K) = dy (M, N) · w (N, K), or dx += ... when accumulate. (Linear backward to input.)
template <typename S>
void matmul_xw(const S* dy, const S* w, S* dx, int64_t M, int64_t N, int64_t K, bool accumulate);

// dw (N, K) += dy (M, N)^T · x (M, K). (Linear backward to weight.)
template <typename S>
void matmul_dw(const S* dy, const S* x, S* dw, int64_t M, int64_t N, int64_t K);

// The same three products with bf16 operands and fp32 accumulation and results (precision: bf16):
// w is the layer's bf16 weight copy; x and dy are rounded to bf16 here.
void matmul_xwt_bf16(const float* x, const Bf16* w, float* y, int64_t M, int64_t K, int64_t N, bool accumulate);
void matmul_xw_bf16(const float* dy, const Bf16* w, float* dx, int64_t M, int64_t N, int64_t K, bool accumulate);
void matmul_dw_bf16(const float* dy, const float* x, float* dw, int64_t M, int64_t N, int64_t K);
// The same on operands already in bf16 (an operand read by two products is rounded once).
void matmul_xwt_bf16(const Bf16* x, const Bf16* w, float* y, int64_t M, int64_t K, int64_t N, bool accumulate);
void matmul_xw_bf16(const Bf16* dy, const Bf16* w, float* dx, int64_t M, int64_t N, int64_t K, bool accumulate);
void matmul_dw_bf16(const Bf16* dy, const Bf16* x, float* dw, int64_t M, int64_t N, int64_t K);
// The forward and dx products reading w through its packed copy (w_packs: onednn_gemm.h, kept
// with the weight), on blocks of 64 rows by all columns.
void matmul_xwt_bf16(const Bf16* x, const Bf16* w, PackedOperands& w_packs, float* y, int64_t M, int64_t K, int64_t N,
                     bool accumulate);
void matmul_xw_bf16(const Bf16* dy, const Bf16* w, PackedOperands& w_packs, float* dx, int64_t M, int64_t N, int64_t K,
                    bool accumulate);
// dw (N, K) += dy_t (N, M) · x (M, K), dy_t being dy transposed (the kernels that read a packed
// x take only a dense dy_t), x read through its packed copy (x_packs: kept with the activation).
void matmul_dw_bf16(const Bf16* dy_t, const Bf16* x, PackedOperands& x_packs, float* dw, int64_t M, int64_t N,
                    int64_t K);

// Which kernels the fp32 products use (process-wide; oneDNN by default). For benchmarks that
// compare the two, and for tests.
enum class GemmBackend { kOneDnn, kEigen };
void set_fp32_gemm_backend(GemmBackend backend);
GemmBackend fp32_gemm_backend();

// db (N) += sum over rows of dy (M, N), in a fixed order.
template <typename S>
void sum_rows(const S* dy, S* db, int64_t M, int64_t N);

}  // namespace ablate
