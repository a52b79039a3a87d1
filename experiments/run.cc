// One experiment into one folder (see experiment_runner.h).
#include "experiments/run.h"

#include <chrono>
#include <filesystem>
#include <ostream>
#include <sstream>

#include "experiments/choice.h"
#include "experiments/extend.h"
#include "harness/checkpoints/checkpoint.h"
#include "harness/checkpoints/checkpoint_formats.h"
#include "harness/common/file_io.h"
#include "harness/common/progress.h"
#include "harness/common/result.h"
#include "harness/common/run_info.h"
#include "harness/eval/validation_loss.h"
#include "harness/train/trainer.h"

namespace ablate {
namespace {

namespace fs = std::filesystem;

std::ostream& null_stream() {
  static std::ostringstream sink;
  sink.str("");
  return sink;
}

}  // namespace

RunStatus run_experiment(const ExperimentConfig& config, const RunRequest& request) {
  std::ostream& out = request.out ? *request.out : null_stream();
  const auto started = std::chrono::system_clock::now();
  const fs::path dir(request.dir);
  const std::string result_path = (dir / "result.json").string();
  const std::string checkpoint_path = (dir / "checkpoint.safetensors").string();
  // Half-written files of a run killed mid-write (never read: writes are temp file + rename).
  remove_stale_temporaries(dir.string());
  if (fs::exists(result_path) && !request.force) {
    // A finished run is skipped only if it is this config's; a stale one is never passed off as it.
    nlohmann::json previous;
    try {
      previous = nlohmann::json::parse(read_whole_file(result_path));
    } catch (const std::exception& e) {
      throw ConfigError(result_path + " exists but cannot be read (" + e.what() +
                        "); --force runs the experiment again and replaces it");
    }
    nlohmann::json old_config = previous.value("config", nlohmann::json::object()), new_config = experiment_to_json(config);
    old_config.erase("threads");
    new_config.erase("threads");
    const std::vector<std::string> diffs = config_differences(old_config, new_config, "result", "config");
    if (!diffs.empty()) {
      std::string list;
      for (const auto& d : diffs) list += "\n  " + d;
      throw ConfigError(result_path + " holds a finished run of a different config:" + list +
                        "\n(--force replaces it; -o DIR writes elsewhere)");
    }
    out << config.name << ": " << result_path << " exists, skipping (--force runs it again)\n";
    return RunStatus::kSkipped;
  }
  bool resume = false;
  if (fs::exists(checkpoint_path)) {
    if (request.resume) {
      resume = true;
    } else if (!request.force) {
      const Checkpoint c = open_checkpoint(checkpoint_path);
      throw ConfigError(checkpoint_path + " holds an unfinished run (step " + std::to_string(c.state.step) +
                        " of " + std::to_string(config.train.steps) +
                        "): pass --resume to continue it, or --force to start over");
    }
  }

  const TrainingData data = load_training_data(config);
  // The choice task is read before training, so that a bad task file fails now, not after it.
  const bool run_choice = request.kind == "run" && config.choice.enabled;
  const std::vector<ChoiceItem> choice_items = run_choice ? load_choice_task(config.choice) : std::vector<ChoiceItem>{};
  create_output_directory(dir.string());
  // --force starts over: the old result goes before the first new checkpoint replaces the old
  // one, so an interrupted forced run is never mistaken for the finished one it replaces.
  if (request.force) fs::remove(result_path);
  Model<float> model(config.model, static_cast<uint64_t>(config.seed));
  if (!resume && !config.model_from.empty()) load_weights_from(config.model_from, model);  // fine-tuning
  const int64_t n_params = model.parameter_count();
  if (request.log)
    *request.log << config.name << ": " << n_params << " parameters, " << data.description << ": "
                 << data.train.size() << " train / " << data.validation.size() << " validation tokens, "
                 << config.train.steps << " steps of " << config.tokens_per_step() << " tokens, "
                 << request.threads << " threads\n";

  TrainOptions options;
  options.checkpoint_path = checkpoint_path;
  options.resume = resume;
  options.log = request.log;
  options.interactive = request.interactive;
  const TrainOutcome outcome = train_model(config, data, model, options);

  nlohmann::json result = result_header(request.kind, config, request.threads, started);
  for (auto it = request.annotations.begin(); it != request.annotations.end(); ++it) result[it.key()] = it.value();
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
  if (request.kind == "run") {
    const LossEstimate val = validation_loss(model, data.validation, config.eval.context,
                                             config.train.batch_size, config.eval.max_tokens);
    metrics["validation"] = loss_summary(val, config.eval.context);
    out << config.name << ": validation loss " << format_fixed(val.loss, 4) << " (perplexity "
        << format_fixed(val.perplexity(), 3) << ", " << val.tokens << " tokens)\n";
  } else {
    out << config.name << ": validation loss " << format_fixed(last_val["loss"].get<double>(), 4) << " after "
        << config.train.steps << " steps\n";
  }
  if (request.kind == "run" && config.extend.enabled) {
    const TokenSource text = extension_text(config, data);
    ExtensionInputs inputs;
    inputs.trained = &model;
    inputs.text = &text;
    inputs.data = &data;
    inputs.finetune_dir = dir.string();
    inputs.log = request.log;
    result["extend"] = run_extension(config, inputs);
  }
  if (run_choice) {
    const ChoiceEvaluation choice = evaluate_choice(config, model, choice_items);
    write_choice_items((dir / "choice_items.jsonl").string(), choice.items);
    result["choice"] = choice.summary;
    out << config.name << ": " << format_choice_summary(choice.summary) << "\n";
  }
  metrics["peak_rss_bytes"] = peak_rss_bytes();
  result["metrics"] = metrics;
  write_result(result_path, result, started);
  out << config.name << ": result " << result_path << "\n";
  return RunStatus::kCompleted;
}

}  // namespace ablate
