// `ablate choice` and the choice evaluation `ablate run` shares (see choice_command.h).
#include "harness/choice_command.h"

#include <oneapi/tbb/global_control.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <ostream>
#include <sstream>
#include <thread>

#include "harness/checkpoint.h"
#include "harness/file_io.h"
#include "harness/result.h"
#include "harness/sweep.h"
#include "harness/tokenizer.h"

namespace ablate {
namespace {

namespace fs = std::filesystem;

constexpr const char* kChoiceUsage = "usage: ablate choice CONFIG.yaml [-o DIR] [--checkpoint FILE] [--threads N]\n";

struct ChoiceArguments {
  std::string config_path, out_dir, checkpoint;
  int64_t threads = -1;  // -1 = from the config
};

// Parses the arguments; on a usage error writes it to err and returns false.
bool parse_choice_arguments(const std::vector<std::string>& args, ChoiceArguments& a, std::ostream& err) {
  auto usage = [&](const std::string& what) {
    err << "ablate choice: " << what << "\n" << kChoiceUsage;
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
    } else if (arg == "--checkpoint") {
      if (!value(a.checkpoint)) return false;
    } else if (arg == "--threads") {
      std::string v;
      if (!value(v)) return false;
      char* end = nullptr;
      const long n = std::strtol(v.c_str(), &end, 10);
      if (v.empty() || *end != '\0' || n < 0 || n > 4096)
        return usage("--threads: expected a count >= 0, found '" + v + "'");
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

std::string fixed(double v, int digits) {
  std::ostringstream o;
  o.setf(std::ios::fixed);
  o.precision(digits);
  o << v;
  return o.str();
}

std::string with_stderr(const nlohmann::json& summary, const std::string& name) {
  const nlohmann::json& se = summary[name + "_stderr"];
  return name + " " + fixed(summary[name].get<double>(), 4) + (se.is_number() ? " +/- " + fixed(se.get<double>(), 4) : "");
}

}  // namespace

ChoiceEvaluation evaluate_choice(const ExperimentConfig& config, Model<float>& model,
                                 const std::vector<ChoiceItem>& items) {
  const auto started = std::chrono::steady_clock::now();
  const std::unique_ptr<Tokenizer> tokenizer = make_tokenizer(config.data.tokenizer);
  ChoiceEvaluation e;
  e.items = score_items(model, *tokenizer, items, config.eval.context);
  e.summary = choice_metrics(e.items);
  e.summary["task"] = config.choice.task;
  e.summary["format"] = config.choice.format;
  e.summary["description"] = describe_choice_task(config.choice);
  if (config.choice.task == "synthetic") e.summary["seed"] = config.choice.seed;
  e.summary["window"] = config.eval.context;
  e.summary["seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return e;
}

void write_choice_items(const std::string& path, const std::vector<ItemScore>& items) {
  std::string text;
  for (size_t i = 0; i < items.size(); ++i) text += item_record(items[i], i).dump() + "\n";
  try {
    write_file_atomically(path, {{text.data(), text.size()}});
  } catch (const FileIoError& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
}

std::string format_choice_summary(const nlohmann::json& summary) {
  return with_stderr(summary, "acc") + ", " + with_stderr(summary, "acc_norm") + " (" +
         std::to_string(summary["items"].get<int64_t>()) + " items, " + summary["description"].get<std::string>() +
         ")";
}

int choice_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  ChoiceArguments a;
  if (!parse_choice_arguments(args, a, err)) return 2;
  const auto started = std::chrono::system_clock::now();
  const ConfigTree tree = load_config_tree(a.config_path);
  if (has_sweep(tree))
    throw ConfigError(a.config_path + ": choice takes one experiment, and this file is a sweep (each point's "
                      "`choice:` section is scored by `ablate run` already)");
  const ExperimentConfig config = parse_experiment(tree, fs::path(a.config_path).stem().string());
  if (!config.choice.enabled)
    throw ConfigError(a.config_path + ": no `choice:` section, so there is no task to score; add one, e.g. "
                      "`choice: {task: synthetic, items: 500}` or `choice: {task: hellaswag.jsonl, format: hellaswag}`");
  const int64_t wanted = a.threads >= 0 ? a.threads : config.threads;
  const int threads = wanted > 0 ? static_cast<int>(wanted)
                                 : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  tbb::global_control parallelism(tbb::global_control::max_allowed_parallelism, threads);
  const fs::path dir = a.out_dir.empty() ? fs::path("results") / config.name : fs::path(a.out_dir);
  const std::string checkpoint_path =
      a.checkpoint.empty() ? (dir / "checkpoint.safetensors").string() : a.checkpoint;

  const std::vector<ChoiceItem> items = load_choice_task(config.choice);  // bad data fails before the model loads
  Model<float> model(config.model, static_cast<uint64_t>(config.seed));
  const Checkpoint checkpoint = open_checkpoint(checkpoint_path);
  load_weights(checkpoint.file, model);
  err << config.name << ": scoring " << items.size() << " items of the " << describe_choice_task(config.choice)
      << ", window " << config.eval.context << ", " << threads << " threads\n";
  const ChoiceEvaluation evaluation = evaluate_choice(config, model, items);

  nlohmann::json result = result_header("choice", config, threads, started);
  result["checkpoint"] = checkpoint_path;
  result["checkpoint_step"] = checkpoint.state.step;
  result["choice"] = evaluation.summary;
  fs::create_directories(dir);
  const std::string items_path = (dir / "choice_items.jsonl").string();
  const std::string result_path = (dir / "choice.json").string();
  write_choice_items(items_path, evaluation.items);
  write_result(result_path, result, started);
  out << config.name << ": " << format_choice_summary(evaluation.summary) << "\n"
      << config.name << ": result " << result_path << ", items " << items_path << "\n";
  return 0;
}

}  // namespace ablate
