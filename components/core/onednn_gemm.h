// One matrix product through oneDNN's matmul primitive, single-threaded, for the callers' fixed
// blocks (linalg.cc): the caller's parallel loop owns the cores and decides the blocks, so the
// result depends on the shapes only, never on the thread count. Primitives are made once per
// shape, stride, type and accumulate flag, and kept per thread.
#pragma once

#include <cstdint>

namespace ablate {

enum class GemmType { kF32, kBf16 };  // the type of both operands; the output is always fp32

// A strided view of a rows x cols operand: element (i, j) at data[i * row_stride + j * col_stride].
struct GemmOperand {
  const void* data;
  int64_t row_stride, col_stride;
};

// c (m x n, row stride ldc) = a (m x k) · b (k x n), or c += a · b when accumulate.
void onednn_gemm(GemmType type, GemmOperand a, GemmOperand b, float* c, int64_t ldc, int64_t m, int64_t k, int64_t n,
                 bool accumulate);

}  // namespace ablate
