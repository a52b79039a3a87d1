// Passkey retrieval (the `passkey:` section; prompt and scoring: harness/eval/passkey.h): accuracy
// against context length and key depth under each RoPE scaling method, and with extend.finetune
// each method's fine-tuned model too; what `ablate run` and `ablate passkey` share, and the command.
//
//   ablate passkey CONFIG.yaml [-o DIR] [--checkpoint FILE] [--threads N]
//
// scores the checkpoint (scored_model.h; for a sweep config every trained point) into
// DIR/passkey.json (a result of kind "passkey"; the "passkey" object: docs/results.md). Every
// method sees the same prompts: the keys and filler offsets of a (length, depth, trial) come from
// passkey.seed alone. Points that cannot be scored (a learned position table shorter than the
// length, a scaling on a model without RoPE) are reported with their reason.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "components/model/model.h"
#include "experiments/extend.h"
#include "harness/config/experiment_config.h"
#include "harness/data/training_data.h"
#include "harness/tokenizers/tokenizer.h"

namespace ablate {

struct PasskeyInputs {
  Model<float>* trained = nullptr;        // the trained model (of config.model); its weights are copied
  const TrainingData* data = nullptr;     // for the optional fine-tuning
  FinetunedModels* finetuned = nullptr;   // shared with extend:; null = fine-tuned here
  std::string finetune_dir;               // where fine-tuned checkpoints go
  std::ostream* log = nullptr;            // one progress line per (method, length)
};

// The filler's tokens: passkey.filler `synthetic` = generate_corpus(passkey.seed, ...) with enough
// bytes for two of the longest prompts, else the text file; DataError for an unreadable or empty file.
std::vector<int32_t> passkey_filler(const ExperimentConfig& config, const Tokenizer& tokenizer);

// What can be checked before a model is trained or loaded: the tokenizer, the filler file, and
// that the prompt fits the shortest length (check_passkey_lengths).
void check_passkey_section(const ExperimentConfig& config);

// The "passkey" object of a result.
nlohmann::json run_passkey(const ExperimentConfig& config, const PasskeyInputs& inputs);

// "passkey: none 0.800, linear 0.600, linear fine-tuned 0.700 (3 lengths x 5 depths x 10 trials)".
std::string format_passkey_summary(const nlohmann::json& passkey);

// `ablate passkey`: args are what follows "passkey". Returns the exit code (0 ok, 2 usage; errors
// throw, and the CLI reports them with exit code 1).
int passkey_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace ablate
