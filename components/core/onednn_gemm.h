// One matrix product through oneDNN's matmul primitive, single-threaded, for the callers' fixed
// blocks (linalg.cc): the caller's parallel loop owns the cores and decides the blocks, so the
// result depends on the shapes only, never on the thread count. Primitives are made once per
// shape, stride, type and accumulate flag, and kept per thread.
#pragma once

#include <cstdint>
#include <memory>

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

// bf16 B operands (a weight's, or a layer input's as dW's B), each packed once into the layout
// oneDNN's kernel asks for, and kept. oneDNN's bf16 kernels read B in a blocked layout of their own
// (on AMX, pairs of k interleaved in 16 x 64 tiles); given a plain B, every call packs its B again,
// and at the model's shapes those copies took 40% of the products' time (reports/precision_bf16.md,
// run 9). A product reads all of its B once per row block: packed here before the product, it is
// read by every row block, and by every later product until invalidate() (the values changed).
// Thread-safe: the blocks of one product read it, and a tail block may pack it, from several threads.
class PackedOperands {
 public:
  PackedOperands();
  ~PackedOperands();
  PackedOperands(const PackedOperands&);  // a copy starts empty (it is another weight's)
  PackedOperands& operator=(const PackedOperands&);

  // Marks every packed operand stale: the next product that reads one packs it again (into the
  // same buffer). Call it when the data a b points into changes, never during a product.
  void invalidate();
  int64_t bytes() const;  // the packed copies' size in bytes

  // Packs b (k x n) for the products of m-row blocks of a with it into a dense c
  // (onednn_gemm_packed), unless it is packed since the last invalidate() or that kernel reads b
  // plain: in parallel over b's column blocks where the layout allows. Call it on the calling
  // thread before the products' parallel loop; a product that finds its b unpacked (a tail
  // block, whose kernel asks for another layout) packs it itself, on its thread.
  void pack(GemmOperand b, int64_t m, int64_t k, int64_t n, bool accumulate);

  struct Store;

 private:
  friend void onednn_gemm_packed(GemmOperand, GemmOperand, PackedOperands&, float*, int64_t, int64_t, int64_t,
                                 int64_t, bool);
  std::unique_ptr<Store> store_;
};

// The same product on bf16 operands, with b read through its packed copy in `packs` (made on the
// first call for this b, its strides and the layout this block's kernel asks for; a c with
// ldc != n reads b plain, as oneDNN packs only for a dense c). b's data must not change until
// packs.invalidate().
void onednn_gemm_packed(GemmOperand a, GemmOperand b, PackedOperands& packs, float* c, int64_t ldc, int64_t m,
                        int64_t k, int64_t n, bool accumulate);

}  // namespace ablate
