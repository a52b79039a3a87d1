// The machine's GEMM, vector-FMA and read-bandwidth peaks (see bench_probes.h).
#include "experiments/bench_probes.h"

#include <oneapi/tbb/task_arena.h>

#include <immintrin.h>

#include <atomic>
#include <stdexcept>
#include <thread>

#include <Eigen/Core>

#include "components/core/linalg.h"
#include "components/core/parallel.h"
#include "components/core/random.h"
#include "components/core/weight_matmul.h"

namespace ablate {
namespace {

using Clock = std::chrono::steady_clock;

// The FMA kernel's vector type for the instruction set the compiler targets.
#if defined(__AVX512F__)
using Vec = __m512;
constexpr int kLanes = 16;
constexpr const char* kIsa = "avx512";
inline Vec splat(float x) { return _mm512_set1_ps(x); }
inline Vec multiply_add(Vec a, Vec b, Vec c) { return _mm512_fmadd_ps(a, b, c); }
inline void store(float* to, Vec v) { _mm512_storeu_ps(to, v); }
#elif defined(__AVX2__) && defined(__FMA__)
using Vec = __m256;
constexpr int kLanes = 8;
constexpr const char* kIsa = "avx2";
inline Vec splat(float x) { return _mm256_set1_ps(x); }
inline Vec multiply_add(Vec a, Vec b, Vec c) { return _mm256_fmadd_ps(a, b, c); }
inline void store(float* to, Vec v) { _mm256_storeu_ps(to, v); }
#else
using Vec = float;
constexpr int kLanes = 1;
constexpr const char* kIsa = "scalar";
inline Vec splat(float x) { return x; }
inline Vec multiply_add(Vec a, Vec b, Vec c) { return a * b + c; }
inline void store(float* to, Vec v) { *to = v; }
#endif

// Steps per thread and timed run: 2^22 · 12 chains · 16 lanes · 2 = 1.6 GFLOP with AVX-512,
// about 8 ms at a core's ~200 GFLOP/s.
constexpr int64_t kFmaIterations = int64_t(1) << 22;

// At least this many bytes are read per timed run of the bandwidth probe (passes over the buffer),
// in at most kMaxPasses passes (a buffer under 4 KiB reads less).
constexpr int64_t kMinBytesPerRun = int64_t(256) << 20;
constexpr int64_t kMaxPasses = int64_t(1) << 16;

}  // namespace

Rate summarize_rates(std::vector<double> rates) {
  std::sort(rates.begin(), rates.end());
  const size_t n = rates.size();
  Rate r;
  r.median = n % 2 ? rates[n / 2] : 0.5 * (rates[n / 2 - 1] + rates[n / 2]);
  r.min = rates.front();
  r.max = rates.back();
  return r;
}

double matmul_gflops(int64_t n, int64_t repeats, bool single_thread, MatmulKernel kernel) {
  std::vector<float> x(n * n), w(n * n), y(n * n);
  Rng rng(12345);
  for (float& v : x) v = static_cast<float>(rng.normal());
  for (float& v : w) v = static_cast<float>(rng.normal());
  // bf16: a weight parameter in bf16, through the models' own path (weight_matmul.h: the kernel
  // bf16_kernel() chooses; its bf16 copy made once, as once per optimizer step).
  Parameter<float> weight({n, n}, /*is_matrix=*/true);
  weight.value.data = w;
  weight.precision = Precision::kBf16;
  weight.bf16_rounded_value();
  const GemmBackend engine_backend = fp32_gemm_backend();
  if (kernel == MatmulKernel::kFp32Eigen) set_fp32_gemm_backend(GemmBackend::kEigen);
  auto product = [&] {
    if (kernel == MatmulKernel::kBf16) weight_forward(x.data(), weight, y.data(), n, false);
    else matmul_xwt(x.data(), w.data(), y.data(), n, n, n, false);
  };
  double best = 0;
  auto measure = [&] {
    const Rate r = time_rate(1, std::max<int64_t>(repeats, 3), 2.0 * double(n) * double(n) * double(n), product);
    best = r.max / 1e9;
  };
  if (single_thread) {
    tbb::task_arena arena(1);
    arena.execute(measure);
  } else {
    measure();
  }
  set_fp32_gemm_backend(engine_backend);
  return best;
}

const char* fma_isa() { return kIsa; }
int fma_lanes() { return kLanes; }

float fma_kernel(int64_t iterations) {
  // acc ← acc·m + a with m = 1 − 2⁻¹⁰, a = 2⁻¹⁰: acc − 1 shrinks by m each step, so every chain
  // stays in [1, its start] and none overflows or goes denormal however long it runs.
  const Vec m = splat(1.0f - 1.0f / 1024), a = splat(1.0f / 1024);
  Vec acc[kFmaChains];
  for (int k = 0; k < kFmaChains; ++k) acc[k] = splat(1.0f + static_cast<float>(k) / 64);
  for (int64_t i = 0; i < iterations; ++i) {
#pragma GCC unroll 12
    for (int k = 0; k < kFmaChains; ++k) acc[k] = multiply_add(acc[k], m, a);
  }
  float sum = 0, lanes[kLanes];
  for (int k = 0; k < kFmaChains; ++k) {
    store(lanes, acc[k]);
    for (float x : lanes) sum += x;
  }
  return sum;
}

FmaPeak fma_peak(int threads, int64_t repeats) {
  FmaPeak p;
  p.isa = kIsa;
  p.lanes = kLanes;
  p.threads = std::max(threads, 1);
  p.flops_per_thread = kFmaIterations * kFmaChains * kLanes * 2;
  std::vector<float> sums(static_cast<size_t>(p.threads));
  // One run: every thread started and waiting, then timed from the release to the last join.
  auto run = [&] {
    std::atomic<int> ready{0};
    std::atomic<bool> go{false};
    std::vector<std::thread> pool;
    for (int t = 0; t < p.threads; ++t)
      pool.emplace_back([&, t] {
        ready.fetch_add(1);
        while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
        sums[static_cast<size_t>(t)] = fma_kernel(kFmaIterations);
      });
    while (ready.load() < p.threads) std::this_thread::yield();
    const auto start = Clock::now();
    go.store(true, std::memory_order_release);
    for (auto& thread : pool) thread.join();
    return std::chrono::duration<double>(Clock::now() - start).count();
  };
  run();  // untimed
  const double flops = double(p.flops_per_thread) * p.threads;
  for (int64_t i = 0; i < std::max<int64_t>(repeats, 3); ++i) p.gflops = std::max(p.gflops, flops / run() / 1e9);
  for (float s : sums)  // each chain ends in [1, 1 + 11/64]
    if (!(s >= kFmaChains * kLanes && s <= kFmaChains * kLanes * 1.2f))
      throw std::logic_error("bench: the FMA probe's chains ended at " + std::to_string(s));
  return p;
}

ReadBandwidth read_bandwidth(int64_t bytes, int64_t repeats) {
  ReadBandwidth r;
  const int64_t n = std::max<int64_t>(bytes / int64_t(sizeof(float)), 1);
  r.bytes = n * int64_t(sizeof(float));
  r.passes = std::clamp<int64_t>((kMinBytesPerRun + r.bytes - 1) / r.bytes, 1, kMaxPasses);
  // About one chunk per thread for a small buffer (16K floats at least), 1M floats for a large one.
  const int64_t threads = std::max(tbb::this_task_arena::max_concurrency(), 1);
  const int64_t chunk = std::clamp<int64_t>((n + threads - 1) / threads, int64_t(1) << 14, int64_t(1) << 20);
  std::vector<float> a(static_cast<size_t>(n), 1.0f);
  std::vector<double> partial(static_cast<size_t>((n + chunk - 1) / chunk));
  double total = 0;
  auto sum = [&] {
    parallel_chunks(n, chunk, [&](int64_t b, int64_t e) {
      double s = 0;
      for (int64_t pass = 0; pass < r.passes; ++pass) {
        s += Eigen::Map<const Eigen::VectorXf>(a.data() + b, e - b).sum();
        asm volatile("" : : : "memory");  // the next pass reads the buffer again
      }
      partial[static_cast<size_t>(b / chunk)] = s;
    });
    total = 0;
    for (double x : partial) total += x;
  };
  const Rate rate = time_rate(1, std::max<int64_t>(repeats, 3), double(r.bytes) * double(r.passes), sum);
  if (total != double(n) * double(r.passes))
    throw std::logic_error("bench: memory bandwidth probe summed " + std::to_string(total));
  r.gbps = rate.max / 1e9;
  return r;
}

}  // namespace ablate
