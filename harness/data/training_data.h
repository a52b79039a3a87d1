// The token streams an experiment trains and validates on, loaded as its `data:` section says:
// the built-in synthetic corpus, a text file through the tokenizer, or llm.c token shards; split
// into train and validation (a separate validation file, or the last validation_fraction).
// Shards are memory-mapped, not read: train and validation are views of the map (TokenSource), so
// a shard larger than memory trains with only the pages in use resident. Text and synthetic
// tokens are held in one vector that both views share.
#pragma once

#include <cstdint>
#include <string>

#include "harness/config/experiment_config.h"
#include "harness/data/token_source.h"

namespace ablate {

struct TrainingData {
  TokenSource train, validation;
  std::string description;  // "synthetic corpus (seed 1, 2000000 bytes)", "text FILE", ...
};

// DataError, naming the file and the config key, when a file is missing or empty, a token id is
// outside the model's vocabulary (checked on load by one pass over the tokens, which for a shard
// reads the map and copies nothing), or a split is too short: train needs at least
// train.context + 1 tokens (one window) when `training` (evaluating a text needs no training
// split), validation at least 2.
TrainingData load_training_data(const ExperimentConfig& config, bool training = true);

}  // namespace ablate
