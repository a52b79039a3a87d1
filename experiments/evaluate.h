// `ablate eval CONFIG.yaml [-o DIR] [--checkpoint FILE] [--threads N]`: the validation loss and
// perplexity of a checkpoint (scored_model.h) on the config's validation split, in windows of
// eval.context under eval.windowing (harness/eval/perplexity.h; the same figure as an extend: point
// at that length), written to DIR/eval.json (a result of kind "eval"; docs/results.md). No training
// split is needed.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace ablate {

// args: what follows "eval". Returns the exit code (0 ok, 2 usage; errors throw, and the CLI
// reports them with exit code 1).
int eval_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace ablate
