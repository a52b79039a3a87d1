// The experiment commands: `ablate run`, `train`, `eval`, `extend` and `choice` on one config.
//
//   ablate run   CONFIG.yaml [-o DIR] [--resume] [--force] [--threads N]
//   ablate train CONFIG.yaml [-o DIR] [--resume] [--force] [--threads N]
//   ablate eval  CONFIG.yaml [-o DIR] [--checkpoint FILE] [--threads N]
//   ablate extend CONFIG.yaml [-o DIR] [--checkpoint FILE] [--threads N]
//   ablate choice CONFIG.yaml [-o DIR] [--checkpoint FILE] [--threads N]
//
// DIR defaults to results/NAME. train writes DIR/checkpoint.safetensors (every
// train.checkpoint_every steps and at the end) and DIR/result.json (kind "train": the loss and
// validation curves, final metrics); run does the same and then evaluates the whole validation
// split (kind "run"); eval scores a checkpoint (default DIR/checkpoint.safetensors) and writes
// DIR/eval.json; extend evaluates the config's `extend:` section on a checkpoint and writes
// DIR/extend.json; choice scores the `choice:` task (choice_evaluation.h) into DIR/choice.json and
// DIR/choice_items.jsonl. run also runs the `extend:` and `choice:` sections when the config has
// them. A finished DIR/result.json is not redone unless --force; an unfinished run's checkpoint is
// continued only with --resume (or replaced with --force), never silently.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace ablate {

// args: what follows the command name. Returns the exit code (0 ok, 1 error, 2 usage).
int train_command(const std::string& command, const std::vector<std::string>& args, std::ostream& out,
                  std::ostream& err);
// eval, extend and choice: a checkpoint scored on the validation split / the extension curves /
// the multiple-choice task.
int eval_command(const std::string& command, const std::vector<std::string>& args, std::ostream& out,
                 std::ostream& err);

}  // namespace ablate
