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
