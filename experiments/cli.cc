#include "experiments/cli.h"

#include <iomanip>
#include <ostream>

#include "components/model/registry.h"
#include "experiments/bench.h"
#include "experiments/commands.h"
#include "experiments/convert.h"
#include "reports/report.h"

namespace ablate {
namespace {

const char* kUsage =
    "usage: ablate <command> [args]\n"
    "commands:\n"
    "  list                             every registered component variant, by slot\n"
    "  run CONFIG.yaml [-o DIR]         train, checkpoint and evaluate one experiment\n"
    "  train CONFIG.yaml [-o DIR]       train and checkpoint only\n"
    "  eval CONFIG.yaml [-o DIR]        validation loss and perplexity of a checkpoint\n"
    "  extend CONFIG.yaml [-o DIR]      perplexity vs context length per RoPE scaling (extend:)\n"
    "  choice CONFIG.yaml [-o DIR]      multiple-choice accuracy of a checkpoint (choice:), lm-eval style\n"
    "  bench CONFIG.yaml [-o DIR]       train/prefill/decode speed, MFU, memory, KV cache per model (bench:)\n"
    "  report RESULTS_DIR [-o OUT]      plots (PNG, SVG), tables and OUT/index.html from result JSON files\n"
    "                                   (OUT defaults to RESULTS_DIR/report; needs gnuplot)\n"
    "  convert IN OUT [--to FORMAT]     a checkpoint into another format: llama2.c .bin, Hugging Face\n"
    "                                   directory, Ablate .safetensors (by OUT's name); prints its model:\n"
    "  help                             this text\n"
    "options of run and train: --resume (continue DIR/checkpoint.safetensors), --force (redo a\n"
    "finished or unfinished run), --threads N; of eval, extend and choice: --checkpoint FILE,\n"
    "--threads N; of bench: --threads N.\n"
    "DIR defaults to results/NAME (NAME: the config's name, default its file name).\n";

int list_variants(std::ostream& out) {
  for (const auto& slot : registered_slots()) {
    out << slot << ":\n";
    for (const auto& v : registered_variants())
      if (v.slot == slot) out << "  " << std::left << std::setw(12) << v.name << "  " << v.summary << "\n";
  }
  return 0;
}

}  // namespace

int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.empty()) {
    err << kUsage;
    return 2;
  }
  const std::string& command = args[0];
  if (command == "help" || command == "--help" || command == "-h") {
    out << kUsage;
    return 0;
  }
  if (command == "list") {
    if (args.size() > 1) {
      err << "ablate list: takes no arguments, got '" << args[1] << "'\n";
      return 2;
    }
    return list_variants(out);
  }
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  try {
    if (command == "run" || command == "train") return train_command(command, rest, out, err);
    if (command == "eval" || command == "extend" || command == "choice") return eval_command(command, rest, out, err);
    if (command == "bench") return bench_command(rest, out, err);
    if (command == "report") return report_command(rest, out, err);
    if (command == "convert") return convert_command(rest, out, err);
  } catch (const std::exception& e) {
    err << "ablate " << command << ": error: " << e.what() << "\n";
    return 1;
  }
  err << "ablate: unknown command '" << command << "'\n" << kUsage;
  return 2;
}

}  // namespace ablate
