// precision: fp32 | bf16. The bf16 rounding (round to nearest even, against hand-worked bit
// patterns and the vector instruction), oneDNN's products against a double reference, results
// that do not depend on the thread count in either precision, the golden presets' logits in bf16
// within a stated tolerance of PyTorch's fp32 goldens, and bf16 training close to fp32.
// bf16 tests skip, naming the missing instruction set, on a CPU without AVX512-BF16 or AMX-BF16.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "components/attention/attention_kernels.h"
#include "components/core/bf16.h"
#include "components/core/cross_entropy.h"
#include "components/core/linalg.h"
#include "components/core/onednn_gemm.h"
#include "components/core/precision.h"
#include "components/core/random.h"
#include "components/core/weight_matmul.h"
#include "components/model/model.h"
#include "experiments/cli.h"
#include "harness/checkpoints/safetensors.h"
#include "harness/config/model_yaml.h"
#include "tests/test_support.h"

namespace ablate {
namespace {

#define SKIP_WITHOUT_BF16()                                                                         \
  if (cpu_bf16_feature().empty())                                                                   \
  GTEST_SKIP() << "this CPU has no AVX512-BF16 or AMX-BF16 (oneDNN dispatches to " << onednn_isa() \
               << "): precision: bf16 is refused here"

uint32_t bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}
float from_bits(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

TEST(Bf16, RoundsToNearestEvenOnHandWorkedBitPatterns) {
  // {fp32 bits, bf16 bits}: the dropped 16 bits below, at, above half; ties go to the even one.
  const std::vector<std::pair<uint32_t, uint16_t>> cases = {
      {0x3f800000, 0x3f80},  // 1
      {0x3f807fff, 0x3f80},  // just below half: down
      {0x3f808000, 0x3f80},  // tie, 0x3f80 even: down
      {0x3f818000, 0x3f82},  // tie, 0x3f81 odd: up to even
      {0x3f808001, 0x3f81},  // above half: up
      {0xbf808001, 0xbf81},  // the same, negative
      {0x3f7fffff, 0x3f80},  // just below 1: carries into the exponent
      {0x7f7fffff, 0x7f80},  // largest finite rounds to +inf (as VCVTNEPS2BF16)
      {0x7f800000, 0x7f80},  // +inf
      {0xff800000, 0xff80},  // -inf
      {0x00000001, 0x0000},  // subnormal: +0
      {0x807fffff, 0x8000},  // negative subnormal: -0
      {0x00800000, 0x0080},  // smallest normal stays
  };
  for (const auto& [in, out] : cases) EXPECT_EQ(to_bf16(from_bits(in)), out) << std::hex << in;
  const Bf16 nan = to_bf16(from_bits(0x7f800001));  // a signalling NaN stays a NaN (quiet)
  EXPECT_TRUE(std::isnan(from_bf16(nan)));
  EXPECT_EQ(nan & 0x0040, 0x0040);
  EXPECT_EQ(from_bf16(0x3f81), 1.0f + 1.0f / 128);
}

TEST(Bf16, BufferConversionEqualsTheScalarRounding) {
  // Random bit patterns (NaNs, infinities, subnormals included), through the vector path when
  // the build has AVX512-BF16, and an odd length for the scalar tail.
  Rng rng(11);
  std::vector<float> in(100003);
  for (float& f : in) f = from_bits(static_cast<uint32_t>(rng.next_u64()));
  for (int i = 0; i < 64; ++i) in[i] = from_bits(0x00000001u + i * 0x00010000u);
  std::vector<Bf16> out(in.size());
  to_bf16(in.data(), out.data(), int64_t(in.size()));
  size_t differ = 0;
  for (size_t i = 0; i < in.size(); ++i) {
    const Bf16 s = to_bf16(in[i]);
    const bool both_nan = std::isnan(from_bf16(s)) && std::isnan(from_bf16(out[i]));
    if (s != out[i] && !both_nan && differ++ < 5) ADD_FAILURE() << std::hex << bits(in[i]) << ": " << s << " vs " << out[i];
  }
  EXPECT_EQ(differ, 0u);
  // round_to_bf16: the same rounding, kept as fp32 (the operands of the fp32-kernel bf16 path).
  std::vector<float> r(in.size());
  round_to_bf16(in.data(), r.data(), int64_t(in.size()));
  for (size_t i = 0; i < in.size() && differ < 5; ++i)
    if (bits(r[i]) != bits(from_bf16(to_bf16(in[i]))) && !(std::isnan(r[i]) && std::isnan(in[i])))
      ADD_FAILURE() << std::hex << bits(in[i]) << " rounds to " << bits(r[i]) << " (differ " << ++differ << ")";
}

// c = a · b in double, for row-major a (m, k) and b (k, n) given as floats.
std::vector<double> reference_product(const std::vector<float>& a, const std::vector<float>& b, int64_t m, int64_t k,
                                      int64_t n) {
  std::vector<double> c(m * n, 0.0);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t p = 0; p < k; ++p)
      for (int64_t j = 0; j < n; ++j) c[i * n + j] += double(a[i * k + p]) * double(b[p * n + j]);
  return c;
}

std::vector<float> rounded_to_bf16(const std::vector<float>& v) {
  std::vector<float> r(v.size());
  for (size_t i = 0; i < v.size(); ++i) r[i] = from_bf16(to_bf16(v[i]));
  return r;
}

std::vector<Bf16> as_bf16(const std::vector<float>& v) {
  std::vector<Bf16> r(v.size());
  for (size_t i = 0; i < v.size(); ++i) r[i] = to_bf16(v[i]);
  return r;
}

TEST(OneDnnGemm, StridedAccumulatingAndEmptyProductsMatchADoubleReference) {
  Rng rng(3);
  const int64_t m = 37, k = 53, n = 29;
  const auto a = testing::normal_vector<float>(m * k, rng), bt = testing::normal_vector<float>(n * k, rng);
  std::vector<float> b(k * n);  // b = btᵀ, for the reference
  for (int64_t p = 0; p < k; ++p)
    for (int64_t j = 0; j < n; ++j) b[p * n + j] = bt[j * k + p];
  const auto expected = reference_product(a, b, m, k, n);

  // b read through its transpose's strides; c inside a wider buffer (ldc = n + 3).
  const int64_t ldc = n + 3;
  std::vector<float> c(m * ldc, 1.0f);
  onednn_gemm(GemmType::kF32, {a.data(), k, 1}, {bt.data(), 1, k}, c.data(), ldc, m, k, n, false);
  std::vector<float> got(m * n);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) got[i * n + j] = c[i * ldc + j];
  EXPECT_LE(testing::relative_error(got, expected), 1e-6);
  EXPECT_EQ(c[n], 1.0f);  // the padding is not written

