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
#include "harness/progress.h"
#include "harness/result.h"
#include "harness/run_info.h"
#include "harness/trainer.h"
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

std::string fixed(double v, int digits) {
  std::ostringstream o;
  o.setf(std::ios::fixed);
  o.precision(digits);
  o << v;
  return o.str();
}

nlohmann::json loss_metrics(const LossEstimate& e, int64_t context) {
  return {{"loss", e.loss}, {"perplexity", e.perplexity()}, {"tokens", e.tokens},
          {"windows", e.windows}, {"context", context}};
}

}  // namespace

int train_command(const std::string& command, const std::vector<std::string>& args, std::ostream& out,
                  std::ostream& err) {
  Arguments a;
  if (!parse_arguments(command, args, /*is_eval=*/false, a, err)) return 2;
  const auto started = std::chrono::system_clock::now();
  ExperimentConfig config = load_experiment(a.config_path);
  const int threads = resolve_threads(a, config);
  tbb::global_control parallelism(tbb::global_control::max_allowed_parallelism, threads);

  const fs::path dir = a.out_dir.empty() ? fs::path("results") / config.name : fs::path(a.out_dir);
  const std::string result_path = (dir / "result.json").string();
  const std::string checkpoint_path = (dir / "checkpoint.safetensors").string();
  if (fs::exists(result_path) && !a.force) {
    out << config.name << ": " << result_path << " exists, skipping (--force runs it again)\n";
    return 0;
  }
  bool resume = false;
  if (fs::exists(checkpoint_path)) {
    if (a.resume) {
      resume = true;
    } else if (!a.force) {
      const Checkpoint c = open_checkpoint(checkpoint_path);
      err << "ablate " << command << ": error: " << checkpoint_path << " holds an unfinished run (step "
          << c.state.step << " of " << config.train.steps
          << "): pass --resume to continue it, or --force to start over\n";
      return 1;
    }
  } else if (a.resume) {
    err << config.name << ": no checkpoint at " << checkpoint_path << ", starting from step 0\n";
  }

  const TrainingData data = load_training_data(config);
  fs::create_directories(dir);
  Model<float> model(config.model, static_cast<uint64_t>(config.seed));
  const int64_t n_params = model.parameter_count();
  err << config.name << ": " << n_params << " parameters, " << data.description << ": "
      << data.train.size() << " train / " << data.validation.size() << " validation tokens, "
      << config.train.steps << " steps of " << config.tokens_per_step() << " tokens, " << threads
      << " threads\n";

  TrainOptions options;
  options.checkpoint_path = checkpoint_path;
  options.resume = resume;
  options.log = &err;
  options.interactive = stream_is_terminal(err);
  const TrainOutcome outcome = train_model(config, data, model, options);

  nlohmann::json result = result_header(command == "run" ? "run" : "train", config, threads, started);
  result["data"] = data.description;
  result["checkpoint"] = checkpoint_path;
  result["resumed_from_step"] = outcome.resumed_from;
  result["loss_curve"] = outcome.history["loss_curve"];
  result["validation_curve"] = outcome.history["validation_curve"];
  const nlohmann::json& last_val = outcome.history["validation_curve"].back();
  nlohmann::json metrics = {
      {"parameters", n_params},
      {"parameter_bytes", n_params * 4},
      {"optimizer_bytes", n_params * 8},
      {"kv_cache_bytes_per_token", config.model.kv_cache_bytes_per_token()},
      {"final_train_loss", outcome.history["loss_curve"].back()["loss"]},
      {"final_validation_loss", last_val["loss"]},
      {"train_seconds", outcome.history["train_seconds"]},
      {"train_tokens_per_second", outcome.seconds_this_session > 0
                                      ? outcome.tokens_this_session / outcome.seconds_this_session
                                      : 0.0},
  };
  if (command == "run") {
    const LossEstimate val = validation_loss(model, data.validation, config.eval.context,
                                             config.train.batch_size, config.eval.max_tokens);
    metrics["validation"] = loss_metrics(val, config.eval.context);
    out << config.name << ": validation loss " << fixed(val.loss, 4) << " (perplexity "
        << fixed(val.perplexity(), 3) << ", " << val.tokens << " tokens)\n";
  } else {
    out << config.name << ": validation loss " << fixed(last_val["loss"].get<double>(), 4) << " after "
        << config.train.steps << " steps\n";
  }
  metrics["peak_rss_bytes"] = peak_rss_bytes();
  result["metrics"] = metrics;
  write_result(result_path, result, started);
  out << config.name << ": result " << result_path << "\n";
  return 0;
}

int eval_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  Arguments a;
  if (!parse_arguments("eval", args, /*is_eval=*/true, a, err)) return 2;
  const auto started = std::chrono::system_clock::now();
  const ExperimentConfig config = load_experiment(a.config_path);
  const int threads = resolve_threads(a, config);
  tbb::global_control parallelism(tbb::global_control::max_allowed_parallelism, threads);
  const fs::path dir = a.out_dir.empty() ? fs::path("results") / config.name : fs::path(a.out_dir);
  const std::string checkpoint_path =
      a.checkpoint.empty() ? (dir / "checkpoint.safetensors").string() : a.checkpoint;

  Model<float> model(config.model, static_cast<uint64_t>(config.seed));
  const Checkpoint checkpoint = open_checkpoint(checkpoint_path);
  load_weights(checkpoint.file, model);
  const TrainingData data = load_training_data(config);
  const LossEstimate val = validation_loss(model, data.validation, config.eval.context,
                                           config.train.batch_size, config.eval.max_tokens);
  nlohmann::json result = result_header("eval", config, threads, started);
  result["data"] = data.description;
  result["checkpoint"] = checkpoint_path;
  result["checkpoint_step"] = checkpoint.state.step;
  result["metrics"] = {{"validation", loss_metrics(val, config.eval.context)},
                       {"parameters", model.parameter_count()}};
  const std::string result_path = (dir / "eval.json").string();
  write_result(result_path, result, started);
  out << config.name << ": validation loss " << fixed(val.loss, 4) << " (perplexity "
      << fixed(val.perplexity(), 3) << ", " << val.tokens << " tokens, checkpoint step "
      << checkpoint.state.step << ")\n"
      << config.name << ": result " << result_path << "\n";
  return 0;
}

}  // namespace ablate
