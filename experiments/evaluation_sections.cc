// Evaluating a model on the config's evaluation sections (see evaluation_sections.h).
#include "experiments/evaluation_sections.h"

#include <ostream>
#include <stdexcept>

#include "experiments/choice.h"
#include "experiments/extend.h"
#include "experiments/passkey.h"
#include "harness/common/errors.h"
#include "harness/common/format.h"
#include "harness/eval/perplexity.h"
#include "harness/eval/perplexity_summary.h"
#include "harness/tokenizers/factory.h"

namespace ablate {

void evaluate_sections(const ExperimentConfig& config, const EvaluationSections& sections,
                       const EvaluationInputs& in, nlohmann::json& result) {
  if (sections.validation) {
    // The same options and text cut as an extend: point at length eval.context, so the two agree.
    const EvalConfig& e = config.eval;
    const std::unique_ptr<Tokenizer> tokenizer = make_tokenizer(config.data.tokenizer);
    const PerplexityOptions options = windowing_options(e.windowing, e.context, e.stride, e.max_tokens, *tokenizer);
    const TokenSource& text = in.data->validation;
    PerplexityResult val;
    try {
      val = evaluate_perplexity(*in.model, text, options);
    } catch (const std::invalid_argument& error) {  // a text the windowing cannot score
      throw DataError("eval.windowing " + e.windowing + " at eval.context " + std::to_string(e.context) +
                      " on the validation split: " + error.what());
    }
    nlohmann::json summary = perplexity_summary(val, options, scored_text_size(text, options, *tokenizer));
    summary["context"] = e.context;
    result["metrics"]["validation"] = summary;
    *in.out << config.name << ": validation loss " << format_fixed(val.loss(), 4) << " (perplexity "
            << format_fixed(val.perplexity(), 3) << ", " << val.tokens << " tokens"
            << (e.windowing == "disjoint" ? "" : ", " + e.windowing) << (in.weights.empty() ? "" : ", " + in.weights)
            << ")\n";
  }
  // extend:'s fine-tuned models, scored by passkey: too (each method fine-tuned once).
  FinetunedModels finetuned;
  if (sections.extend) {
    const TokenSource text = extension_text(config, *in.data);
    ExtensionInputs inputs;
    inputs.trained = in.model;
    inputs.text = &text;
    inputs.data = in.data;
    inputs.finetune_dir = in.dir;
    inputs.finetuned = &finetuned;
    inputs.log = in.log;
    result["extend"] = run_extension(config, inputs);
  }
  if (sections.passkey) {
    PasskeyInputs inputs;
    inputs.trained = in.model;
    inputs.data = in.data;
    inputs.finetuned = &finetuned;
    inputs.finetune_dir = in.dir;
    inputs.log = in.log;
    result["passkey"] = run_passkey(config, inputs);
    *in.out << config.name << ": " << format_passkey_summary(result["passkey"]) << "\n";
  }
  if (sections.choice) {
    const ChoiceEvaluation choice = evaluate_choice(config, *in.model, *in.choice_items);
    write_choice_items(choice_items_path(in.dir), choice.items);
    result["choice"] = choice.summary;
    *in.out << config.name << ": " << format_choice_summary(choice.summary) << "\n";
  }
}

}  // namespace ablate
