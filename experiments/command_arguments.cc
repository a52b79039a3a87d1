// Parsing the experiment commands' arguments (see command_arguments.h).
#include "experiments/command_arguments.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <ostream>
#include <thread>

namespace ablate {

bool parse_command_arguments(const std::string& command, const std::vector<std::string>& args,
                             CommandOptions options, CommandArguments& a, std::ostream& err) {
  auto usage = [&](const std::string& what) {
    err << "ablate " << command << ": " << what << "\nusage: ablate " << command << " CONFIG.yaml [-o DIR]"
        << (options.checkpoint ? " [--checkpoint FILE]" : "") << (options.resume_force ? " [--resume] [--force]" : "")
        << " [--threads N]\n";
    return false;
  };
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    auto value = [&](std::string& target) {
      if (i + 1 >= args.size()) return usage(arg + " needs a value");
      target = args[++i];
      return true;
    };
    if (arg == "-o" || arg == "--output") {
      if (!value(a.out_dir)) return false;
    } else if (options.checkpoint && arg == "--checkpoint") {
      if (!value(a.checkpoint)) return false;
    } else if (options.resume_force && arg == "--resume") {
      a.resume = true;
    } else if (options.resume_force && arg == "--force") {
      a.force = true;
    } else if (arg == "--threads") {
      std::string v;
      if (!value(v)) return false;
      char* end = nullptr;
      const long n = std::strtol(v.c_str(), &end, 10);
      if (v.empty() || *end != '\0' || n < 0 || n > 4096) return usage("--threads: expected a count >= 0, found '" + v + "'");
      a.threads = n;
    } else if (!arg.empty() && arg[0] == '-') {
      return usage("unknown option '" + arg + "'");
    } else if (a.config_path.empty()) {
      a.config_path = arg;
    } else {
      return usage("one config file expected, found a second: '" + arg + "'");
    }
  }
  if (a.config_path.empty()) return usage("missing CONFIG.yaml");
  return true;
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
