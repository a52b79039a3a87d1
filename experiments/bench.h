// `ablate bench CONFIG.yaml [-o DIR] [--threads N]`: what each model of the config's `bench:`
// section (bench_config.h) costs to train, prefill and decode, and the memory it holds, against
// the machine's peaks measured in the same run (bench_probes.h): MFU against the engine's GEMM
// peak and against the CPU's vector FMA peak, each decode point against the read bandwidth of a
// buffer the size of its working set (weights + KV cache) and against DRAM bandwidth; written to
// DIR/bench.json (a result of kind "bench"; DIR defaults to results/NAME). Every timing:
// `warmup` untimed repeats, then `repeats` timed ones, the median reported with the spread (min,
// max). What each figure measures, and how: docs/results.md.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace ablate {

// args: what follows "bench". Returns the exit code (0 ok, 2 usage; errors throw, as for the
// other commands, and cli.cc reports them with exit code 1).
int bench_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace ablate