  onednn_gemm(GemmType::kF32, {a.data(), k, 1}, {bt.data(), 1, k}, c.data(), ldc, m, k, n, true);  // c += a·b
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) EXPECT_NEAR(c[i * ldc + j], 2 * expected[i * n + j], 1e-4) << i << "," << j;

  onednn_gemm(GemmType::kF32, {a.data(), k, 1}, {bt.data(), 1, k}, c.data(), ldc, m, 0, n, false);  // k = 0
  for (int64_t i = 0; i < m; ++i) EXPECT_EQ(c[i * ldc + 5], 0.0f);
}

TEST(OneDnnGemm, Bf16OperandsAccumulateInFp32) {
  SKIP_WITHOUT_BF16();
  Rng rng(4);
  const int64_t m = 64, k = 300, n = 48;
  const auto a = rounded_to_bf16(testing::normal_vector<float>(m * k, rng));
  const auto b = rounded_to_bf16(testing::normal_vector<float>(k * n, rng));
  const auto a16 = as_bf16(a), b16 = as_bf16(b);
  std::vector<float> c(m * n);
  onednn_gemm(GemmType::kBf16, {a16.data(), k, 1}, {b16.data(), n, 1}, c.data(), n, m, k, n, false);
  // Exact bf16 operands: the only error is fp32 accumulation (~1e-7 relative), far below bf16's 4e-3.
  EXPECT_LE(testing::relative_error(c, reference_product(a, b, m, k, n)), 1e-5);
}

// The three products of linalg.h on one random layer, as (y, dx, dw).
struct Products {
  std::vector<float> y, dx, dw;
};
Products layer_products(bool bf16, const std::vector<float>& x, const std::vector<float>& w,
                        const std::vector<float>& dy, int64_t M, int64_t K, int64_t N) {
  Products p{std::vector<float>(M * N), std::vector<float>(M * K), std::vector<float>(N * K, 0.0f)};
  if (bf16) {
    const auto w16 = as_bf16(w);
    matmul_xwt_bf16(x.data(), w16.data(), p.y.data(), M, K, N, false);
    matmul_xw_bf16(dy.data(), w16.data(), p.dx.data(), M, N, K, false);
    matmul_dw_bf16(dy.data(), x.data(), p.dw.data(), M, N, K);
  } else {
    matmul_xwt(x.data(), w.data(), p.y.data(), M, K, N, false);
    matmul_xw(dy.data(), w.data(), p.dx.data(), M, N, K, false);
    matmul_dw(dy.data(), x.data(), p.dw.data(), M, N, K);
  }
  return p;
}

