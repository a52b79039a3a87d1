// bfloat16: the top 16 bits of an IEEE fp32 (1 sign, 8 exponent, 7 mantissa bits), the operand
// type of `precision: bf16` matrix products. Rounding is to nearest, ties to even, as the CPU's
// VCVTNEPS2BF16 does (and PyTorch's c10::BFloat16 constructor); NaN stays a quiet NaN and, as that
// instruction does, subnormal inputs become a signed zero, so the scalar and vector paths agree.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>

namespace ablate {

using Bf16 = uint16_t;

inline Bf16 to_bf16(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  if ((u & 0x7fffffffu) > 0x7f800000u) return static_cast<Bf16>((u >> 16) | 0x0040u);  // quiet NaN
  if ((u & 0x7f800000u) == 0) return static_cast<Bf16>((u >> 16) & 0x8000u);           // zero, subnormal
  u += 0x7fffu + ((u >> 16) & 1u);
  return static_cast<Bf16>(u >> 16);
}

inline float from_bf16(Bf16 b) {
  const uint32_t u = uint32_t(b) << 16;
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

// out[i] = to_bf16(in[i]) for i < n, in parallel chunks (vector instructions where the build has them).
void to_bf16(const float* in, Bf16* out, int64_t n);
// The same on the calling thread only (for short rows inside a parallel task).
void to_bf16_serial(const float* in, Bf16* out, int64_t n);

// out (N x M) = the transpose of in (M x N), rounded to bf16 (each element as to_bf16 rounds it).
void to_bf16_transposed(const float* in, Bf16* out, int64_t M, int64_t N);

// A buffer of n bf16 values, not zero-filled first (the caller writes every element it reads).
inline std::unique_ptr<Bf16[]> bf16_buffer(int64_t n) { return std::unique_ptr<Bf16[]>(new Bf16[n]); }

// in[0, n) rounded to bf16, in a buffer of its own.
inline std::unique_ptr<Bf16[]> bf16_copy(const float* in, int64_t n) {
  std::unique_ptr<Bf16[]> out = bf16_buffer(n);
  to_bf16(in, out.get(), n);
  return out;
}

// out[i] = from_bf16(to_bf16(in[i])): the value rounded to bf16, held as fp32 (in == out allowed).
void round_to_bf16(const float* in, float* out, int64_t n);

}  // namespace ablate
