// Evaluating a model on the config's evaluation sections (see evaluation_sections.h).
#include "experiments/evaluation_sections.h"

#include <ostream>

#include "experiments/choice.h"
#include "experiments/extend.h"
#include "harness/common/format.h"
#include "harness/eval/validation_loss.h"

namespace ablate {

void evaluate_sections(const ExperimentConfig& config, const EvaluationSections& sections,
                       const EvaluationInputs& in, nlohmann::json& result) {
  if (sections.validation) {
    const LossEstimate val = validation_loss(*in.model, in.data->validation, config.eval.context,
                                             config.train.batch_size, config.eval.max_tokens);
    result["metrics"]["validation"] = loss_summary(val, config.eval.context);
    *in.out << config.name << ": validation loss " << format_fixed(val.loss, 4) << " (perplexity "
            << format_fixed(val.perplexity(), 3) << ", " << val.tokens << " tokens"
            << (in.weights.empty() ? "" : ", " + in.weights) << ")\n";
  }
  if (sections.extend) {
    const TokenSource text = extension_text(config, *in.data);
    ExtensionInputs inputs;
    inputs.trained = in.model;
    inputs.text = &text;
    inputs.data = in.data;
    inputs.finetune_dir = in.dir;
    inputs.log = in.log;
    result["extend"] = run_extension(config, inputs);
  }
  if (sections.choice) {
    const ChoiceEvaluation choice = evaluate_choice(config, *in.model, *in.choice_items);
    write_choice_items(choice_items_path(in.dir), choice.items);
    result["choice"] = choice.summary;
    *in.out << config.name << ": " << format_choice_summary(choice.summary) << "\n";
  }
}

}  // namespace ablate
