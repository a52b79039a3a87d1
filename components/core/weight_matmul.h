// A linear map's three products with its weight parameter W (N, K), in W's precision: fp32 (or
// double) products of the values, or bf16 operands with fp32 accumulation (precision: bf16; W's
// bf16 copy, an activation rounded once: weight_input.h). Used by Linear and by the model's LM head.
//
// bf16 products run on one of two kernels (bf16_kernel(), process-wide): oneDNN's bf16 kernels
// (kNative: AMX tiles, or AVX512-BF16 dot products), or the fp32 kernels on the operands rounded to
// bf16 (kFp32Kernels). Both compute the same products (a product of two bf16 values is exact in
// fp32) with fp32 accumulation, in different summation orders. The default (default_bf16_kernel())
// is chosen from the CPU, never by timing, so it is the same on every run of a machine; it follows
// how fast the core executes bf16 dot products (VDPBF16PS) against fp32 FMAs:
//   - AMX (oneDNN's avx512_core_amx): native, on the tiles;
//   - AMD with AVX512-BF16 (Zen 4, Zen 5): native; VDPBF16PS does twice an FMA's flops per cycle
//     (2048 x 512 x 512 on 2 Zen 5 threads: bf16 636 GFLOP/s against fp32's 360);
//   - Intel with AVX512-BF16 but no AMX: the fp32 kernels for products of 2+ rows (there bf16 GEMMs
//     ran at 134.5 GFLOP/s against fp32's 255.8 on an Emerald Rapids core), and native for one-row
//     products (decode, where bf16's halved weight bytes pay).
// reports/precision_bf16.md has the measurements.
#pragma once

#include <cstdint>

#include "components/core/parameter.h"
#include "components/core/weight_input.h"

namespace ablate {

enum class Bf16Kernel { kNative, kFp32Kernels };
Bf16Kernel default_bf16_kernel();         // this CPU's default (above)
Bf16Kernel bf16_kernel();                 // the kernel in use: the default unless set_bf16_kernel
const char* bf16_kernel_name();           // "native" or "fp32_kernels", as results record it
void set_bf16_kernel(Bf16Kernel kernel);  // for benchmarks and tests

// The native kernel's products of 256 rows or more read packed copies (onednn_gemm.h): the forward
// and dx products the weight's (Parameter::bf16_packs), dW the input's (WeightInput::bf16_packs),
// with dy transposed. On by default; off, oneDNN packs B on every call and dW runs on gemm:jit, as
// before run 9 (for benchmarks and tests that compare the two).
bool bf16_weight_packing();
void set_bf16_weight_packing(bool on);

// y (M, N) = x (M, K) · Wᵀ, or y += ... when accumulate.
template <typename S>
void weight_forward(const WeightInput<S>& x, const Parameter<S>& w, S* y, bool accumulate);
template <typename S>
void weight_forward(const S* x, const Parameter<S>& w, S* y, int64_t M, bool accumulate);

// dx (M, K) = dy (M, N) · W (or += when accumulate; skipped when dx is null); W.grad += dyᵀ · x.
template <typename S>
void weight_backward(const WeightInput<S>& x, const S* dy, Parameter<S>& w, S* dx, bool accumulate_dx);
template <typename S>
void weight_backward(const S* x, const S* dy, Parameter<S>& w, S* dx, int64_t M, bool accumulate_dx);

}  // namespace ablate
