// Sweeps: one base experiment plus a `sweep:` section that turns it into many named runs.
//
//   sweep:
//     variants:                 # named points, each a set of overrides (one-at-a-time ablations)
//       layernorm: {model.norm.type: layernorm}
//       rmsnorm: {}             # the base as it is
//     grid:                     # every combination of these values (crossed with the variants)
//       seed: [0, 1, 2]
//     zip:                      # lists of equal length, varied together
//       model.attention.type: [mha, gqa, mqa]
//       model.attention.n_kv_heads: [4, 2, 1]
//     jobs: 1                   # points run at once; the threads are split between them
//     executor:                 # where the points run: local (default, in this process) or
//       type: slurm             # slurm: one job array, one point per array task (slurm_executor.h)
//       partition: cpu          # sbatch --partition (default: the cluster's)
//       time: "02:00:00"        # sbatch --time
//       cpus_per_task: 8        # sbatch --cpus-per-task; the point's threads (default: `threads`, or 1)
//       mem: 16G                # sbatch --mem
//       extra: [--account=abc]  # further sbatch options, one per entry
//       wait: false             # true: wait for the array to finish, then summarise like a local sweep
//
// Keys are dotted config paths (any key of the experiment). Each point is named from its parts:
// the variant name, then each grid/zip value ("rmsnorm_seed=1", "layernorm_gqa_seed=0"), and its
// config is the base with the point's overrides applied, checked like any experiment, so a bad
// point is reported before anything runs. Results go to DIR/POINT/ (run.h) and DIR/sweep.json
// lists the points and how each ended (docs/results.md).
#pragma once

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <iosfwd>
#include <string>
#include <utility>
#include <vector>

#include "harness/config/config_tree.h"
#include "harness/config/experiment_config.h"

namespace ablate {

struct SweepPoint {
  std::string name;     // the run's name and folder
  std::string variant;  // the name without its seed part: the report averages seeds of a variant
  std::vector<std::pair<std::string, YAML::Node>> overrides;  // dotted path -> value
  ExperimentConfig config;                                   // resolved and checked
};

// sweep.executor (the comment above).
struct SweepExecutor {
  std::string type = "local";  // local | slurm
  std::string partition, time, mem;
  int64_t cpus_per_task = 0;  // 0 = the config's threads, or 1 when those are 0 ("every core")
  std::vector<std::string> extra;
  bool wait = false;
};

// ConfigError at WHERE (e.g. "sweep.executor") for an unknown type, an option without a leading
// "-", a value over several lines, or Slurm options given to the local executor.
void check_executor(const SweepExecutor& e, const std::string& where);

struct SweepPlan {
  std::string name;  // the sweep's (the top-level `name`, default the file's stem)
  int64_t jobs = 1;
  SweepExecutor executor;
  std::vector<SweepPoint> points;
};

bool has_sweep(const ConfigTree& tree);

// The one experiment a single-step command (eval, extend, choice, bench) runs: load_config_tree(path)
// then parse_experiment with the file's stem as the default name. A sweep is a ConfigError
// "PATH: COMMAND takes one experiment, and this file is a sweep (HINT)".
ExperimentConfig load_experiment(const std::string& path, const std::string& command, const std::string& hint);

// What a point's results record of it: {"name": the sweep's, "point", "variant", "overrides"
// (dotted path -> value)}.
nlohmann::json sweep_annotation(const SweepPlan& plan, const SweepPoint& point);

// Reads the `sweep:` section and builds every point (ConfigError naming the file, the sweep key
// or the point whose config is invalid).
SweepPlan plan_sweep(const ConfigTree& tree, const std::string& default_name);

}  // namespace ablate
