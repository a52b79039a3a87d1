// Evaluating a trained or loaded model on the config's evaluation sections, into its result:
// the validation split (`ablate run`, `ablate eval`), the extend: section (`run`, `extend`), the
// choice: task (`run`, `choice`) and the passkey: section (`run`, `passkey`). The fields each writes: docs/results.md.
#pragma once

#include <nlohmann/json.hpp>

#include <iosfwd>
#include <string>
#include <vector>

#include "components/model/model.h"
#include "harness/config/experiment_config.h"
#include "harness/data/training_data.h"
#include "harness/eval/choice_task.h"

namespace ablate {

struct EvaluationSections {
  bool validation = false;  // metrics.validation, and "NAME: validation loss ..." on out
  bool extend = false;      // extend (fine-tuned checkpoints go to DIR)
  bool choice = false;      // choice, DIR/choice_items.jsonl, and the accuracy line on out
  bool passkey = false;     // passkey (with extend: in the same call, extend's fine-tuned models), its line on out
};

struct EvaluationInputs {
  Model<float>* model = nullptr;
  const TrainingData* data = nullptr;                     // validation, extend, passkey fine-tuning
  const std::vector<ChoiceItem>* choice_items = nullptr;  // choice (load_choice_task)
  std::string dir;                                        // the run folder
  std::string weights;  // when set, ends the validation line: "(perplexity ..., N tokens, WEIGHTS)"
  std::ostream* out = nullptr;  // summary lines
  std::ostream* log = nullptr;  // progress
};

// Runs validation, extend, passkey, choice, writing their fields into `result`.
void evaluate_sections(const ExperimentConfig& config, const EvaluationSections& sections,
                       const EvaluationInputs& inputs, nlohmann::json& result);

}  // namespace ablate
