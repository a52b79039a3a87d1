// `ablate bench CONFIG.yaml [-o DIR] [--threads N]`: what each model of the config's `bench:`
// section (bench_config.h) costs, written to DIR/bench.json (a result of kind "bench"; DIR
// defaults to results/NAME). Every timing: `warmup` untimed repeats, then `repeats` timed ones;
// the median is reported with the spread (min, max) of the per-repeat rates.
//
// Machine, measured in the same run on the same threads, before and after the models
// ("machine_before", "machine_after"; the better of the two is reported, since other load on the
// machine varies):
//   matmul_peak_gflops   best of max(repeats, 3) n×n×n fp32 products (n = matmul_size) through the
//                        engine's own matmul_xwt (Eigen kernels in TBB blocks), all threads; also
//                        matmul_single_thread_gflops (the same call in a one-thread arena).
//   memory_read_bandwidth_gbps  best of max(repeats, 3) sums of a bandwidth_mib float array (Eigen
//                        vectorised sums over TBB chunks), bytes read / s, 1 GB = 1e9 bytes.
//   load_average_before / _after   /proc/loadavg, the conditions the figures were taken under.
// Per model (random token ids; weights initialised from the experiment seed):
//   train_tokens_per_second   B·T / (forward + cross-entropy + backward + AdamW step), B =
//                             batch_size, T = train_context.
//   prefill[c]                c / (one forward_cached of B = 1, c tokens, into an empty cache).
//   decode[c]                 decode_tokens / (that many single-token forward_cached steps after a
//                             c-token prompt; the cache is reserved up front, so no step reallocates).
//   bandwidth_bound_tokens_per_second = bandwidth / bytes_read_per_token, with
//                             bytes_read_per_token = weight bytes + kv_cache_bytes_per_token · c;
//                             weight bytes = every parameter, less an untied input embedding table
//                             (decoding reads one row of it).
//   model_flops_per_token     6·N + 12·L·T·d (PaLM, Chowdhery et al. 2022, app. B): N = matmul
//                             parameters (every parameter except the input embedding table and a
//                             learned position table, plus the V·d output head, tied or not),
//                             L layers, T = train_context, d = d_model (12·L·T·d: Q·Kᵀ and P·V,
//                             forward and backward, without the causal halving).
//   mfu                       model_flops_per_token · train_tokens_per_second / matmul peak.
//   parameter_bytes (fp32 values), optimizer_bytes (AdamW state_bytes after a step),
//   peak_rss_bytes            the process's peak resident set while this model was measured (the
//                             kernel's high-water mark is reset before each model through
//                             /proc/self/clear_refs; "peak_rss_scope": "process" where it cannot be).
//   kv_cache_bytes_per_token  analytic, ModelConfig::kv_cache_bytes_per_token.
//   kv_cache[c]               bytes_allocated of one KVCache per layer, each reserved for exactly c
//                             tokens at B = 1, summed; bytes_analytic = kv_cache_bytes_per_token · c.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace ablate {

// args: what follows "bench". Returns the exit code (0 ok, 2 usage; errors throw, as for the
// other commands, and cli.cc reports them with exit code 1).
int bench_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace ablate
