// The training loop of an experiment: AdamW with warmup + cosine, gradient clipping and
// accumulation, validation loss every train.eval_every steps, a checkpoint every
// train.checkpoint_every steps (and at the end), a progress line on the log stream, and exact
// resume: a run continued from a checkpoint takes the same steps, bit for bit, as one that was
// never stopped (same thread count), because the weights, AdamW moments, step count and the batch
// loader's position are all restored and nothing else carries state between steps.
#pragma once

#include <nlohmann/json.hpp>

#include <iosfwd>
#include <string>

#include "components/model/model.h"
#include "harness/common/errors.h"
#include "harness/config/experiment_config.h"
#include "harness/data/training_data.h"

namespace ablate {

struct TrainOptions {
  std::string checkpoint_path;  // where checkpoints are written (and resumed from)
  bool resume = false;          // continue from checkpoint_path (it must exist)
  std::ostream* log = nullptr;  // progress and validation lines; null = silent
  bool interactive = false;     // redraw one progress line ('\r') instead of printing lines
};

struct TrainOutcome {
  nlohmann::json history;    // {"loss_curve": [...], "validation_curve": [...], "train_seconds"}
  int64_t resumed_from = 0;  // the checkpoint step resumed from (0 = fresh)
  double seconds_this_session = 0;  // training time of this process (evaluations excluded)
  int64_t tokens_this_session = 0;
};

// Trains `model` (freshly initialised from config.seed by the caller) for config.train.steps.
// On resume, the checkpoint's config must equal `config` except `threads` (ConfigError naming
// the keys that differ), and its weights, optimizer state and position replace the fresh ones.
TrainOutcome train_model(const ExperimentConfig& config, const TrainingData& data,
                         Model<float>& model, const TrainOptions& options);

// The loader seed of an experiment seed (batches and weights draw from different streams).
uint64_t batch_seed(int64_t seed);

}  // namespace ablate
