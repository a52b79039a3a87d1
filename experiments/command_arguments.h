// The command-line arguments the experiment commands share (run, train, eval, extend, choice,
// bench): one CONFIG.yaml, -o DIR, --threads N, and per command --checkpoint FILE or
// --resume/--force; plus the defaults they resolve to (threads, output folder).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace ablate {

// The sweep options of run and train: one point by name, and sweep.executor's keys from the
// command line (each overrides the config's when given).
struct SweepArguments {
  std::string point;                                     // --point NAME
  std::optional<std::string> executor, partition, time, mem;
  std::optional<int64_t> cpus_per_task;
  std::vector<std::string> sbatch;                       // --sbatch OPTION (repeatable): executor.extra
  bool wait = false;                                     // --wait
  bool any_executor_option() const;
};

struct CommandArguments {
  std::string config_path, out_dir, checkpoint;
  bool resume = false, force = false;
  int64_t threads = -1;  // -1 = from the config
  SweepArguments sweep;
};

// One experiment command: its name, what --help says it does, and which options it takes
// besides -o/--output and --threads.
struct CommandOptions {
  std::string command;        // "eval"
  std::string summary;
  bool checkpoint = false;    // --checkpoint FILE
  bool resume_force = false;  // --resume, --force
  bool sweep = false;         // --point and the executor options (SweepArguments)
};

// Parses `args` (what follows the command name) with CommandLine (command_line.h). Returns the
// exit code when the command should stop: 0 after --help, 2 after a usage error
// ("ablate COMMAND: WHAT\nusage: ablate COMMAND CONFIG.yaml [...]" on err).
std::optional<int> parse_command_arguments(const CommandOptions& options, const std::vector<std::string>& args,
                                           CommandArguments& a, std::ostream& out, std::ostream& err);

// --threads if given, else the config's `threads`; 0 means every core.
int resolve_threads(const CommandArguments& a, int64_t config_threads);

// -o DIR if given, else results/NAME.
std::string output_dir(const CommandArguments& a, const std::string& name);

}  // namespace ablate
