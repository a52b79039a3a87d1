// The context-extension experiment and `ablate extend` (see extend.h).
#include "experiments/extend.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <ostream>
#include <sstream>
#include <stdexcept>

#include "components/model/model.h"
#include "experiments/command_arguments.h"
#include "experiments/scored_model.h"
#include "harness/common/format.h"
#include "harness/common/run_info.h"
#include "harness/config/model_yaml.h"
#include "harness/eval/perplexity.h"
#include "harness/eval/perplexity_summary.h"
#include "harness/tokenizers/factory.h"
#include "harness/train/trainer.h"

namespace ablate {
namespace {

const CommandOptions kExtendCommand = {
    "extend",
    "Perplexity against context length under each RoPE scaling method of the config's extend: section,\n"
    "for a checkpoint, into DIR/extend.json.",
    /*checkpoint=*/true, /*resume_force=*/false};

// Fine-tunes a copy of the trained weights under `method` at `context` tokens (PI / YaRN
// recipe) for `steps` steps (one budget of finetune.steps): the config's optimizer settings,
// lr = finetune.lr (default train.lr / 10), a tenth of the steps as warmup, about the training run's tokens per step. Returns the fine-tuned model.
// `context` is finetune_context (finetune.context, whose 0 means the longest length).
void finetune(const ExperimentConfig& config, const ModelConfig& model_config, int64_t context, int64_t steps,
              Model<float>& model, const TrainingData& data, const std::string& checkpoint_path, std::ostream* log) {
  const ExtendFinetune& ft = config.extend.finetune;
  ExperimentConfig c = config;
  c.name = config.name + "/finetune";
  c.model = model_config;
  c.model.context = std::max(c.model.context, context);
  c.train.context = context;
  c.train.steps = steps;
  c.train.warmup = steps / 10;
  c.train.lr = ft.lr > 0 ? ft.lr : config.train.lr / 10;
  c.train.batch_size = std::max<int64_t>(1, config.train.batch_size * config.train.context / context);
  c.train.accumulation = 1;
  c.train.eval_every = 0;
  c.train.eval_tokens = std::max<int64_t>(context * 4, config.train.eval_tokens);
  c.train.checkpoint_every = 0;
  TrainOptions options;
  options.checkpoint_path = checkpoint_path;
  options.log = log;
  train_model(c, data, model, options);
}

// Why `options` cannot score the text, or "": a text (cut at max_tokens + 1) shorter than one
// window, or one the windowing refuses (llamacpp: fewer than 2 windows).
std::string unscorable(const TokenSource& text, const PerplexityOptions& options) {
  const int64_t n = evaluated_length(text.size(), options);
  if (n < options.window)
    return "the text holds " + std::to_string(n) + " tokens" + (n < text.size() ? " (max_tokens + 1)" : "") +
           ", fewer than one window";
  try {
    plan_windows(text, options);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

}  // namespace

void copy_weights(Model<float>& from, Model<float>& to) {
  ParameterList<float> src = from.parameters(), dst = to.parameters();
  for (size_t i = 0; i < src.size(); ++i) {
    dst[i].param->value = src[i].param->value;
    dst[i].param->mark_changed();
  }
  to.set_precision(from.precision());
}

std::string scaling_not_applicable(const ModelConfig& trained, const ExtendMethod& method, int64_t length) {
  if (trained.position.type != "rope" && method.scaling.value("type", "") != "none")
    return "scaling applies to rope positions only; this model uses " + trained.position.type;
  if (trained.position.type == "learned" && length > trained.context)
    return "learned position table holds " + std::to_string(trained.context) + " positions";
  return "";
}

int64_t finetune_context(const ExtendConfig& extend) {
  return extend.finetune.context > 0 ? extend.finetune.context : extend.lengths.back();
}

Model<float>& FinetunedModels::get(const ExperimentConfig& config, const ExtendMethod& method, int64_t context,
                                   int64_t steps, Model<float>& trained, const TrainingData& data, const std::string& dir,
                                   std::ostream* log) {
  const ModelConfig ft_model = extension_model(config.model, method, context);
  const std::string key = model_config_to_yaml(ft_model) + "\ncontext " + std::to_string(context) + " steps " +
                          std::to_string(steps);
  std::unique_ptr<Model<float>>& model = models_[key];
  if (model) return *model;
  model = std::make_unique<Model<float>>(ft_model, static_cast<uint64_t>(config.seed));
  copy_weights(trained, *model);
  if (log) *log << config.name << ": fine-tuning " << method.name << " for " << steps << " steps at context " << context << "\n";
  const std::string file = "finetune_" + method.name + "_" + std::to_string(steps) + ".safetensors";
  finetune(config, ft_model, context, steps, *model, data, (std::filesystem::path(dir) / file).string(), log);
  return *model;
}

TokenSource extension_text(const ExperimentConfig& config, const TrainingData& data) {
  if (config.extend.text == "validation") return data.validation;
  const std::unique_ptr<Tokenizer> tokenizer = make_tokenizer(config.data.tokenizer);
  return TokenSource(tokenize_file(config.extend.text, *tokenizer));
}

namespace {

// One method's curve at one budget: `steps` > 0 fine-tunes (through `models`, at the fine-tuning
// context, where `auto` is then fixed for every length: the scaled model is trained once); 0
// scores the trained weights, `auto` following each length.
nlohmann::json extension_curve(const ExperimentConfig& config, const ExtendMethod& method, int64_t steps,
                               FinetunedModels* models, const ExtensionInputs& in, const Tokenizer& tokenizer,
                               const std::optional<TextSize>& text_size) {
  const ExtendConfig& ec = config.extend;
  const ModelConfig& trained = config.model;
  const int64_t ft_context = finetune_context(ec);
  nlohmann::json m = {{"name", method.name}, {"label", budget_label(method.name, steps)}, {"scaling", method.scaling},
                      {"finetuned_steps", steps}, {"points", nlohmann::json::array()}};
  if (method.factor_auto) m["scaling"]["factor"] = "auto";
  Model<float>* finetuned = nullptr;
  if (steps > 0) {
    finetuned = &models->get(config, method, ft_context, steps, *in.trained, *in.data, in.finetune_dir, in.log);
    m["finetune_context"] = ft_context;
  }
  const std::string label = m["label"].get<std::string>();
  for (int64_t length : ec.lengths) {
    nlohmann::json point = {{"length", length}};
    const PerplexityOptions po = windowing_options(ec.windowing, length, ec.stride, ec.max_tokens, tokenizer);
    if (const std::string why = scaling_not_applicable(trained, method, length); !why.empty()) {
      point["applicable"] = false;
      point["reason"] = why;
    } else if (const std::string why = unscorable(*in.text, po); !why.empty()) {
      point["applicable"] = false;
      point["reason"] = why;
    } else {
      const ModelConfig mc = extension_model(trained, method, finetuned ? ft_context : length);
      Model<float> model(mc, static_cast<uint64_t>(config.seed));
      copy_weights(finetuned ? *finetuned : *in.trained, model);
      const auto start = std::chrono::steady_clock::now();
      const PerplexityResult r = evaluate_perplexity(model, *in.text, po);
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      const int64_t bucket = std::max<int64_t>(1, length / 64);
      point["applicable"] = true;
      point["factor"] = mc.position.scaling.factor;
      point.update(perplexity_summary(r, po, text_size));
      point["seconds"] = seconds;
      point["bucket"] = bucket;
      point["loss_by_position"] = r.loss_by_position(bucket);
      if (in.log)
        *in.log << config.name << ": extend " << label << " @ " << length << ": perplexity "
                << format_fixed(r.perplexity(), 3) << " (" << r.tokens << " tokens, " << format_fixed(seconds, 1) << " s)\n";
    }
    m["points"].push_back(point);
  }
  return m;
}

}  // namespace

nlohmann::json run_extension(const ExperimentConfig& config, const ExtensionInputs& in) {
  const ExtendConfig& ec = config.extend;
  const ModelConfig& trained = config.model;
  const int64_t L = trained_context(trained);
  const std::unique_ptr<Tokenizer> tokenizer = make_tokenizer(config.data.tokenizer);
  // Every length scores the same text: the first max_tokens + 1 tokens (and its words and bytes).
  const PerplexityOptions cut = windowing_options(ec.windowing, ec.lengths.front(), ec.stride, ec.max_tokens, *tokenizer);
  const int64_t n = evaluated_length(in.text->size(), cut);
  const std::optional<TextSize> text_size = scored_text_size(*in.text, cut, *tokenizer);
  nlohmann::json out = {{"trained_context", L}, {"windowing", ec.windowing}, {"stride", ec.stride},
                        {"text", ec.text}, {"tokens_available", in.text->size()}, {"text_tokens", n},
                        {"methods", nlohmann::json::array()}};
  FinetunedModels own;  // without a shared cache, each fine-tuned model lives for its method only
  FinetunedModels& models = in.finetuned ? *in.finetuned : own;
  for (const ExtendMethod& method : ec.methods) {
    if (!in.finetuned) own.clear();
    for (int64_t steps : finetune_budgets(ec, trained))
      out["methods"].push_back(extension_curve(config, method, steps, steps > 0 ? &models : nullptr, in, *tokenizer, text_size));
  }
  return out;
}

int extend_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  CommandArguments a;
  if (const auto exit = parse_command_arguments(kExtendCommand, args, a, out, err)) return *exit;
  for (const ScoredExperiment& e : scored_experiments(a, "extend", err)) {
    if (!e.config.extend.enabled)
      throw ConfigError(a.config_path + ": extend: the config has no `extend:` section (lengths and methods)");
    ScoredModel scored("extend", e, std::chrono::system_clock::now(), err);
    scored.evaluate({/*validation=*/false, /*extend=*/true, /*choice=*/false}, nullptr, out, err);
    scored.result()["metrics"] = {{"parameters", scored.model().parameter_count()}, {"peak_rss_bytes", peak_rss_bytes()}};
    scored.write_result(out);
  }
  return 0;
}

}  // namespace ablate
