#include "components/core/bf16.h"

#if defined(__AVX512BF16__)
#include <immintrin.h>
#endif

#include "components/core/parallel.h"

namespace ablate {

void to_bf16_serial(const float* in, Bf16* out, int64_t n) {
  int64_t i = 0;
#if defined(__AVX512BF16__)
  for (; i + 16 <= n; i += 16) {
    const __m256bh v = _mm512_cvtneps_pbh(_mm512_loadu_ps(in + i));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i), reinterpret_cast<const __m256i&>(v));
  }
#endif
  for (; i < n; ++i) out[i] = to_bf16(in[i]);
}

void to_bf16(const float* in, Bf16* out, int64_t n) {
  parallel_chunks(n, int64_t(1) << 16, [&](int64_t b, int64_t e) { to_bf16_serial(in + b, out + b, e - b); });
}

void to_bf16_transposed(const float* in, Bf16* out, int64_t M, int64_t N) {
  // Rows of the output are columns of the input: 32 input rows at a time, so that each output row
  // gets one whole 64-byte line per step, each column read by two gathers of 16.
  parallel_chunks(M, 64, [&](int64_t b, int64_t e) {
    int64_t r = b;
#if defined(__AVX512BF16__)
    const __m512i rows = _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                                            _mm512_set1_epi32(int(N)));
    if (N * 32 <= int64_t(1) << 30)
      for (; r + 32 <= e; r += 32)
        for (int64_t n = 0; n < N; ++n) {
          const float* column = in + r * N + n;
          const __m512 top = _mm512_i32gather_ps(rows, column, 4);
          const __m512 bottom = _mm512_i32gather_ps(rows, column + 16 * N, 4);
          const __m512bh both = _mm512_cvtne2ps_pbh(bottom, top);
          _mm512_storeu_si512(out + n * M + r, reinterpret_cast<const __m512i&>(both));
        }
#endif
    for (; r < e; ++r)
      for (int64_t n = 0; n < N; ++n) out[n * M + r] = to_bf16(in[r * N + n]);
  });
}

void round_to_bf16(const float* in, float* out, int64_t n) {
  parallel_chunks(n, int64_t(1) << 16, [&](int64_t b, int64_t e) {
    int64_t i = b;
#if defined(__AVX512BF16__)
    for (; i + 16 <= e; i += 16) {
      const __m256bh v = _mm512_cvtneps_pbh(_mm512_loadu_ps(in + i));
      const __m512i wide = _mm512_slli_epi32(_mm512_cvtepu16_epi32(reinterpret_cast<const __m256i&>(v)), 16);
      _mm512_storeu_ps(out + i, _mm512_castsi512_ps(wide));
    }
#endif
    for (; i < e; ++i) out[i] = from_bf16(to_bf16(in[i]));
  });
}

}  // namespace ablate
