// Multiple-choice accuracy of a model on the config's `choice:` task, scored as
// lm-evaluation-harness scores it (choice_scoring.h): what `ablate choice` (experiment_commands.h)
// and `ablate run` (experiment_runner.h) report.
//
//   ablate choice CONFIG.yaml [-o DIR] [--checkpoint FILE] [--threads N]
//
// Reads the checkpoint (default DIR/checkpoint.safetensors, DIR default results/NAME), scores every
// item with a window of eval.context tokens, and writes, each atomically:
//   DIR/choice_items.jsonl  one line per item (item_record: gold, LL per choice, lengths, predictions)
//   DIR/choice.json         a result (result.h) of kind "choice": "choice" = the summary below,
//                           "checkpoint", "checkpoint_step"
// Summary: {"task", "format", "description", "window", "seconds", "items", "acc", "acc_stderr",
// "acc_norm", "acc_norm_stderr", "acc_bytes", "acc_bytes_stderr", "acc_llamacpp",
// "acc_llamacpp_stderr", "choices_per_item", "scored_tokens_per_choice", "truncated_items"}.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "components/model/model.h"
#include "harness/config/experiment_config.h"
#include "harness/eval/choice_scoring.h"
#include "harness/eval/choice_task.h"

namespace ablate {

struct ChoiceEvaluation {
  std::vector<ItemScore> items;
  nlohmann::json summary;
};

// Scores `items` (load_choice_task(config.choice)) with `model`: tokenizer data.tokenizer, window
// eval.context, threads as TBB allows.
ChoiceEvaluation evaluate_choice(const ExperimentConfig& config, Model<float>& model,
                                 const std::vector<ChoiceItem>& items);

// One item_record per line, written atomically.
void write_choice_items(const std::string& path, const std::vector<ItemScore>& items);

// "acc 0.4500 +/- 0.1141, acc_norm 0.4000 +/- 0.1124 (20 items, synthetic recall task (seed 7))".
std::string format_choice_summary(const nlohmann::json& summary);

}  // namespace ablate