// y = x wᵀ, dx = dy w, dw = dyᵀ x in double.
Products reference_layer(const std::vector<float>& x, const std::vector<float>& w, const std::vector<float>& dy,
                         int64_t M, int64_t K, int64_t N) {
  std::vector<float> wt(K * N), dyt(N * M);
  for (int64_t o = 0; o < N; ++o)
    for (int64_t i = 0; i < K; ++i) wt[i * N + o] = w[o * K + i];
  for (int64_t r = 0; r < M; ++r)
    for (int64_t o = 0; o < N; ++o) dyt[o * M + r] = dy[r * N + o];
  auto f = [](const std::vector<double>& d) { return std::vector<float>(d.begin(), d.end()); };
  return {f(reference_product(x, wt, M, K, N)), f(reference_product(dy, w, M, N, K)), f(reference_product(dyt, x, N, M, K))};
}

TEST(Linalg, Fp32ProductsThroughOneDnnAndEigenMatchTheReference) {
  Rng rng(5);
  for (int64_t M : {1, 3, 130}) {  // one row (Eigen in both), and blocks of 64 rows with a remainder
    const int64_t K = 70, N = 150;
    const auto x = testing::normal_vector<float>(M * K, rng), w = testing::normal_vector<float>(N * K, rng),
               dy = testing::normal_vector<float>(M * N, rng);
    const Products ref = reference_layer(x, w, dy, M, K, N);
    for (GemmBackend backend : {GemmBackend::kOneDnn, GemmBackend::kEigen}) {
      set_fp32_gemm_backend(backend);
      const Products p = layer_products(false, x, w, dy, M, K, N);
      const char* name = backend == GemmBackend::kOneDnn ? "onednn" : "eigen";
      EXPECT_LE(testing::relative_error(p.y, ref.y), 1e-6) << name << " M=" << M;
      EXPECT_LE(testing::relative_error(p.dx, ref.dx), 1e-6) << name << " M=" << M;
      EXPECT_LE(testing::relative_error(p.dw, ref.dw), 1e-6) << name << " M=" << M;
    }
    set_fp32_gemm_backend(GemmBackend::kOneDnn);
  }
}

TEST(Linalg, Bf16ProductsEqualFp32ProductsOfTheRoundedOperands) {
  SKIP_WITHOUT_BF16();
  Rng rng(6);
  for (int64_t M : {1, 130}) {
    const int64_t K = 70, N = 150;
    const auto x = testing::normal_vector<float>(M * K, rng), w = testing::normal_vector<float>(N * K, rng),
               dy = testing::normal_vector<float>(M * N, rng);
    const Products p = layer_products(true, x, w, dy, M, K, N);
    // Against the operands rounded to bf16: fp32 accumulation error only.
    const Products rounded = reference_layer(rounded_to_bf16(x), rounded_to_bf16(w), rounded_to_bf16(dy), M, K, N);
    EXPECT_LE(testing::relative_error(p.y, rounded.y), 1e-5) << "M=" << M;
    EXPECT_LE(testing::relative_error(p.dx, rounded.dx), 1e-5) << "M=" << M;
    EXPECT_LE(testing::relative_error(p.dw, rounded.dw), 1e-5) << "M=" << M;
    // Against the fp32 operands: bf16's rounding (unit roundoff 2^-8), well above the fp32 error.
    const Products exact = reference_layer(x, w, dy, M, K, N);
    const double e = testing::relative_error(p.y, exact.y);
    EXPECT_GT(e, 1e-4);
    EXPECT_LT(e, 2e-2);
  }
}

// Both bf16 kernels (weight_matmul.h) compute the products of the bf16-rounded operands with fp32
// accumulation: the native oneDNN bf16 kernels and the fp32 kernels on rounded operands agree
// with the double reference of the rounded operands, at one row (always native) and at many.
TEST(WeightMatmul, BothBf16KernelsComputeTheRoundedProducts) {
  SKIP_WITHOUT_BF16();
  Rng rng(8);
  const Bf16Kernel machine_default = bf16_kernel();
  for (Bf16Kernel kernel : {Bf16Kernel::kNative, Bf16Kernel::kFp32Kernels}) {
    set_bf16_kernel(kernel);
    for (int64_t M : {1, 130}) {
      const int64_t K = 70, N = 150;
      Parameter<float> w({N, K}, true);
      w.value.data = testing::normal_vector<float>(N * K, rng);
      w.precision = Precision::kBf16;
      const auto x = testing::normal_vector<float>(M * K, rng), dy = testing::normal_vector<float>(M * N, rng);
      Products p{std::vector<float>(M * N), std::vector<float>(M * K), {}};
      weight_forward(x.data(), w, p.y.data(), M, false);
      weight_backward(x.data(), dy.data(), w, p.dx.data(), M, false);
      const Products ref =
          reference_layer(rounded_to_bf16(x), rounded_to_bf16(w.value.data), rounded_to_bf16(dy), M, K, N);
      const char* name = kernel == Bf16Kernel::kNative ? "native" : "fp32 kernels";
      EXPECT_LE(testing::relative_error(p.y, ref.y), 1e-5) << name << " M=" << M;
      EXPECT_LE(testing::relative_error(p.dx, ref.dx), 1e-5) << name << " M=" << M;
      EXPECT_LE(testing::relative_error(w.grad.data, ref.dw), 1e-5) << name << " M=" << M;
    }
  }
  set_bf16_kernel(machine_default);
  EXPECT_EQ(machine_default, default_bf16_kernel());
  __builtin_cpu_init();
  const bool amd_bf16 = __builtin_cpu_is("amd") && cpu_bf16_feature() == "avx512_bf16";
  EXPECT_EQ(machine_default == Bf16Kernel::kNative, onednn_isa() == "avx512_core_amx" || amd_bf16);
}

