// The experiment commands (see experiment_commands.h).
#include "harness/experiment_commands.h"

#include <oneapi/tbb/global_control.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <ostream>
#include <sstream>
#include <thread>

#include "harness/checkpoint.h"
#include "harness/choice_evaluation.h"
#include "harness/experiment_runner.h"
#include "harness/extension.h"
#include "harness/progress.h"
#include "harness/result.h"
#include "harness/run_info.h"
#include "harness/sweep.h"
#include "harness/training_data.h"
#include "harness/validation_loss.h"

namespace ablate {
namespace {

namespace fs = std::filesystem;

struct Arguments {
  std::string config_path, out_dir, checkpoint;
  bool resume = false, force = false;
  int64_t threads = -1;  // -1 = from the config
};

// Parses the arguments; on a usage error writes it to err and returns false.
bool parse_arguments(const std::string& command, const std::vector<std::string>& args, bool is_eval,
                     Arguments& a, std::ostream& err) {
  auto usage = [&](const std::string& what) {
    err << "ablate " << command << ": " << what << "\nusage: ablate " << command
        << (is_eval ? " CONFIG.yaml [-o DIR] [--checkpoint FILE] [--threads N]\n"
                    : " CONFIG.yaml [-o DIR] [--resume] [--force] [--threads N]\n");
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
    } else if (is_eval && arg == "--checkpoint") {
      if (!value(a.checkpoint)) return false;
    } else if (!is_eval && arg == "--resume") {
      a.resume = true;
    } else if (!is_eval && arg == "--force") {
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

int resolve_threads(const Arguments& a, const ExperimentConfig& config) {
  const int64_t wanted = a.threads >= 0 ? a.threads : config.threads;
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  return wanted > 0 ? static_cast<int>(wanted) : cores;
}

}  // namespace

int train_command(const std::string& command, const std::vector<std::string>& args, std::ostream& out,
                  std::ostream& err) {
  Arguments a;
  if (!parse_arguments(command, args, /*is_eval=*/false, a, err)) return 2;
  const ConfigTree tree = load_config_tree(a.config_path);
  const std::string stem = fs::path(a.config_path).stem().string();
  if (has_sweep(tree)) {
    const SweepPlan plan = plan_sweep(tree, stem);
    const int threads = resolve_threads(a, plan.points.front().config);
    tbb::global_control parallelism(tbb::global_control::max_allowed_parallelism, threads);
    SweepOptions options;
    options.dir = a.out_dir.empty() ? (fs::path("results") / plan.name).string() : a.out_dir;
    options.kind = command;
    options.force = a.force;
    options.threads = threads;
    options.out = &out;
    options.log = &err;
    options.interactive = stream_is_terminal(err);
    err << plan.name << ": sweep of " << plan.points.size() << " points into " << options.dir << "\n";
    const SweepOutcome o = run_sweep(plan, options);
    out << plan.name << ": " << o.completed << " completed, " << o.skipped << " already done, " << o.failed
        << " failed; results in " << options.dir << "\n";
    return o.failed > 0 ? 1 : 0;
  }
  const ExperimentConfig config = parse_experiment(tree, stem);
  const int threads = resolve_threads(a, config);
  tbb::global_control parallelism(tbb::global_control::max_allowed_parallelism, threads);
  RunRequest request;
  request.dir = a.out_dir.empty() ? (fs::path("results") / config.name).string() : a.out_dir;
  request.kind = command;
  request.resume = a.resume;
  request.force = a.force;
  request.threads = threads;
  request.out = &out;
  request.log = &err;
  request.interactive = stream_is_terminal(err);
  run_experiment(config, request);
  return 0;
}

int eval_command(const std::string& command, const std::vector<std::string>& args, std::ostream& out,
                 std::ostream& err) {
  Arguments a;
  if (!parse_arguments(command, args, /*is_eval=*/true, a, err)) return 2;
  const auto started = std::chrono::system_clock::now();
  const ConfigTree tree = load_config_tree(a.config_path);
  if (has_sweep(tree))
    throw ConfigError(a.config_path + ": " + command + " takes one experiment, and this file is a sweep (`ablate run` "
                      "evaluates each point)");
  const ExperimentConfig config = parse_experiment(tree, fs::path(a.config_path).stem().string());
  if (command == "extend" && !config.extend.enabled)
    throw ConfigError(a.config_path + ": extend: the config has no `extend:` section (lengths and methods)");
  if (command == "choice" && !config.choice.enabled)
    throw ConfigError(a.config_path + ": no `choice:` section, so there is no task to score; add one, e.g. "
                      "`choice: {task: synthetic, items: 500}` or `choice: {task: hellaswag.jsonl, format: hellaswag}`");
  // A bad task file fails before the model loads.
  const std::vector<ChoiceItem> items = command == "choice" ? load_choice_task(config.choice) : std::vector<ChoiceItem>{};
  const int threads = resolve_threads(a, config);
  tbb::global_control parallelism(tbb::global_control::max_allowed_parallelism, threads);
  const fs::path dir = a.out_dir.empty() ? fs::path("results") / config.name : fs::path(a.out_dir);
  const std::string checkpoint_path =
      a.checkpoint.empty() ? (dir / "checkpoint.safetensors").string() : a.checkpoint;

  Model<float> model(config.model, static_cast<uint64_t>(config.seed));
  const Checkpoint checkpoint = open_checkpoint(checkpoint_path);
  load_weights(checkpoint.file, model);
  nlohmann::json result = result_header(command, config, threads, started);
  result["checkpoint"] = checkpoint_path;
  result["checkpoint_step"] = checkpoint.state.step;
  fs::create_directories(dir);
  if (command == "choice") {
    err << config.name << ": scoring " << items.size() << " items of the " << describe_choice_task(config.choice)
        << ", window " << config.eval.context << ", " << threads << " threads\n";
    const ChoiceEvaluation evaluation = evaluate_choice(config, model, items);
    result["choice"] = evaluation.summary;
    const std::string items_path = (dir / "choice_items.jsonl").string();
    write_choice_items(items_path, evaluation.items);
    out << config.name << ": " << format_choice_summary(evaluation.summary) << "\n"
        << config.name << ": items " << items_path << "\n";
    const std::string result_path = (dir / "choice.json").string();
    write_result(result_path, result, started);
    out << config.name << ": result " << result_path << "\n";
    return 0;
  }
  const TrainingData data = load_training_data(config);
  result["data"] = data.description;
  if (command == "eval") {
    const LossEstimate val = validation_loss(model, data.validation, config.eval.context,
                                             config.train.batch_size, config.eval.max_tokens);
    result["metrics"] = {{"validation", loss_summary(val, config.eval.context)},
                         {"parameters", model.parameter_count()}};
    out << config.name << ": validation loss " << format_fixed(val.loss, 4) << " (perplexity "
        << format_fixed(val.perplexity(), 3) << ", " << val.tokens << " tokens, checkpoint step "
        << checkpoint.state.step << ")\n";
  } else {
    const std::vector<int32_t> text = extension_text(config, data);
    ExtensionInputs inputs;
    inputs.weights = &checkpoint.file;
    inputs.text = &text;
    inputs.data = &data;
    inputs.finetune_dir = dir.string();
    inputs.log = &err;
    result["extend"] = run_extension(config, inputs);
    result["metrics"] = {{"parameters", model.parameter_count()}, {"peak_rss_bytes", peak_rss_bytes()}};
  }
  const std::string result_path = (dir / (command + ".json")).string();
  write_result(result_path, result, started);
  out << config.name << ": result " << result_path << "\n";
  return 0;
}

}  // namespace ablate
