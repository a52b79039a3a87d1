// The model a scoring command scores (see scored_model.h).
#include "experiments/scored_model.h"

#include <filesystem>
#include <optional>
#include <ostream>

#include "experiments/sweep.h"
#include "harness/checkpoints/checkpoint.h"
#include "harness/checkpoints/checkpoint_formats.h"
#include "harness/checkpoints/experiment_inputs.h"
#include "harness/common/file_io.h"
#include "harness/common/result.h"
#include "harness/data/training_data.h"

namespace ablate {
namespace {

namespace fs = std::filesystem;

// --checkpoint, else DIR's own checkpoint, else model.from (when DIR holds none).
std::string scored_checkpoint(const ExperimentConfig& config, const std::string& dir, const std::string& checkpoint) {
  const std::string own = (fs::path(dir) / "checkpoint.safetensors").string();
  if (!checkpoint.empty()) return checkpoint;
  return config.model_from.empty() || fs::exists(own) ? own : config.model_from;
}

}  // namespace

std::vector<ScoredExperiment> scored_experiments(const CommandArguments& a, const std::string& kind, std::ostream& log) {
  const ConfigTree tree = load_config_tree(a.config_path);
  const std::string stem = fs::path(a.config_path).stem().string();
  if (!has_sweep(tree)) return {{parse_experiment(tree, stem, experiment_inputs_from_files()), a, nullptr}};
  if (!a.checkpoint.empty())
    throw ConfigError(a.config_path + ": --checkpoint names one checkpoint, and this file is a sweep (each point is "
                      "scored from its own DIR/POINT/checkpoint.safetensors)");
  const SweepPlan plan = plan_sweep(tree, stem);
  const std::string dir = output_dir(a, plan.name);
  std::vector<ScoredExperiment> points;
  for (const SweepPoint& point : plan.points) {
    CommandArguments args = a;
    args.out_dir = (fs::path(dir) / point.name).string();
    if (!fs::exists(fs::path(args.out_dir) / "checkpoint.safetensors") && point.config.model_from.empty()) {
      log << point.name << ": not trained yet (no " << args.out_dir << "/checkpoint.safetensors), left out\n";
      continue;
    }
    points.push_back({point.config, args, sweep_annotation(plan, point)});
  }
  if (points.empty())
    throw ConfigError(a.config_path + ": " + kind + ": no point of the sweep " + plan.name + " is trained in " + dir +
                      " (ablate run trains them)");
  log << plan.name << ": " << kind << " of " << points.size() << " of " << plan.points.size() << " points in " << dir << "\n";
  return points;
}

ScoredModel::ScoredModel(std::string kind, const ScoredExperiment& experiment, std::chrono::system_clock::time_point started,
                         std::ostream& log)
    : ScoredModel(std::move(kind), experiment.config, experiment.args, started, log) {
  if (!experiment.sweep.is_null()) result_["sweep"] = experiment.sweep;
}

ScoredModel::ScoredModel(std::string kind, const ExperimentConfig& config, const CommandArguments& a,
                         std::chrono::system_clock::time_point started, std::ostream& log)
    : config_(config),
      kind_(std::move(kind)),
      started_(started),
      threads_(resolve_threads(a, config.threads)),
      parallelism_(tbb::global_control::max_allowed_parallelism, threads_),
      dir_(output_dir(a, config.name)),
      model_(config.model, static_cast<uint64_t>(config.seed)),
      result_(result_header(kind_, config, threads_, started)) {
  model_.set_precision(parse_precision(config.precision));
  const std::string path = scored_checkpoint(config, dir_, a.checkpoint);
  result_["checkpoint"] = path;
  const CheckpointFormat format = fs::exists(path) ? detect_checkpoint_format(path) : CheckpointFormat::kAblate;
  if (format != CheckpointFormat::kAblate) {
    load_weights_from(path, model_);
    result_["checkpoint_step"] = nullptr;  // not trained here
    weights_ = std::string(format_name(format)) + " checkpoint";
  } else {
    const Checkpoint checkpoint = open_checkpoint(path);
    load_weights(checkpoint.file, model_);
    result_["checkpoint_step"] = checkpoint.state.step;
    weights_ = "checkpoint step " + std::to_string(checkpoint.state.step);
  }
  log << config.name << ": weights from " << path << "\n";
  // The model section came from model.from: how Ablate reads it, as `ablate convert` says.
  if (!config.model_from.empty()) print_checkpoint_notes(log, "ablate " + kind_, checkpoint_notes(config.model_from));
  create_output_directory(dir_);
}

void ScoredModel::evaluate(const EvaluationSections& sections, const std::vector<ChoiceItem>* choice_items,
                           std::ostream& out, std::ostream& log) {
  std::optional<TrainingData> data;
  const bool finetuning = (sections.extend || sections.passkey) && finetunes(config_.extend, config_.model);
  if (sections.validation || sections.extend || finetuning) {
    // Only fine-tuning trains: scoring a text shorter than one training window is fine.
    data = load_training_data(config_, finetuning);
    result_["data"] = data->description;
  }
  EvaluationInputs inputs;
  inputs.model = &model_;
  inputs.data = data ? &*data : nullptr;
  inputs.choice_items = choice_items;
  inputs.dir = dir_;
  inputs.weights = weights_;
  inputs.out = &out;
  inputs.log = &log;
  evaluate_sections(config_, sections, inputs, result_);
}

void ScoredModel::write_result(std::ostream& out) {
  const std::string path = (fs::path(dir_) / (kind_ + ".json")).string();
  ablate::write_result(path, result_, started_);
  out << config_.name << ": result " << path << "\n";
}

}  // namespace ablate
