// The context-extension experiment (the `extend:` section): perplexity of a model trained at
// context L, evaluated at each length under each RoPE scaling method, with loss by position;
// what `ablate run` and `ablate extend` share, and the command.
//
//   ablate extend CONFIG.yaml [-o DIR] [--checkpoint FILE] [--threads N]
//
// scores the checkpoint (scored_model.h) into DIR/extend.json (a result of kind "extend"; the
// "extend" object it holds: docs/results.md). Points that cannot be evaluated are reported, not
// fatal: a learned position table shorter than the length, a text (cut at extend.max_tokens + 1
// tokens, the same for every length) shorter than one window, or one the windowing refuses.
#pragma once

#include <nlohmann/json.hpp>

#include <iosfwd>
#include <string>
#include <vector>

#include "components/model/model.h"
#include "harness/config/experiment_config.h"
#include "harness/data/training_data.h"

namespace ablate {

struct ExtensionInputs {
  Model<float>* trained = nullptr;             // the trained model (of config.model); its weights are copied
  const TokenSource* text = nullptr;           // the evaluation stream
  const TrainingData* data = nullptr;          // for the optional fine-tuning
  std::string finetune_dir;                    // where fine-tuned checkpoints go
  std::ostream* log = nullptr;
};

// The "extend" object of a result.
nlohmann::json run_extension(const ExperimentConfig& config, const ExtensionInputs& inputs);

// The evaluation stream an extend section names: the validation split (a view of it, so a mapped
// shard stays mapped), or a text file.
TokenSource extension_text(const ExperimentConfig& config, const TrainingData& data);

// `ablate extend`: args are what follows "extend". Returns the exit code (0 ok, 2 usage; errors
// throw, and the CLI reports them with exit code 1).
int extend_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace ablate
