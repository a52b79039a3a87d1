// Matrix products on row-major buffers: Eigen for the kernels, parallel over output blocks
// whose boundaries depend only on the shapes (see parallel.h), so results are deterministic.
// Shape letters: M rows of activations, K input features, N output features.
#pragma once

#include <cstdint>

#include <Eigen/Core>

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

// db (N) += sum over rows of dy (M, N), in a fixed order.
template <typename S>
void sum_rows(const S* dy, S* db, int64_t M, int64_t N);

}  // namespace ablate
