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
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "components/model/model.h"
#include "harness/config/experiment_config.h"
#include "harness/data/training_data.h"

namespace ablate {

// The models fine-tuned under each scaling method and budget (extend.finetune), kept for the
// process, so that the passkey: section scores the very models extend: fine-tuned instead of
// fine-tuning again.
class FinetunedModels {
 public:
  // The trained weights fine-tuned for `steps` steps (extend.finetune: lr) under `method` at
  // `context` tokens, its checkpoint written to DIR/finetune_NAME_STEPS.safetensors; fine-tunes on
  // the first request for a (scaled model config, context, steps) — two methods that resolve to
  // the same model at `context` (ntk with factor auto and ntk with the factor it resolves to)
  // share one — and returns the same model afterwards.
  Model<float>& get(const ExperimentConfig& config, const ExtendMethod& method, int64_t context, int64_t steps,
                    Model<float>& trained, const TrainingData& data, const std::string& dir, std::ostream* log);
  void clear() { models_.clear(); }

 private:
  std::map<std::string, std::unique_ptr<Model<float>>> models_;  // by scaled config, context and steps
};

// Why `method` cannot run on the trained model at `length`, or "": a scaling on a model without
// RoPE, a length beyond a learned position table.
std::string scaling_not_applicable(const ModelConfig& trained, const ExtendMethod& method, int64_t length);

// The fine-tuning context of extend.finetune: finetune.context, 0 = the longest extend length.
int64_t finetune_context(const ExtendConfig& extend);

// Copies every parameter value of `from` into `to` (same parameter shapes: only RoPE scaling, which
// has no parameters, differs between the two configs), and its precision.
void copy_weights(Model<float>& from, Model<float>& to);

struct ExtensionInputs {
  Model<float>* trained = nullptr;             // the trained model (of config.model); its weights are copied
  const TokenSource* text = nullptr;           // the evaluation stream
  const TrainingData* data = nullptr;          // for the optional fine-tuning
  std::string finetune_dir;                    // where fine-tuned checkpoints go
  FinetunedModels* finetuned = nullptr;        // shared with passkey:; null = kept only per method
  std::ostream* log = nullptr;
};

// The "extend" object of a result: one entry per method and budget (finetune_budgets), in method
// order, each method's budgets in increasing order.
nlohmann::json run_extension(const ExperimentConfig& config, const ExtensionInputs& inputs);

// The evaluation stream an extend section names: the validation split (a view of it, so a mapped
// shard stays mapped), or a text file.
TokenSource extension_text(const ExperimentConfig& config, const TrainingData& data);

// `ablate extend`: args are what follows "extend". Returns the exit code (0 ok, 2 usage; errors
// throw, and the CLI reports them with exit code 1).
int extend_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace ablate
