// The model `ablate eval`, `extend`, `choice` and `passkey` score, with the set-up the three share: the
// thread count (TBB's limit while it lives), the run folder, the weights, and the result that
// records them.
//
// The weights: --checkpoint (any format), else the run folder's own trained
// DIR/checkpoint.safetensors, else the model.from checkpoint the config was built on.
#pragma once

#include <oneapi/tbb/global_control.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <iosfwd>
#include <string>
#include <vector>

#include "components/model/model.h"
#include "experiments/command_arguments.h"
#include "experiments/evaluation_sections.h"
#include "harness/config/experiment_config.h"
#include "harness/eval/choice_task.h"

namespace ablate {

// One experiment a scoring command scores: its config, the command's arguments for it, and for a
// sweep point its sweep annotation (sweep.h; null otherwise).
struct ScoredExperiment {
  ExperimentConfig config;
  CommandArguments args;
  nlohmann::json sweep;
};

// What a scoring command (KIND: eval, extend, choice, passkey) scores: the config's one experiment, as
// the arguments say; or, for a sweep config, every trained point, each from its own folder
// (DIR/POINT, DIR = -o or results/SWEEP) and checkpoint, its result going there too. Points not
// trained yet are listed on `log` and left out; --checkpoint with a sweep is a ConfigError.
std::vector<ScoredExperiment> scored_experiments(const CommandArguments& a, const std::string& kind, std::ostream& log);

class ScoredModel {
 public:
  // kind: the result's "kind" and its file's stem ("eval": DIR/eval.json). Loads the weights,
  // logs "NAME: weights from PATH" on `log` and creates DIR; a sweep point's result records its
  // sweep annotation. `experiment` must outlive this.
  ScoredModel(std::string kind, const ScoredExperiment& experiment, std::chrono::system_clock::time_point started,
              std::ostream& log);

  Model<float>& model() { return model_; }
  // result_header, plus "checkpoint" and "checkpoint_step" (null for a checkpoint of another format).
  nlohmann::json& result() { return result_; }
  const std::string& dir() const { return dir_; }
  int threads() const { return threads_; }

  // evaluate_sections on the model, into the result; the training data is loaded first (and
  // recorded as "data") when the validation split, the extend: section or fine-tuning needs it. The
  // validation line ends with the weights' description.
  void evaluate(const EvaluationSections& sections, const std::vector<ChoiceItem>* choice_items, std::ostream& out,
                std::ostream& log);

  // Writes the result to DIR/KIND.json and prints "NAME: result PATH" on `out`.
  void write_result(std::ostream& out);

 private:
  ScoredModel(std::string kind, const ExperimentConfig& config, const CommandArguments& a,
              std::chrono::system_clock::time_point started, std::ostream& log);

  const ExperimentConfig& config_;
  std::string kind_;
  std::chrono::system_clock::time_point started_;
  int threads_;
  tbb::global_control parallelism_;
  std::string dir_;
  Model<float> model_;
  nlohmann::json result_;
  std::string weights_;  // for the validation line: "checkpoint step 120", "llama2c checkpoint"
};

}  // namespace ablate