// A WeightInput's products equal those of the plain pointer bit for bit; its bf16 copy is made
// once and kept (so values changed behind its back are not seen) until set() names new values.
TEST(WeightMatmul, AWeightInputKeepsItsBf16CopyUntilSet) {
  SKIP_WITHOUT_BF16();
  Rng rng(9);
  const int64_t M = 130, K = 70, N = 150;
  Parameter<float> w({N, K}, true);
  w.value.data = testing::normal_vector<float>(N * K, rng);
  w.precision = Precision::kBf16;
  std::vector<float> x = testing::normal_vector<float>(M * K, rng);
  const auto dy = testing::normal_vector<float>(M * N, rng);
  std::vector<float> y_plain(M * N), y_shared(M * N), dx_plain(M * K), dx_shared(M * K);
  weight_forward(x.data(), w, y_plain.data(), M, false);
  weight_backward(x.data(), dy.data(), w, dx_plain.data(), M, false);
  const std::vector<float> grad_plain = w.grad.data;
  std::fill(w.grad.data.begin(), w.grad.data.end(), 0.0f);
  WeightInput<float> in(x.data(), M, K);
  weight_forward(in, w, y_shared.data(), false);
  weight_backward(in, dy.data(), w, dx_shared.data(), false);
  EXPECT_EQ(y_shared, y_plain);
  EXPECT_EQ(dx_shared, dx_plain);
  EXPECT_EQ(w.grad.data, grad_plain);
  const Bf16* copy = in.bf16();
  EXPECT_EQ(copy[0], to_bf16(x[0]));
  x[0] = 1000.0f;
  EXPECT_EQ(in.bf16(), copy);
  EXPECT_NE(in.bf16()[0], to_bf16(1000.0f));
  in.set(x.data(), M, K);
  EXPECT_EQ(in.bf16()[0], to_bf16(1000.0f));
}

TEST(Bf16, TransposedConversionRoundsEachElementAsToBf16) {
  Rng rng(10);
  for (auto [M, N] : {std::pair<int64_t, int64_t>{70, 37}, {64, 512}, {5, 3}}) {  // tails of 32 rows, and none
    std::vector<float> in = testing::normal_vector<float>(M * N, rng);
    in[0] = std::numeric_limits<float>::quiet_NaN();
    in[1] = 1e-40f;  // subnormal: a signed zero
    std::vector<Bf16> out(M * N);
    to_bf16_transposed(in.data(), out.data(), M, N);
    for (int64_t r = 0; r < M; ++r)
      for (int64_t n = 0; n < N; ++n)
        ASSERT_EQ(out[n * M + r], to_bf16(in[r * N + n])) << "M=" << M << " N=" << N << " at " << r << "," << n;
  }
}

