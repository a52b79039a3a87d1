// The training loop (see trainer.h).
#include "harness/train/trainer.h"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <ostream>
#include <sstream>

#include "components/core/cross_entropy.h"
#include "components/core/random.h"
#include "harness/checkpoints/checkpoint.h"
#include "harness/checkpoints/experiment_inputs.h"
#include "harness/common/progress.h"
#include "harness/data/batch_loader.h"
#include "harness/eval/validation_loss.h"
#include "harness/train/lr_schedule.h"
#include "harness/train/optimizer.h"

namespace ablate {
namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// Fields that do not change the training trajectory may differ on resume.
json training_fields(json config) {
  config.erase("threads");
  config.erase("name");
  config.erase("eval");
  config.erase("choice");
  config.erase("extend");
  config.erase("bench");
  return config;
}

// Resuming: the checkpoint's training config must equal `config`'s (a ConfigError listing every
// difference otherwise); then its weights, AdamW moments and loader position replace the fresh ones.
TrainingState resume_from_checkpoint(const std::string& path, const ExperimentConfig& config, Model<float>& model,
                                     AdamW& optimizer, BatchLoader& loader) {
  const Checkpoint checkpoint = open_checkpoint(path);
  const std::vector<std::string> diffs = config_differences(
      training_fields(normalized_config(checkpoint.config, experiment_inputs_from_files())), training_fields(experiment_to_json(config)), "checkpoint",
      "config");
  if (!diffs.empty()) {
    std::string list;
    for (const auto& d : diffs) list += "\n  " + d;
    throw ConfigError(path + ": cannot resume: the checkpoint was trained with a different config:" + list);
  }
  load_weights(checkpoint.file, model);
  load_optimizer(checkpoint.file, model, optimizer, checkpoint.state.optimizer_steps);
  const TrainingState state = checkpoint.state;
  if (state.step > config.train.steps)
    throw ConfigError(path + ": checkpoint is at step " + std::to_string(state.step) +
                      ", past train.steps=" + std::to_string(config.train.steps));
  loader.seek(state.batches_drawn);
  return state;
}

// The progress display on options.log, or none when there is no log.
std::unique_ptr<Progress> start_progress(const ExperimentConfig& config, const TrainOptions& options,
                                         const TrainOutcome& outcome, int64_t step) {
  if (!options.log) return nullptr;
  auto progress = std::make_unique<Progress>(*options.log, config.name, config.train.steps, options.interactive);
  if (outcome.resumed_from > 0)
    progress->message("resuming " + config.name + " from " + options.checkpoint_path + " at step " +
                      std::to_string(step));
  progress->start(step);
  return progress;
}

// After a step: what a checkpoint saves to resume from it, and the loss curve's point.
void record_step(TrainingState& state, const BatchLoader& loader, const AdamW& optimizer, int64_t tokens_per_step,
                 double loss, double lr, double grad_norm) {
  state.step += 1;
  state.batches_drawn = loader.position();
  state.optimizer_steps = optimizer.steps_taken();
  state.history["loss_curve"].push_back({{"step", state.step}, {"loss", loss}, {"lr", lr}, {"grad_norm", grad_norm},
                                         {"tokens", state.step * tokens_per_step}});
}

// The end of every TrainingError: whether the checkpoint at `path` survives.
std::string checkpoint_note(const std::string& path) {
  return std::filesystem::exists(path) ? "; the last checkpoint " + path + " is intact"
                                       : std::string("; no checkpoint was written yet");
}

// Step `step` (1-based) computed a non-finite loss.
TrainingError non_finite_loss(int64_t step, double loss, double lr, const std::string& checkpoint_path) {
  std::ostringstream o;
  o << "step " << step << ": training loss is " << loss << " (lr " << lr << ")" << checkpoint_note(checkpoint_path);
  return TrainingError(o.str());
}

// Step `step` (1-based) computed a non-finite gradient norm; the optimizer did not apply it.
TrainingError non_finite_gradient(int64_t step, const ParameterList<float>& params, double grad_norm, double loss,
                                  const std::string& checkpoint_path) {
  std::ostringstream o;
  o << "step " << step << ": gradient of " << first_non_finite(params) << " is not finite (norm " << grad_norm
    << ", loss " << loss << "); the step was not applied" << checkpoint_note(checkpoint_path);
  return TrainingError(o.str());
}

std::string validation_message(int64_t step, const LossEstimate& val) {
  return "step " + std::to_string(step) + ": validation loss " + format_fixed(val.loss, 4) + " (" +
         std::to_string(val.tokens) + " tokens)";
}

// The progress line after a step: its loss and rate, this session's throughput, and the last
// validation loss once there is one.
std::vector<std::pair<std::string, std::string>> progress_fields(double loss, double lr, const TrainOutcome& outcome,
                                                                 double last_val) {
  const double rate = outcome.seconds_this_session > 0
                          ? static_cast<double>(outcome.tokens_this_session) / outcome.seconds_this_session
                          : 0.0;
  std::ostringstream lr_text;
  lr_text << lr;
  std::vector<std::pair<std::string, std::string>> fields = {
      {"loss", format_fixed(loss, 4)}, {"lr", lr_text.str()}, {"", format_rate(rate) + " tok/s"}};
  if (std::isfinite(last_val)) fields.push_back({"val", format_fixed(last_val, 4)});
  return fields;
}

}  // namespace

