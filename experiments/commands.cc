// The experiment commands (see experiment_commands.h).
#include "experiments/commands.h"

#include <oneapi/tbb/global_control.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <ostream>
#include <sstream>

#include "experiments/choice.h"
#include "experiments/command_arguments.h"
#include "experiments/extend.h"
#include "experiments/run.h"
#include "experiments/sweep.h"
#include "harness/checkpoints/checkpoint.h"
#include "harness/checkpoints/checkpoint_formats.h"
#include "harness/common/file_io.h"
#include "harness/common/progress.h"
#include "harness/common/result.h"
#include "harness/common/run_info.h"
#include "harness/data/training_data.h"
#include "harness/eval/validation_loss.h"

namespace ablate {
namespace {

namespace fs = std::filesystem;

}  // namespace

int train_command(const std::string& command, const std::vector<std::string>& args, std::ostream& out,
                  std::ostream& err) {
  CommandArguments a;
  if (!parse_command_arguments(command, args, {/*checkpoint=*/false, /*resume_force=*/true}, a, err)) return 2;
  const ConfigTree tree = load_config_tree(a.config_path);
  const std::string stem = fs::path(a.config_path).stem().string();
  if (has_sweep(tree)) {
    const SweepPlan plan = plan_sweep(tree, stem);
    const int threads = resolve_threads(a, plan.points.front().config.threads);
    tbb::global_control parallelism(tbb::global_control::max_allowed_parallelism, threads);
    SweepOptions options;
    options.dir = output_dir(a, plan.name);
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
  const int threads = resolve_threads(a, config.threads);
  tbb::global_control parallelism(tbb::global_control::max_allowed_parallelism, threads);
  RunRequest request;
  request.dir = output_dir(a, config.name);
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
  CommandArguments a;
  if (!parse_command_arguments(command, args, {/*checkpoint=*/true, /*resume_force=*/false}, a, err)) return 2;
  const auto started = std::chrono::system_clock::now();
  const ExperimentConfig config = load_experiment(a.config_path, command, "`ablate run` evaluates each point");
  if (command == "extend" && !config.extend.enabled)
    throw ConfigError(a.config_path + ": extend: the config has no `extend:` section (lengths and methods)");
  if (command == "choice" && !config.choice.enabled)
    throw ConfigError(a.config_path + ": no `choice:` section, so there is no task to score; add one, e.g. "
                      "`choice: {task: synthetic, items: 500}` or `choice: {task: hellaswag.jsonl, format: hellaswag}`");
  // A bad task file fails before the model loads.
  const std::vector<ChoiceItem> items = command == "choice" ? load_choice_task(config.choice) : std::vector<ChoiceItem>{};
  const int threads = resolve_threads(a, config.threads);
  tbb::global_control parallelism(tbb::global_control::max_allowed_parallelism, threads);
  const fs::path dir = output_dir(a, config.name);
  // The weights: --checkpoint (any format), else this config's own trained checkpoint, else the
  // model.from checkpoint the config was built on.
  const std::string own = (dir / "checkpoint.safetensors").string();
  const std::string checkpoint_path = !a.checkpoint.empty()                           ? a.checkpoint
                                      : config.model_from.empty() || fs::exists(own) ? own
                                                                                      : config.model_from;

  Model<float> model(config.model, static_cast<uint64_t>(config.seed));
  nlohmann::json result = result_header(command, config, threads, started);
  result["checkpoint"] = checkpoint_path;
  std::string weights;  // for the summary line
  const CheckpointFormat format =
      fs::exists(checkpoint_path) ? detect_checkpoint_format(checkpoint_path) : CheckpointFormat::kAblate;
  if (format != CheckpointFormat::kAblate) {
    load_weights_from(checkpoint_path, model);
    result["checkpoint_step"] = nullptr;  // not trained here
    weights = std::string(format_name(format)) + " checkpoint";
  } else {
    const Checkpoint checkpoint = open_checkpoint(checkpoint_path);
    load_weights(checkpoint.file, model);
    result["checkpoint_step"] = checkpoint.state.step;
    weights = "checkpoint step " + std::to_string(checkpoint.state.step);
  }
  err << config.name << ": weights from " << checkpoint_path << "\n";
  create_output_directory(dir.string());
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
        << format_fixed(val.perplexity(), 3) << ", " << val.tokens << " tokens, "
        << weights << ")\n";
  } else {
    const TokenSource text = extension_text(config, data);
    ExtensionInputs inputs;
    inputs.trained = &model;
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