// With the native kernel, products of 256+ rows read the weight (forward, dx) and the input (dW)
// through packed copies (onednn_gemm.h). They compute the products of the rounded operands, as the
// plain path does, for row counts with and without a tail block and a k that is no multiple of the
// packed blocks; a changed weight (mark_changed) and a new input (set) are packed again.
TEST(WeightMatmul, PackedOperandsComputeTheRoundedProductsAndFollowChanges) {
  SKIP_WITHOUT_BF16();
  Rng rng(11);
  const Bf16Kernel machine_default = bf16_kernel();
  set_bf16_kernel(Bf16Kernel::kNative);
  const int64_t K = 70, N = 150;
  for (int64_t M : {256, 300}) {
    Parameter<float> w({N, K}, true);
    w.value.data = testing::normal_vector<float>(N * K, rng);
    w.precision = Precision::kBf16;
    std::vector<float> x = testing::normal_vector<float>(M * K, rng);
    const auto dy = testing::normal_vector<float>(M * N, rng);
    auto products = [&](const WeightInput<float>& in, bool packing) {
      set_bf16_weight_packing(packing);
      std::fill(w.grad.data.begin(), w.grad.data.end(), 0.0f);
      Products p{std::vector<float>(M * N), std::vector<float>(M * K), {}};
      weight_forward(in, w, p.y.data(), false);
      weight_backward(in, dy.data(), w, p.dx.data(), false);
      p.dw = w.grad.data;
      set_bf16_weight_packing(true);
      return p;
    };
    auto expect_rounded_products = [&](const Products& p, const char* what) {
      const Products ref =
          reference_layer(rounded_to_bf16(x), rounded_to_bf16(w.value.data), rounded_to_bf16(dy), M, K, N);
      EXPECT_LE(testing::relative_error(p.y, ref.y), 1e-5) << what << " M=" << M;
      EXPECT_LE(testing::relative_error(p.dx, ref.dx), 1e-5) << what << " M=" << M;
      EXPECT_LE(testing::relative_error(p.dw, ref.dw), 1e-5) << what << " M=" << M;
    };
    WeightInput<float> in(x.data(), M, K);
    const Products packed = products(in, true);
    expect_rounded_products(packed, "packed");
    expect_rounded_products(products(in, false), "plain");
    EXPECT_GT(w.bf16_packs().bytes(), 0) << "M=" << M << ": the weight was not packed";
    EXPECT_GT(in.bf16_packs().bytes(), 0) << "M=" << M << ": the input was not packed";
    EXPECT_EQ(products(in, true).y, packed.y) << "reused packed copies";

    // New values in the same buffers: packed again, not read stale.
    for (float& v : w.value.data) v *= -2.0f;
    w.mark_changed();
    for (float& v : x) v = v * 0.5f + 1.0f;
    in.set(x.data(), M, K);
    const Products after = products(in, true);
    expect_rounded_products(after, "after the change");
    EXPECT_EQ(after.y, products(WeightInput<float>(x.data(), M, K), true).y) << "against fresh copies";
  }
  set_bf16_kernel(machine_default);
}

// Attention's bf16 products (Q, K, V, dO and each block's P and dS rounded, fp32 accumulation)
// against attention in double of the same inputs, rounded to bf16 first: the scores' products are
// then exact, so lse matches as in fp32, and what is left in the outputs and gradients is the
// rounding of P and dS, within two bf16 epsilons (2 · 2^-8; measured 0.9e-3 to 3.0e-3). The same
// kernels with fp32 products sit within 1e-6 of the reference; an error above 1e-4 shows that the
// bf16 ones really rounded.
TEST(Precision, Bf16AttentionProductsWithinTwoBf16EpsilonsOfDouble) {
  SKIP_WITHOUT_BF16();
  struct Case { int64_t B, T, H, Hkv; };
  for (const Case& c : {Case{2, 37, 4, 4}, Case{1, 600, 4, 2}, Case{2, 130, 4, 1}}) {
    const int64_t D = 64, nq = c.B * c.T * c.H * D, nkv = c.B * c.T * c.Hkv * D;
    const AttentionShape a{c.B, c.T, c.T, c.H, c.Hkv, D, 0, c.T * c.Hkv * D};
    Rng rng(c.T);
    const auto q = rounded_to_bf16(testing::normal_vector<float>(nq, rng));
    const auto dout = rounded_to_bf16(testing::normal_vector<float>(nq, rng));
    const auto k = rounded_to_bf16(testing::normal_vector<float>(nkv, rng));
    const auto v = rounded_to_bf16(testing::normal_vector<float>(nkv, rng));
    auto to_double = [](const std::vector<float>& x) { return std::vector<double>(x.begin(), x.end()); };
    const auto qd = to_double(q), kd = to_double(k), vd = to_double(v), doutd = to_double(dout);
    std::vector<double> o(nq), lse(c.B * c.H * c.T), dq(nq), dk(nkv), dv(nkv);
    attention_forward_tiled(a, qd.data(), kd.data(), vd.data(), o.data(), lse.data());
    attention_backward_tiled(a, qd.data(), kd.data(), vd.data(), o.data(), lse.data(), doutd.data(), dq.data(),
                             dk.data(), dv.data());
    for (Precision products : {Precision::kFp32, Precision::kBf16}) {
      AttentionBlocks blocks;
      blocks.products = products;
      std::vector<float> of(nq), lsef(lse.size()), dqf(nq), dkf(nkv), dvf(nkv);
      attention_forward_tiled(a, q.data(), k.data(), v.data(), of.data(), lsef.data(), blocks);
      attention_backward_tiled(a, q.data(), k.data(), v.data(), of.data(), lsef.data(), dout.data(), dqf.data(),
                               dkf.data(), dvf.data(), blocks);
      const std::string where = precision_name(products) + " T=" + std::to_string(c.T) + " Hkv=" + std::to_string(c.Hkv);
      EXPECT_LE(testing::relative_error(lsef, lse), 1e-6) << where;
      for (double error : {testing::relative_error(of, o), testing::relative_error(dqf, dq),
                           testing::relative_error(dkf, dk), testing::relative_error(dvf, dv)}) {
        if (products == Precision::kFp32) {
          EXPECT_LE(error, 1e-6) << where;
        } else {
          EXPECT_LE(error, 2.0 / 256) << where;
          EXPECT_GE(error, 1e-4) << where;
        }
      }
    }
  }
}