uint64_t batch_seed(int64_t seed) {
  Rng rng(static_cast<uint64_t>(seed) ^ 0xD1B54A32D192ED03ull);
  return rng.next_u64();
}

TrainOutcome train_model(const ExperimentConfig& config, const TrainingData& data,
                         Model<float>& model, const TrainOptions& options) {
  const TrainConfig& tc = config.train;
  const int64_t B = tc.batch_size, T = tc.context, V = config.model.vocab_size;
  const LrSchedule schedule{tc.lr, tc.warmup, tc.steps, tc.min_lr_ratio};
  schedule.validate();
  AdamW optimizer(AdamWConfig{tc.lr, tc.beta1, tc.beta2, tc.eps, tc.weight_decay, tc.grad_clip});
  BatchLoader loader(data.train, B, T, batch_seed(config.seed));
  TrainingState state;
  state.history = {{"loss_curve", json::array()}, {"validation_curve", json::array()},
                   {"train_seconds", 0.0}};
  TrainOutcome outcome;
  if (options.resume) {
    state = resume_from_checkpoint(options.checkpoint_path, config, model, optimizer, loader);
    outcome.resumed_from = state.step;
  }

  const std::unique_ptr<Progress> progress = start_progress(config, options, outcome, state.step);

  CrossEntropy<float> ce;
  std::vector<int32_t> inputs, targets;
  std::vector<float> dlogits(static_cast<size_t>(B * T * V));
  json& validation_curve = state.history["validation_curve"];
  double train_seconds = state.history.value("train_seconds", 0.0);
  double last_val = NAN;

  while (state.step < tc.steps) {
    const auto step_start = Clock::now();
    const int64_t step = state.step;  // 0-based index of this step
    const double lr = schedule.at(step);
    model.zero_grad();
    double loss = 0;
    for (int64_t micro = 0; micro < tc.accumulation; ++micro) {
      loader.next(inputs, targets);
      const Tensor<float>& logits = model.forward(inputs.data(), B, T);
      const double micro_loss = ce.forward(logits.ptr(), targets.data(), B * T, V);
      if (!std::isfinite(micro_loss)) throw non_finite_loss(step + 1, micro_loss, lr, options.checkpoint_path);
      loss += micro_loss / static_cast<double>(tc.accumulation);
      ce.backward(dlogits.data());
      model.backward(dlogits.data());
    }
    ParameterList<float> params = model.parameters();
    if (tc.accumulation > 1) scale_gradients(params, 1.0 / static_cast<double>(tc.accumulation));
    const double grad_norm = optimizer.step(params, lr);
    if (!std::isfinite(grad_norm))
      throw non_finite_gradient(step + 1, params, grad_norm, loss, options.checkpoint_path);

    const double step_seconds = seconds_since(step_start);
    record_step(state, loader, optimizer, config.tokens_per_step(), loss, lr, grad_norm);
    train_seconds += step_seconds;
    state.history["train_seconds"] = train_seconds;
    outcome.seconds_this_session += step_seconds;
    outcome.tokens_this_session += config.tokens_per_step();

    const bool last = state.step == tc.steps;
    if ((tc.eval_every > 0 && state.step % tc.eval_every == 0) || last) {
      const LossEstimate val = validation_loss(model, data.validation, T, B, tc.eval_tokens);
      last_val = val.loss;
      validation_curve.push_back({{"step", state.step}, {"loss", val.loss}, {"tokens", val.tokens}});
      if (progress) progress->message(validation_message(state.step, val));
    }
    if ((tc.checkpoint_every > 0 && state.step % tc.checkpoint_every == 0) || last)
      save_checkpoint(options.checkpoint_path, model, &optimizer, config, state);
    if (progress) progress->update(state.step, progress_fields(loss, lr, outcome, last_val));
  }
  if (progress) progress->finish();
  outcome.history = state.history;
  return outcome;
}

}  // namespace ablate
