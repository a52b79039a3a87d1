// The machine's peaks that `ablate bench` holds its model figures against, each measured in the
// same run on the bench's threads (docs/results.md, `bench`):
//
//   matmul      n×n×n products through the engine's own matmul_xwt: the GEMM peak the engine
//               can reach (2·n³ FLOPs per product), in fp32 (oneDNN, as the engine runs), in fp32
//               through Eigen (the kernels the engine used before oneDNN: the comparison), and with
//               bf16 operands (a bf16 weight through weight_forward, on the kernel bf16_kernel()
//               chooses: the peak of precision: bf16 on this machine).
//   fma         the CPU's vector FMA peak: one thread per bench thread, each running kFmaChains
//               independent chains acc = acc·m + a of fused multiply-adds on the widest vectors the
//               compiler targets (AVX-512: 16 floats, AVX2 + FMA: 8; neither: scalar multiply-adds).
//               Twelve chains cover the FMA latency (4 cycles) on two FMA ports (8 in flight), so
//               the ports, not the dependency chains, bound it. 2 FLOPs per lane per FMA. This is
//               the arithmetic ceiling no fp32 code on these cores exceeds (the textbook peak,
//               cores × ports × lanes × 2 × clock, measured rather than computed, so it reflects
//               the actual clock under load).
//   read        the bytes/s of summing a float buffer of a given size over TBB chunks (about one
//               per thread), each chunk summed `passes` times in a row (256 MiB read per timed
//               run at least, for buffers of 4 KiB and more) so a buffer that fits in cache is
//               read from cache: on a 1 GiB buffer that is DRAM bandwidth; on a buffer the size of a decode
//               step's working set (weights + KV cache) it is the bandwidth that step can reach,
//               which is what bounds its speed.
// Each is the best of max(repeats, 3) timed runs after one untimed one (the best, since other load
// on the machine only ever slows a run down).
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace ablate {

// Median and spread of per-repeat rates.
struct Rate {
  double median = 0, min = 0, max = 0;
};

Rate summarize_rates(std::vector<double> rates);

// `warmup` untimed calls of run(), then `repeats` timed ones; the rate is units / seconds.
template <typename F>
Rate time_rate(int64_t warmup, int64_t repeats, double units, F&& run) {
  using Clock = std::chrono::steady_clock;
  for (int64_t i = 0; i < warmup; ++i) run();
  std::vector<double> rates;
  for (int64_t i = 0; i < repeats; ++i) {
    const auto t = Clock::now();
    run();
    rates.push_back(units / std::max(std::chrono::duration<double>(Clock::now() - t).count(), 1e-9));
  }
  return summarize_rates(rates);
}

enum class MatmulKernel { kFp32, kFp32Eigen, kBf16 };

// Best GFLOP/s of an n×n×n product through matmul_xwt (one thread when single_thread).
double matmul_gflops(int64_t n, int64_t repeats, bool single_thread, MatmulKernel kernel = MatmulKernel::kFp32);

constexpr int kFmaChains = 12;

struct FmaPeak {
  double gflops = 0;
  std::string isa;               // "avx512", "avx2" or "scalar"
  int lanes = 1;                 // floats per vector
  int threads = 1;
  int64_t flops_per_thread = 0;  // per timed run
};

// The instruction set fma_peak runs on ("avx512" | "avx2" | "scalar") and its vector width.
const char* fma_isa();
int fma_lanes();

// The vector FMA peak on `threads` threads (see above).
FmaPeak fma_peak(int threads, int64_t repeats);

// Runs one FMA chain kernel of `iterations` steps on this thread; returns the sum of its
// accumulators (so the work cannot be optimised away). Every accumulator starts at 1 + k/64 and
// converges to a/(1 − m) = 1; after any number of steps each lies in [1, 1 + k/64].
float fma_kernel(int64_t iterations);

struct ReadBandwidth {
  double gbps = 0;    // 1 GB = 1e9 bytes
  int64_t bytes = 0;  // the buffer's size (a whole number of floats)
  int64_t passes = 1; // sums of the buffer per timed run: ceil(256 MiB / bytes), at most 65536
};

// Best read bandwidth of a `bytes` buffer (rounded down to whole floats, at least one).
ReadBandwidth read_bandwidth(int64_t bytes, int64_t repeats);

}  // namespace ablate