// Calls of fewer than kMinBf16QueryRows query rows after a cache (decode: one) keep fp32
// products under bf16: they equal fp32's bit for bit; from kMinBf16QueryRows rows on they round.
TEST(Precision, FewQueryRowsKeepFp32AttentionProducts) {
  SKIP_WITHOUT_BF16();
  const int64_t T = 300, H = 4, Hkv = 2, D = 64;
  Rng rng(5);
  const auto k = testing::normal_vector<float>(T * Hkv * D, rng), v = testing::normal_vector<float>(T * Hkv * D, rng);
  for (int64_t rows : {int64_t(1), kMinBf16QueryRows - 1, kMinBf16QueryRows}) {
    const AttentionShape a{1, rows, T, H, Hkv, D, T - rows, T * Hkv * D};
    const auto q = testing::normal_vector<float>(rows * H * D, rng);
    AttentionBlocks bf16;
    bf16.products = Precision::kBf16;
    std::vector<float> o32(q.size()), o16(q.size()), lse32(rows * H), lse16(rows * H);
    attention_forward_tiled(a, q.data(), k.data(), v.data(), o32.data(), lse32.data());
    attention_forward_tiled(a, q.data(), k.data(), v.data(), o16.data(), lse16.data(), bf16);
    if (rows < kMinBf16QueryRows) {
      EXPECT_EQ(o16, o32) << rows << " rows";
      EXPECT_EQ(lse16, lse32) << rows << " rows";
    } else {
      EXPECT_NE(o16, o32) << rows << " rows";
    }
  }
}

TEST(Precision, NamesAndTheUnsupportedMessage) {
  EXPECT_EQ(parse_precision("bf16"), Precision::kBf16);
  EXPECT_EQ(precision_name(Precision::kFp32), "fp32");
  EXPECT_EQ(testing::message_of([] { parse_precision("fp16"); }), "unknown precision 'fp16' (known: fp32, bf16)");
  EXPECT_NO_THROW(require_precision(Precision::kFp32));
  if (cpu_bf16_feature().empty())
    EXPECT_NE(testing::message_of([] { require_precision(Precision::kBf16); }).find("AVX512-BF16 or AMX-BF16"),
              std::string::npos);
  else
    EXPECT_NO_THROW(require_precision(Precision::kBf16));
  Model<double> reference(testing::tiny_config("llama"));
  EXPECT_NE(testing::message_of([&] { reference.set_precision(Precision::kBf16); }).find("fp32 models"),
            std::string::npos);
}

// The golden presets (tests/reference/make_goldens.py: PyTorch fp32) run with precision: bf16.
// Stated tolerance: logits within 3% of the largest reference logit and the loss within 1%
// (bf16's unit roundoff is 2^-8 = 0.4% per operand; these models chain 4-8 products).
TEST(Precision, Bf16GoldenLogitsAndLossWithinTheStatedToleranceOfFp32) {
  SKIP_WITHOUT_BF16();
  const Bf16Kernel machine_default = bf16_kernel();
  for (Bf16Kernel kernel : {Bf16Kernel::kNative, Bf16Kernel::kFp32Kernels})
  for (const std::string preset : {"gpt2", "llama", "yarn", "sinusoidal", "dynamic", "none", "llama3", "longrope"}) {
    set_bf16_kernel(kernel);
    const SafetensorsFile file =
        SafetensorsFile::open(std::string(ABLATE_SOURCE_DIR) + "/tests/reference/goldens/" + preset + ".safetensors");
    const ModelConfig config = parse_model_config_text(file.metadata().at("model"), file.path());
    Model<float> model(config, 0);
    for (auto& p : model.parameters()) p.param->value.data = file.floats(p.name, p.param->value.shape);
    model.set_precision(Precision::kBf16);
    const auto input_ids = file.ints("input_ids"), targets = file.ints("targets");
    const int64_t B = file.info("input_ids").shape[0], T = file.info("input_ids").shape[1];
    const auto& logits = model.forward(input_ids.data(), B, T);
    const double logits_error = testing::relative_error(logits.data, file.floats("logits"));
    CrossEntropy<float> ce;
    const double loss = ce.forward(logits.ptr(), targets.data(), B * T, config.vocab_size);
    const double reference_loss = file.floats("loss")[0];
    std::printf("bf16 golden %-10s (%s) logits rel err %.2e, loss %.5f vs fp32 %.5f\n", preset.c_str(),
                kernel == Bf16Kernel::kNative ? "native" : "fp32 kernels", logits_error, loss, reference_loss);
    EXPECT_LE(logits_error, 3e-2) << preset;
    EXPECT_GT(logits_error, 1e-5) << preset << ": bf16 should not be exact (is the bf16 path used?)";
    EXPECT_NEAR(loss, reference_loss, 1e-2 * std::abs(reference_loss)) << preset;
  }
  set_bf16_kernel(machine_default);
}

