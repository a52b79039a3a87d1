// Running one experiment end to end into a folder: train (or resume), evaluate, write the result.
//
//   DIR/checkpoint.safetensors   every train.checkpoint_every steps and at the end
//   DIR/result.json              written last, atomically: its presence means the run is complete
//                                (kind "run" or "train"; docs/results.md)
//
// The run holds DIR's lock throughout (harness/common/folder_lock.h: a second writer stops at
// once). A complete DIR is skipped unless `force`, or evaluated again from its checkpoint when
// only the config's evaluation sections (eval, extend, choice) changed; a complete DIR of another
// training config is refused. An unfinished one (a checkpoint, no result) is continued when
// `resume`, restarted when `force`, and otherwise refused with a message that says so. A forced
// run works in DIR/.incoming and replaces the previous files only when complete (run_folder.h),
// so that nothing is lost by accident.
#pragma once

#include <nlohmann/json.hpp>

#include <iosfwd>
#include <string>

#include "harness/config/experiment_config.h"

namespace ablate {

// kRun: train, then evaluate the whole validation split and the config's extend: and choice:
// sections; kTrain: train only.
enum class RunKind { kRun, kTrain };

// The result's "kind": "run" or "train".
const char* run_kind_name(RunKind kind);

// What a single run and a sweep of runs are both asked to do.
struct RunOptions {
  std::string dir;               // a run: its folder; a sweep: the folder of the points' folders
  RunKind kind = RunKind::kRun;
  bool force = false;            // run finished runs again, restart unfinished ones
  int threads = 1;               // worker threads (a sweep: the total; the caller sets TBB's limit)
  std::ostream* out = nullptr;   // one-line summaries
  std::ostream* log = nullptr;   // progress
  bool interactive = false;      // redraw the progress line in place
};

struct RunRequest {
  RunOptions run;
  bool resume = false;
  nlohmann::json annotations = nlohmann::json::object();  // extra top-level result fields ("sweep")
};

enum class RunStatus { kCompleted, kSkipped };

// Throws (ConfigError, DataError, SafetensorsError, TrainingError, ...) on failure, having written
// nothing but checkpoints of the run itself.
RunStatus run_experiment(const ExperimentConfig& config, const RunRequest& request);

}  // namespace ablate
