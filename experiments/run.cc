// One experiment into one folder (see run.h).
#include "experiments/run.h"

#include <chrono>
#include <filesystem>
#include <ostream>
#include <sstream>

#include "experiments/evaluation_sections.h"
#include "experiments/passkey.h"
#include "experiments/run_folder.h"
#include "harness/checkpoints/checkpoint.h"
#include "harness/checkpoints/checkpoint_formats.h"
#include "harness/checkpoints/experiment_inputs.h"
#include "harness/common/file_io.h"
#include "harness/common/folder_lock.h"
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

// The sections that only evaluate a trained model: changing them needs no training.
const char* const kEvaluationSections[] = {"eval", "extend", "choice", "passkey", "bench"};

// What a finished run (RESULT_PATH) lacks for this config: nothing, or some evaluation sections
// (`sections`). ConfigError when the training itself differs (a different run: never passed off
// as this one) or the result cannot be read.
struct FinishedRun {
  nlohmann::json result;
  EvaluationSections sections;  // what to evaluate again
  std::vector<std::string> changed;  // their names, for the message
  bool up_to_date() const { return changed.empty(); }
};

FinishedRun compare_finished_run(const std::string& result_path, const ExperimentConfig& config, RunKind kind) {
  FinishedRun run;
  try {
    run.result = nlohmann::json::parse(read_whole_file(result_path));
  } catch (const std::exception& e) {
    throw ConfigError(result_path + " exists but cannot be read (" + e.what() +
                      "); --force runs the experiment again and replaces it");
  }
  nlohmann::json old_config = normalized_config(run.result.value("config", nlohmann::json::object()), experiment_inputs_from_files()),
                 new_config = experiment_to_json(config);
  old_config.erase("threads");
  new_config.erase("threads");
  nlohmann::json old_training = old_config, new_training = new_config;
  for (const char* section : kEvaluationSections) {
    old_training.erase(section);
    new_training.erase(section);
  }
  const std::vector<std::string> diffs = config_differences(old_training, new_training, "result", "config");
  if (!diffs.empty()) {
    std::string list;
    for (const auto& d : diffs) list += "\n  " + d;
    throw ConfigError(result_path + " holds a finished run of a different config:" + list +
                      "\n(--force replaces it; -o DIR writes elsewhere)");
  }
  // Only `run` evaluates; a `train` result has nothing of these sections to bring up to date.
  if (kind != RunKind::kRun || run.result.value("kind", "") != "run") return run;
  auto changed = [&](const char* section) { return old_config.value(section, nlohmann::json()) != new_config.value(section, nlohmann::json()); };
  run.sections = {changed("eval"), changed("extend") && config.extend.enabled, changed("choice") && config.choice.enabled,
                  changed("passkey") && config.passkey.enabled};
  for (const char* section : {"eval", "extend", "choice", "passkey"})
    if (changed(section)) run.changed.push_back(section);
  return run;
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

namespace {

// What the evaluation sections score, and where their files and lines go.
EvaluationInputs evaluation_inputs(Model<float>& model, const TrainingData& data, const std::vector<ChoiceItem>& choice_items,
                                   const fs::path& dir, const RunOptions& run) {
  EvaluationInputs inputs;
  inputs.model = &model;
  inputs.data = &data;
  inputs.choice_items = &choice_items;
  inputs.dir = dir.string();
  inputs.out = run.out ? run.out : &null_stream();
  inputs.log = run.log;
  return inputs;
}

// Brings a finished run's result up to date with the evaluation sections of `config` that
// changed, from its final checkpoint: the training (checkpoint, curves) stays as it is, the
// unchanged sections keep their figures, and the result records the re-evaluation.
void evaluate_finished_run(const ExperimentConfig& config, const RunRequest& request, FinishedRun& finished) {
  const RunOptions& run = request.run;
  std::ostream& out = run.out ? *run.out : null_stream();
  const fs::path dir(run.dir);
  std::string changed;
  for (const auto& c : finished.changed) changed += (changed.empty() ? "" : ", ") + c;
  out << config.name << ": " << (dir / "result.json").string() << " is a finished run; evaluating what changed ("
      << changed << ") from its checkpoint, without training\n";
  const std::string checkpoint_path = (dir / "checkpoint.safetensors").string();
  const Checkpoint checkpoint = open_checkpoint(checkpoint_path);
  if (checkpoint.state.step != config.train.steps)
    throw ConfigError(checkpoint_path + ": holds step " + std::to_string(checkpoint.state.step) + ", not the finished run's " +
                      std::to_string(config.train.steps) + " steps; --force runs the experiment again");
  const TrainingData data = load_training_data(config);
  const std::vector<ChoiceItem> choice_items =
      finished.sections.choice ? load_choice_task(config.choice) : std::vector<ChoiceItem>{};
  Model<float> model(config.model, static_cast<uint64_t>(config.seed));
  model.set_precision(parse_precision(config.precision));
  load_weights_from(checkpoint_path, model);

  nlohmann::json& result = finished.result;
  result["config"] = experiment_to_json(config);
  if (!config.extend.enabled) result.erase("extend");
  if (!config.choice.enabled) result.erase("choice");
  if (!config.passkey.enabled) result.erase("passkey");
  evaluate_sections(config, finished.sections, evaluation_inputs(model, data, choice_items, dir, run), result);
  nlohmann::json& history = result["reevaluated"];
  if (!history.is_array()) history = nlohmann::json::array();
  history.push_back({{"at", iso8601_utc(std::chrono::system_clock::now())}, {"sections", finished.changed}});
  const std::string text = result.dump(2) + "\n";
  write_file_atomically((dir / "result.json").string(), {{text.data(), text.size()}});
  out << config.name << ": result " << (dir / "result.json").string() << "\n";
}

// run_experiment with DIR locked and settled. `attempted` turns true once the folder's state
// allows the run (it is not skipped or refused) and the attempt begins.
RunStatus run_in_locked_folder(const ExperimentConfig& config, const RunRequest& request, bool& attempted) {
  const RunOptions& run = request.run;
  std::ostream& out = run.out ? *run.out : null_stream();
  const auto started = std::chrono::system_clock::now();
  const PeakRssScope peak_rss;  // this run's peak memory, though a sweep runs every point in one process
  const fs::path dir(run.dir);
  const std::string result_path = (dir / "result.json").string();
  const std::string checkpoint_path = (dir / "checkpoint.safetensors").string();
  if (fs::exists(result_path) && !run.force) {
    FinishedRun finished = compare_finished_run(result_path, config, run.kind);
    if (finished.up_to_date()) {
      out << config.name << ": " << result_path << " exists, skipping (--force runs it again)\n";
      return RunStatus::kSkipped;
    }
    attempted = true;
    evaluate_finished_run(config, request, finished);
    return RunStatus::kCompleted;
  }
  const bool resume = resume_checkpoint(checkpoint_path, config, request);
  attempted = true;

  const TrainingData data = load_training_data(config);
  const bool evaluate = run.kind == RunKind::kRun;
  const EvaluationSections sections = {evaluate, evaluate && config.extend.enabled, evaluate && config.choice.enabled,
                                       evaluate && config.passkey.enabled};
  // The choice task is read before training, so that a bad task file fails now, not after it.
  const std::vector<ChoiceItem> choice_items = sections.choice ? load_choice_task(config.choice) : std::vector<ChoiceItem>{};
  if (sections.passkey) check_passkey_section(config);  // so does a bad passkey filler
  // --force starts over in DIR/.incoming, so the previous result (and its checkpoint) stay as
  // they are until the new run is complete (run_folder.h).
  const fs::path work = run.force ? fs::path(incoming_dir(dir.string())) : dir;
  create_output_directory(work.string());
  Model<float> model(config.model, static_cast<uint64_t>(config.seed));
  model.set_precision(parse_precision(config.precision));
  if (!resume && !config.model_from.empty()) load_weights_from(config.model_from, model);  // fine-tuning
  const int64_t n_params = model.parameter_count();
  if (run.log)
    *run.log << config.name << ": " << n_params << " parameters, " << data.description << ": " << data.train.size()
             << " train / " << data.validation.size() << " validation tokens, " << config.train.steps << " steps of "
             << config.tokens_per_step() << " tokens, " << run.threads << " threads\n";

  TrainOptions options;
  options.checkpoint_path = (work / "checkpoint.safetensors").string();
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
  evaluate_sections(config, sections, evaluation_inputs(model, data, choice_items, work, run), result);
  result["metrics"]["peak_rss_bytes"] = peak_rss.peak_bytes();
  result["metrics"]["peak_rss_scope"] = peak_rss.scope();
  write_result((work / "result.json").string(), result, started);
  if (run.force) commit_incoming(dir.string());
  out << config.name << ": result " << result_path << "\n";
  return RunStatus::kCompleted;
}

}  // namespace

RunStatus run_experiment(const ExperimentConfig& config, const RunRequest& request) {
  const std::string dir = request.run.dir;
  const FolderLock lock(dir, std::string("ablate ") + run_kind_name(request.run.kind) + " of " + config.name);
  if (!lock.held() && request.run.log)
    *request.run.log << config.name << ": warning: " << lock.path()
                     << ": this filesystem has no locks; make sure no other process writes to " << dir << "\n";
  bool attempted = false;
  try {
    // Half-written files of a process killed mid-write (never read: writes are temp file + rename).
    remove_stale_temporaries(dir);
    settle_incoming(dir);
    const RunStatus status = run_in_locked_folder(config, request, attempted);
    if (status == RunStatus::kCompleted) remove_failure_record(dir);
    return status;
  } catch (const std::exception& e) {
    // A refusal (a finished run of another config, an unfinished one without --resume) changes
    // nothing. A failed attempt is recorded where there is no finished result (a failed --force
    // attempt on a finished run leaves that run's folder exactly as it was, its work discarded).
    if (attempted) {
      if (request.run.force) discard_incoming(dir);
      if (!fs::exists(fs::path(dir) / "result.json")) write_failure_record(dir, e.what());
    }
    throw;
  }
}

}  // namespace ablate
