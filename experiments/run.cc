// One experiment into one folder (see run.h).
#include "experiments/run.h"

#include <chrono>
#include <filesystem>
#include <ostream>
#include <sstream>

#include "experiments/evaluation_sections.h"
#include "harness/checkpoints/checkpoint.h"
#include "harness/checkpoints/checkpoint_formats.h"
#include "harness/checkpoints/experiment_inputs.h"
#include "harness/common/file_io.h"
#include "harness/common/format.h"
#include "harness/common/result.h"
#include "harness/common/run_info.h"
#include "harness/train/trainer.h"

namespace ablate {
namespace {

namespace fs = std::filesystem;

std::ostream& null_stream() {
  static std::ostringstream sink;
  sink.str("");
  return sink;
}

// Checks that RESULT_PATH holds a finished run of this config: ConfigError when it holds another
// config's, or cannot be read (a stale run is never passed off as this one).
void check_finished_run(const std::string& result_path, const ExperimentConfig& config) {
  nlohmann::json previous;
  try {
    previous = nlohmann::json::parse(read_whole_file(result_path));
  } catch (const std::exception& e) {
    throw ConfigError(result_path + " exists but cannot be read (" + e.what() +
                      "); --force runs the experiment again and replaces it");
  }
  nlohmann::json old_config = normalized_config(previous.value("config", nlohmann::json::object()), experiment_inputs_from_files()),
                 new_config = experiment_to_json(config);
  old_config.erase("threads");
  new_config.erase("threads");
  const std::vector<std::string> diffs = config_differences(old_config, new_config, "result", "config");
  if (!diffs.empty()) {
    std::string list;
    for (const auto& d : diffs) list += "\n  " + d;
    throw ConfigError(result_path + " holds a finished run of a different config:" + list +
                      "\n(--force replaces it; -o DIR writes elsewhere)");
  }
}

// Whether to continue the checkpoint at `checkpoint_path`: with --resume; without --resume or
// --force an unfinished run is refused (ConfigError), never silently replaced.
bool resume_checkpoint(const std::string& checkpoint_path, const ExperimentConfig& config, const RunRequest& request) {
  if (!fs::exists(checkpoint_path)) return false;
  if (request.resume) return true;
  if (!request.run.force) {
    const Checkpoint c = open_checkpoint(checkpoint_path);
    throw ConfigError(checkpoint_path + " holds an unfinished run (step " + std::to_string(c.state.step) + " of " +
                      std::to_string(config.train.steps) + "): pass --resume to continue it, or --force to start over");
  }
  return false;
}

}  // namespace

const char* run_kind_name(RunKind kind) { return kind == RunKind::kRun ? "run" : "train"; }

RunStatus run_experiment(const ExperimentConfig& config, const RunRequest& request) {
  const RunOptions& run = request.run;
  std::ostream& out = run.out ? *run.out : null_stream();
  const auto started = std::chrono::system_clock::now();
  const PeakRssScope peak_rss;  // this run's peak memory, though a sweep runs every point in one process
  const fs::path dir(run.dir);
  const std::string result_path = (dir / "result.json").string();
  const std::string checkpoint_path = (dir / "checkpoint.safetensors").string();
  // Half-written files of a run killed mid-write (never read: writes are temp file + rename).
  remove_stale_temporaries(dir.string());
  if (fs::exists(result_path) && !run.force) {
    check_finished_run(result_path, config);
    out << config.name << ": " << result_path << " exists, skipping (--force runs it again)\n";
    return RunStatus::kSkipped;
  }
  const bool resume = resume_checkpoint(checkpoint_path, config, request);

  const TrainingData data = load_training_data(config);
  const bool evaluate = run.kind == RunKind::kRun;
  const EvaluationSections sections = {evaluate, evaluate && config.extend.enabled, evaluate && config.choice.enabled};
  // The choice task is read before training, so that a bad task file fails now, not after it.
  const std::vector<ChoiceItem> choice_items = sections.choice ? load_choice_task(config.choice) : std::vector<ChoiceItem>{};
  create_output_directory(dir.string());
  // --force starts over: the old result goes before the first new checkpoint replaces the old
  // one, so an interrupted forced run is never mistaken for the finished one it replaces.
  if (run.force) fs::remove(result_path);
  Model<float> model(config.model, static_cast<uint64_t>(config.seed));
  if (!resume && !config.model_from.empty()) load_weights_from(config.model_from, model);  // fine-tuning
  const int64_t n_params = model.parameter_count();
  if (run.log)
    *run.log << config.name << ": " << n_params << " parameters, " << data.description << ": " << data.train.size()
             << " train / " << data.validation.size() << " validation tokens, " << config.train.steps << " steps of "
             << config.tokens_per_step() << " tokens, " << run.threads << " threads\n";

  TrainOptions options;
  options.checkpoint_path = checkpoint_path;
  options.resume = resume;
  options.log = run.log;
  options.interactive = run.interactive;
  const TrainOutcome outcome = train_model(config, data, model, options);

  nlohmann::json result = result_header(run_kind_name(run.kind), config, run.threads, started);
  for (auto it = request.annotations.begin(); it != request.annotations.end(); ++it) result[it.key()] = it.value();
  result["data"] = data.description;
  result["checkpoint"] = checkpoint_path;
  result["resumed_from_step"] = outcome.resumed_from;
  result["loss_curve"] = outcome.history["loss_curve"];
  result["validation_curve"] = outcome.history["validation_curve"];
  const nlohmann::json& last_val = outcome.history["validation_curve"].back();
  result["metrics"] = {
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
  if (!evaluate)
    out << config.name << ": validation loss " << format_fixed(last_val["loss"].get<double>(), 4) << " after "
        << config.train.steps << " steps\n";
  EvaluationInputs inputs;
  inputs.model = &model;
  inputs.data = &data;
  inputs.choice_items = &choice_items;
  inputs.dir = dir.string();
  inputs.out = &out;
  inputs.log = run.log;
  evaluate_sections(config, sections, inputs, result);
  result["metrics"]["peak_rss_bytes"] = peak_rss.peak_bytes();
  result["metrics"]["peak_rss_scope"] = peak_rss.scope();
  write_result(result_path, result, started);
  out << config.name << ": result " << result_path << "\n";
  return RunStatus::kCompleted;
}

}  // namespace ablate
