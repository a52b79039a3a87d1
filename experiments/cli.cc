// The `ablate` command line (see cli.h): one table of subcommands, the usage text built from it.
#include "experiments/cli.h"

#include <iomanip>
#include <ostream>
#include <sstream>

#include "components/model/registry.h"
#include "experiments/bench.h"
#include "experiments/choice.h"
#include "experiments/convert.h"
#include "experiments/evaluate.h"
#include "experiments/extend.h"
#include "experiments/passkey.h"
#include "experiments/status.h"
#include "experiments/train.h"
#include "harness/config/config_keys.h"
#include "reports/report.h"

namespace ablate {
namespace {

using CommandFunction = int (*)(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

struct CliCommand {
  const char* name;
  const char* synopsis;  // in the usage text
  const char* summary;   // in the usage text; a '\n' continues it on the next line
  CommandFunction run;   // args: what follows the name
};

int list_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int keys_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int help_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

const CliCommand kCommands[] = {
    {"list", "list", "every registered component variant, by slot", list_command},
    {"keys", "keys [--markdown]", "every config key: type, default, allowed values, meaning", keys_command},
    {"run", "run CONFIG.yaml [-o DIR]", "train, checkpoint and evaluate one experiment", run_command},
    {"train", "train CONFIG.yaml [-o DIR]", "train and checkpoint only", train_command},
    {"eval", "eval CONFIG.yaml [-o DIR]", "validation loss and perplexity of a checkpoint", eval_command},
    {"extend", "extend CONFIG.yaml [-o DIR]", "perplexity vs context length per RoPE scaling (extend:)",
     extend_command},
    {"choice", "choice CONFIG.yaml [-o DIR]", "multiple-choice accuracy of a checkpoint (choice:), lm-eval style",
     choice_command},
    {"passkey", "passkey CONFIG.yaml [-o DIR]", "passkey retrieval vs context length and key depth (passkey:)",
     passkey_command},
    {"status", "status RESULTS_DIR", "each sweep point: pending / running / unfinished / failed / done\n"
     "(with its Slurm job and log)", status_command},
    {"bench", "bench CONFIG.yaml [-o DIR]", "train/prefill/decode speed, MFU, memory, KV cache per model (bench:)",
     bench_command},
    {"report", "report RESULTS_DIR [-o OUT]",
     "plots (PNG, SVG), tables and OUT/index.html from result JSON files\n"
     "(OUT defaults to RESULTS_DIR/report; needs gnuplot)",
     report_command},
    {"convert", "convert IN OUT [--to FORMAT]",
     "a checkpoint into another format: llama2.c .bin, Hugging Face\n"
     "directory, Ablate .safetensors (by OUT's name); prints its model:",
     convert_command},
    {"help", "help", "this text", help_command},
};

const char* kUsageFooter =
    "options of run and train: --resume (continue DIR/checkpoint.safetensors), --force (redo a\n"
    "finished or unfinished run), --threads N, and for a sweep --point NAME and --executor slurm\n"
    "(with --partition, --time, --cpus-per-task, --mem, --sbatch OPTION, --wait); of eval,\n"
    "extend, choice and passkey: --checkpoint FILE, --threads N; of bench: --threads N.\n"
    "DIR defaults to results/NAME (NAME: the config's name, default its file name).\n"
    "`ablate COMMAND --help` describes a command and all its options.\n";

constexpr int kSynopsisWidth = 33;

std::string usage_text() {
  std::ostringstream text;
  text << "usage: ablate <command> [args]\ncommands:\n";
  for (const CliCommand& c : kCommands) {
    text << "  " << std::left << std::setw(kSynopsisWidth) << c.synopsis;
    for (const char* s = c.summary; *s; ++s)
      text << (*s == '\n' ? "\n" + std::string(kSynopsisWidth + 2, ' ') : std::string(1, *s));
    text << "\n";
  }
  return text.str() + kUsageFooter;
}

bool is_help_option(const std::string& arg) { return arg == "--help" || arg == "-h"; }

int list_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (!args.empty() && is_help_option(args[0])) {
    out << "usage: ablate list\nPrints every registered component variant, by slot: the type: names a config's\n"
           "model section takes.\n";
    return 0;
  }
  if (!args.empty()) {
    err << "ablate list: takes no arguments, got '" << args[0] << "'\n";
    return 2;
  }
  for (const auto& slot : registered_slots()) {
    out << slot << ":\n";
    for (const auto& v : registered_variants())
      if (v.slot == slot) out << "  " << std::left << std::setw(12) << v.name << "  " << v.summary << "\n";
  }
  return 0;
}

int keys_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (!args.empty() && is_help_option(args[0])) {
    out << "usage: ablate keys [--markdown]\nPrints every key of an experiment config (from the sections' field lists):\n"
           "its type, default, allowed values and meaning; --markdown as the table in docs/config-keys.md.\n";
    return 0;
  }
  if (args.size() > 1 || (args.size() == 1 && args[0] != "--markdown")) {
    err << "ablate keys: unknown argument '" << args.back() << "'\nusage: ablate keys [--markdown]\n";
    return 2;
  }
  out << config_keys_text(!args.empty());
  return 0;
}

int help_command(const std::vector<std::string>&, std::ostream& out, std::ostream&) {
  out << usage_text();
  return 0;
}

}  // namespace

std::vector<std::string> cli_command_names() {
  std::vector<std::string> names;
  for (const CliCommand& c : kCommands) names.push_back(c.name);
  return names;
}

int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.empty()) {
    err << usage_text();
    return 2;
  }
  const std::string& command = args[0];
  if (is_help_option(command)) return help_command({}, out, err);
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  for (const CliCommand& c : kCommands) {
    if (command != c.name) continue;
    try {
      return c.run(rest, out, err);
    } catch (const std::exception& e) {
      err << "ablate " << command << ": error: " << e.what() << "\n";
      return 1;
    }
  }
  err << "ablate: unknown command '" << command << "'\n" << usage_text();
  return 2;
}

}  // namespace ablate
