// Parsing the experiment commands' arguments (see command_arguments.h).
#include "experiments/command_arguments.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "harness/common/command_line.h"

namespace ablate {

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
                char* end = nullptr;
                const long n = std::strtol(v.c_str(), &end, 10);
                if (v.empty() || *end != '\0' || n < 0 || n > 4096)
                  return "--threads: expected a count >= 0, found '" + v + "'";
                a.threads = n;
                return std::string();
              });
  return line.parse(args, out, err);
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