TEST(Precision, Bf16WeightCopiesFollowEveryChangeOfTheWeights) {
  SKIP_WITHOUT_BF16();
  Model<float> model(testing::tiny_config("llama"), 1);
  model.set_precision(Precision::kBf16);
  const std::vector<int32_t> tokens = {1, 5, 7, 2, 9, 3, 4, 8};
  const std::vector<float> before = model.forward(tokens.data(), 1, 8).data;
  // A change that bf16 can see (x1.5 is exact in bf16), announced with mark_changed().
  for (auto& p : model.parameters())
    if (p.name.find("down_proj") != std::string::npos) {
      for (float& w : p.param->value.data) w *= 1.5f;
      p.param->mark_changed();
    }
  const std::vector<float> after = model.forward(tokens.data(), 1, 8).data;
  EXPECT_GT(testing::relative_error(after, before), 1e-3);
  Model<float> fresh(testing::tiny_config("llama"), 1);  // the same change in a model never run in bf16
  for (auto& p : fresh.parameters())
    if (p.name.find("down_proj") != std::string::npos)
      for (float& w : p.param->value.data) w *= 1.5f;
  fresh.set_precision(Precision::kBf16);
  EXPECT_EQ(fresh.forward(tokens.data(), 1, 8).data, after);
}

// The layers keep their inputs' bf16 copies from the forward for the backward (WeightInput): a
// forward of other tokens must replace every one of them. After a forward and backward of A, a
// forward and backward of B give what a model that only ever saw B gives, bit for bit: with few
// rows, and with enough rows for the packed copies.
TEST(Precision, Bf16ActivationCopiesFollowEachForward) {
  SKIP_WITHOUT_BF16();
  // One sequence of 8 tokens, and 19 of 16 (304 rows: the products of 256+ rows read packed
  // copies of the weights and inputs, onednn_gemm.h, with a tail block of 48 rows).
  for (const int64_t B : {1, 19}) {
    const int64_t T = B == 1 ? 8 : 16;
    std::vector<int32_t> a(B * T), b(B * T);
    for (int64_t i = 0; i < B * T; ++i) {
      a[i] = int32_t((i * 7 + 1) % 10);
      b[i] = int32_t((i * 5 + 6) % 9);
    }
    std::vector<float> dlogits(B * T * testing::tiny_config("llama").vocab_size);  // (gpt2's vocabulary too)
    for (size_t i = 0; i < dlogits.size(); ++i) dlogits[i] = 0.01f * float(i % 7) - 0.03f;
    auto run = [&](Model<float>& model, bool first_a) {
      model.set_precision(Precision::kBf16);
      if (first_a) {  // a forward and a backward of A: every copy is made from A's values
        model.forward(a.data(), B, T);
        model.backward(dlogits.data());
      }
      model.zero_grad();
      const std::vector<float> logits = model.forward(b.data(), B, T).data;
      model.backward(dlogits.data());
      std::vector<float> grads;
      for (auto& p : model.parameters())
        grads.insert(grads.end(), p.param->grad.data.begin(), p.param->grad.data.end());
      return std::make_pair(logits, grads);
    };
    for (const char* family : {"llama", "gpt2"}) {
      Model<float> seen_a(testing::tiny_config(family), 1), fresh(testing::tiny_config(family), 1);
      const auto after_a = run(seen_a, true), only_b = run(fresh, false);
      EXPECT_EQ(after_a.first, only_b.first) << family << " B=" << B;
      EXPECT_EQ(after_a.second, only_b.second) << family << " B=" << B;
    }
  }
}

