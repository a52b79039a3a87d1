// Parsing the experiment commands' arguments (see command_arguments.h).
#include "experiments/command_arguments.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <thread>

#include "harness/common/command_line.h"

namespace ablate {
namespace {

// A whole decimal number in [lo, hi], or nothing.
std::optional<int64_t> count_value(const std::string& v, long lo, long hi) {
  char* end = nullptr;
  const long n = std::strtol(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0' || n < lo || n > hi) return std::nullopt;
  return n;
}

std::function<std::string(const std::string&)> text_option(std::optional<std::string>& target) {
  return [&target](const std::string& v) {
    target = v;
    return std::string();
  };
}

void add_sweep_options(CommandLine& line, SweepArguments& s) {
  line.option({"--point"}, "NAME", "run only this point of the sweep, into DIR/NAME (what each Slurm array task does)",
              s.point)
      .option({"--executor"}, "TYPE", "where a sweep's points run: local (here) or slurm (a job array; sweep.executor)",
              text_option(s.executor))
      .option({"--partition"}, "NAME", "Slurm partition (sweep.executor.partition)", text_option(s.partition))
      .option({"--time"}, "LIMIT", "Slurm time limit per point, e.g. 02:00:00 (sweep.executor.time)",
              text_option(s.time))
      .option({"--cpus-per-task"}, "N", "Slurm CPUs per point, its threads (sweep.executor.cpus_per_task)",
              [&s](const std::string& v) {
                const std::optional<int64_t> n = count_value(v, 1, 4096);
                if (!n) return "--cpus-per-task: expected a count >= 1, found '" + v + "'";
                s.cpus_per_task = *n;
                return std::string();
              })
      .option({"--mem"}, "SIZE", "Slurm memory per point, e.g. 16G (sweep.executor.mem)", text_option(s.mem))
      .option({"--sbatch"}, "OPTION", "one more sbatch option, e.g. --account=abc; repeatable (sweep.executor.extra)",
              [&s](const std::string& v) {
                s.sbatch.push_back(v);
                return std::string();
              })
      .flag("--wait", "wait for the Slurm job array to end, then summarise (sweep.executor.wait)", s.wait);
}

}  // namespace

std::optional<int> parse_command_arguments(const CommandOptions& options, const std::vector<std::string>& args,
                                           CommandArguments& a, std::ostream& out, std::ostream& err) {
  CommandLine line(options.command, options.summary);
  line.argument("CONFIG.yaml", "config file", a.config_path)
      .option({"-o", "--output"}, "DIR", "the run folder (default results/NAME, NAME: the config's name)", a.out_dir);
  if (options.checkpoint)
    line.option({"--checkpoint"}, "FILE",
                "the weights, any format (default DIR/checkpoint.safetensors, else model.from)", a.checkpoint);
  if (options.resume_force)
    line.flag("--resume", "continue the unfinished run in DIR/checkpoint.safetensors", a.resume)
        .flag("--force", "run again, replacing a finished or unfinished run", a.force);
  line.option({"--threads"}, "N", "worker threads (0: every core; default the config's threads)",
              [&a](const std::string& v) {
                const std::optional<int64_t> n = count_value(v, 0, 4096);
                if (!n) return "--threads: expected a count >= 0, found '" + v + "'";
                a.threads = *n;
                return std::string();
              });
  if (options.sweep) add_sweep_options(line, a.sweep);
  return line.parse(args, out, err);
}

bool SweepArguments::any_executor_option() const {
  return executor || partition || time || mem || cpus_per_task || !sbatch.empty() || wait;
}

int resolve_threads(const CommandArguments& a, int64_t config_threads) {
  const int64_t wanted = a.threads >= 0 ? a.threads : config_threads;
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  return wanted > 0 ? static_cast<int>(wanted) : cores;
}

std::string output_dir(const CommandArguments& a, const std::string& name) {
  return a.out_dir.empty() ? (std::filesystem::path("results") / name).string() : a.out_dir;
}

}  // namespace ablate
