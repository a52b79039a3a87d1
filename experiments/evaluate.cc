// `ablate eval` (see evaluate.h).
#include "experiments/evaluate.h"

#include <chrono>

#include "experiments/command_arguments.h"
#include "experiments/scored_model.h"

namespace ablate {
namespace {

const CommandOptions kEvalCommand = {
    "eval", "Validation loss and perplexity of a checkpoint on the config's validation split, into DIR/eval.json.",
    /*checkpoint=*/true, /*resume_force=*/false};

}  // namespace

int eval_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  CommandArguments a;
  if (const auto exit = parse_command_arguments(kEvalCommand, args, a, out, err)) return *exit;
  for (const ScoredExperiment& e : scored_experiments(a, "eval", err)) {
    ScoredModel scored("eval", e, std::chrono::system_clock::now(), err);
    scored.evaluate({/*validation=*/true, /*extend=*/false, /*choice=*/false}, nullptr, out, err);
    scored.result()["metrics"]["parameters"] = scored.model().parameter_count();
    scored.write_result(out);
  }
  return 0;
}

}  // namespace ablate
