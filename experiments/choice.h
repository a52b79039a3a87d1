// Multiple-choice accuracy of a model on the config's `choice:` task, scored as
// lm-evaluation-harness scores it (choice_scoring.h): the evaluation `ablate run` and `ablate
// choice` share, and the command.
//
//   ablate choice CONFIG.yaml [-o DIR] [--checkpoint FILE] [--threads N]
//
// scores the checkpoint (scored_model.h) with a window of eval.context tokens and writes, each
// atomically, DIR/choice_items.jsonl (one item_record per item) and DIR/choice.json (a result of
// kind "choice"; the fields: docs/results.md). choice.json holds the metrics a second time in
// lm-evaluation-harness's results layout (lm_eval_results below), so lm-eval's tooling reads it.
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

// The task's name in lm-eval's layout: lm-eval's task name where the format is one of its tasks
// (hellaswag and hellaswag_llamacpp: "hellaswag"; "piqa"; "winogrande"), the task's name for the
// built-in tasks ("synthetic", "animal_calls"), else (arc, generic) the file's name without its
// extension ("arc_easy" for arc_easy.jsonl).
std::string lm_eval_task_name(const ChoiceConfig& config);

// The summary (a result's "choice" object) in the layout of lm-eval's results file
// (lm_eval/evaluator.py simple_evaluate's dict, as lm_eval/utils.py make_table reads it), TASK =
// lm_eval_task_name:
//   {"results": {TASK: {"alias": TASK, "acc,none", "acc_stderr,none", "acc_norm,none",
//                       "acc_norm_stderr,none"}},
//    "group_subtasks": {TASK: []}, "versions": {TASK: "N/A"}, "n-shot": {TASK: 0},
//    "higher_is_better": {TASK: {"acc": true, "acc_norm": true}},
//    "n-samples": {TASK: {"original": items, "effective": items}}}
// Only lm-eval's own metrics (acc, acc_norm: "none" is the filter); a stderr is lm-eval's
// mean_stderr, sqrt(p(1 − p)/(n − 1)), and "N/A" for fewer than 2 items, as lm-eval writes it.
nlohmann::json lm_eval_results(const nlohmann::json& summary, const ChoiceConfig& config);

// "acc 0.4500 +/- 0.1141, acc_norm 0.4000 +/- 0.1124 (20 items, synthetic recall task (seed 7))".
std::string format_choice_summary(const nlohmann::json& summary);

// `ablate choice`: args are what follows "choice". Returns the exit code (0 ok, 2 usage; errors
// throw, and the CLI reports them with exit code 1).
int choice_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace ablate
