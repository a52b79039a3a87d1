// Multiple-choice accuracy of a model on the config's `choice:` task, scored as
// lm-evaluation-harness scores it (choice_scoring.h): the evaluation `ablate run` and `ablate
// choice` share, and the command.
//
//   ablate choice CONFIG.yaml [-o DIR] [--checkpoint FILE] [--threads N]
//
// scores the checkpoint (scored_model.h) with a window of eval.context tokens and writes, each
// atomically, DIR/choice_items.jsonl (one item_record per item) and DIR/choice.json (a result of
// kind "choice"; the fields: docs/results.md).
#pragma once

#include <nlohmann/json.hpp>

#include <iosfwd>
#include <string>
#include <vector>

#include "components/model/model.h"
#include "harness/config/experiment_config.h"
#include "harness/eval/choice_scoring.h"
#include "harness/eval/choice_task.h"

namespace ablate {

struct ChoiceEvaluation {
  std::vector<ItemScore> items;
  nlohmann::json summary;  // a result's "choice" object
};

// Scores `items` (load_choice_task(config.choice)) with `model`: tokenizer data.tokenizer, window
// eval.context, threads as TBB allows.
ChoiceEvaluation evaluate_choice(const ExperimentConfig& config, Model<float>& model,
                                 const std::vector<ChoiceItem>& items);

// DIR/choice_items.jsonl.
std::string choice_items_path(const std::string& dir);

// One item_record per line, written atomically.
void write_choice_items(const std::string& path, const std::vector<ItemScore>& items);

// "acc 0.4500 +/- 0.1141, acc_norm 0.4000 +/- 0.1124 (20 items, synthetic recall task (seed 7))".
std::string format_choice_summary(const nlohmann::json& summary);

// `ablate choice`: args are what follows "choice". Returns the exit code (0 ok, 2 usage; errors
// throw, and the CLI reports them with exit code 1).
int choice_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace ablate
