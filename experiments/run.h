// Running one experiment end to end into a folder: train (or resume), evaluate, write the result.
//
//   DIR/checkpoint.safetensors   every train.checkpoint_every steps and at the end
//   DIR/result.json              written last, atomically: its presence means the run is complete
//
// A complete DIR is skipped unless `force`; an unfinished one (a checkpoint, no result) is
// continued when `resume`, restarted when `force`, and otherwise refused with a message that
// says so, so that nothing is lost by accident.
#pragma once

#include <nlohmann/json.hpp>

#include <iosfwd>
#include <string>

#include "harness/config/experiment_config.h"

namespace ablate {

struct RunRequest {
  std::string dir;
  std::string kind = "run";  // "run": train + evaluate the whole validation split; "train": train only
  bool resume = false;
  bool force = false;
  int threads = 1;           // worker threads (recorded in the result; the caller sets TBB's limit)
  std::ostream* out = nullptr;   // one-line summaries
  std::ostream* log = nullptr;   // progress
  bool interactive = false;      // redraw the progress line in place
  nlohmann::json annotations = nlohmann::json::object();  // extra top-level result fields ("sweep")
};

enum class RunStatus { kCompleted, kSkipped };

// Throws (ConfigError, DataError, SafetensorsError, TrainingError, ...) on failure, having written
// nothing but checkpoints of the run itself.
RunStatus run_experiment(const ExperimentConfig& config, const RunRequest& request);

}  // namespace ablate