class PrecisionRun : public testing::TempDirTest {
 protected:
  // Trains the tiny model in `precision` on `threads` threads; returns its result.
  nlohmann::json train(const std::string& name, const std::string& precision, int threads, int steps = 40) {
    const std::string config = file(name + ".yaml");
    testing::write_bytes(config, "name: tiny\nseed: 3\nprecision: " + precision +
                                     "\n"
                                     "model: {d_model: 64, n_layers: 2, context: 64, attention: {type: gqa, n_heads: "
                                     "4, n_kv_heads: 2}}\n"
                                     "data: {type: synthetic, bytes: 60000, seed: 5}\n"
                                     "train: {steps: " + std::to_string(steps) +
                                     ", batch_size: 8, lr: 3e-3, warmup: 5, eval_every: 0, eval_tokens: 4096, "
                                     "checkpoint_every: 0}\n");
    std::ostringstream out, err;
    EXPECT_EQ(run_cli({"train", config, "-o", file(name), "--threads", std::to_string(threads)}, out, err), 0)
        << err.str();
    return nlohmann::json::parse(testing::read_bytes(file(name + "/result.json")));
  }
  std::vector<double> losses(const nlohmann::json& r) {
    std::vector<double> v;
    for (const auto& p : r["loss_curve"]) v.push_back(p["loss"].get<double>());
    return v;
  }
};

TEST_F(PrecisionRun, ResultsDoNotDependOnTheThreadCountInEitherPrecision) {
  for (const std::string precision : {"fp32", "bf16"}) {
    if (precision == "bf16" && cpu_bf16_feature().empty()) continue;
    const nlohmann::json one = train(precision + "_1", precision, 1, 12), two = train(precision + "_2", precision, 2, 12);
    EXPECT_EQ(losses(one), losses(two)) << precision;
    const auto a = SafetensorsFile::open(file(precision + "_1/checkpoint.safetensors"));
    const auto b = SafetensorsFile::open(file(precision + "_2/checkpoint.safetensors"));
    for (const auto& name : a.names()) EXPECT_EQ(a.floats(name), b.floats(name)) << precision << " " << name;
    EXPECT_EQ(one["config"]["precision"], precision);
  }
}

TEST_F(PrecisionRun, Bf16TrainingEndsWithinOnePercentOfFp32) {
  SKIP_WITHOUT_BF16();
  const nlohmann::json fp32 = train("fp32", "fp32", 2), bf16 = train("bf16", "bf16", 2);
  const double a = fp32["metrics"]["final_validation_loss"], b = bf16["metrics"]["final_validation_loss"];
  std::printf("validation loss after 40 steps: fp32 %.4f, bf16 %.4f (%+.2f%%)\n", a, b, 100 * (b - a) / a);
  EXPECT_LT(b, losses(bf16).front() - 1.0);  // it learned
  EXPECT_NEAR(b, a, 0.01 * a);
  EXPECT_NE(losses(fp32), losses(bf16));  // and it is a different computation
  EXPECT_EQ(bf16["machine"]["bf16_instructions"], cpu_bf16_feature());
}

// Precision is an ablation axis: a sweep varies it like any key, and the report states what bf16
// costs in loss against the fp32 baseline, with its interval over the seeds.
TEST_F(PrecisionRun, ASweepOverPrecisionReportsTheDifferenceInLoss) {
  SKIP_WITHOUT_BF16();
  const std::string config = file("sweep.yaml");
  testing::write_bytes(config,
                       "name: precision_sweep\n"
                       "model: {d_model: 32, n_layers: 1, context: 32, attention: {n_heads: 2}}\n"
                       "data: {type: synthetic, bytes: 30000, seed: 5}\n"
                       "train: {steps: 8, batch_size: 4, warmup: 2, eval_every: 0, eval_tokens: 512, checkpoint_every: 0}\n"
                       "eval: {max_tokens: 1024}\n"
                       "sweep: {variants: {fp32: {}, bf16: {precision: bf16}}, grid: {seed: [0, 1]}}\n");
  std::ostringstream out, err;
  ASSERT_EQ(run_cli({"run", config, "-o", file("results"), "--threads", "1"}, out, err), 0) << err.str();
  EXPECT_EQ(nlohmann::json::parse(testing::read_bytes(file("results/bf16_seed=1/result.json")))["config"]["precision"],
            "bf16");
  ASSERT_EQ(run_cli({"report", file("results"), "-o", file("report")}, out, err), 0) << err.str();
  const std::string report = testing::read_bytes(file("report/report.md"));
  EXPECT_NE(report.find("Baseline: fp32"), std::string::npos) << report;
  EXPECT_NE(report.find("| validation loss | bf16 |"), std::string::npos) << report;
}

}  // namespace
}  // namespace ablate
