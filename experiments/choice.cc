// The choice evaluation `ablate choice` and `ablate run` share (see choice_evaluation.h).
#include "experiments/choice.h"

#include <chrono>
#include <stdexcept>

#include "harness/common/file_io.h"
#include "harness/common/progress.h"
#include "harness/tokenizers/factory.h"

namespace ablate {
namespace {

std::string with_stderr(const nlohmann::json& summary, const std::string& name) {
  const nlohmann::json& se = summary[name + "_stderr"];
  return name + " " + format_fixed(summary[name].get<double>(), 4) + (se.is_number() ? " +/- " + format_fixed(se.get<double>(), 4) : "");
}

}  // namespace

ChoiceEvaluation evaluate_choice(const ExperimentConfig& config, Model<float>& model,
                                 const std::vector<ChoiceItem>& items) {
  const auto started = std::chrono::steady_clock::now();
  const std::unique_ptr<Tokenizer> tokenizer = make_tokenizer(config.data.tokenizer);
  ChoiceEvaluation e;
  e.items = score_items(model, *tokenizer, items, config.eval.context);
  e.summary = choice_metrics(e.items);
  e.summary["task"] = config.choice.task;
  e.summary["format"] = config.choice.format;
  e.summary["description"] = describe_choice_task(config.choice);
  if (config.choice.task == "synthetic") e.summary["seed"] = config.choice.seed;
  e.summary["window"] = config.eval.context;
  e.summary["seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return e;
}

void write_choice_items(const std::string& path, const std::vector<ItemScore>& items) {
  std::string text;
  for (size_t i = 0; i < items.size(); ++i) text += item_record(items[i], i).dump() + "\n";
  try {
    write_file_atomically(path, {{text.data(), text.size()}});
  } catch (const FileIoError& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
}

std::string format_choice_summary(const nlohmann::json& summary) {
  return with_stderr(summary, "acc") + ", " + with_stderr(summary, "acc_norm") + " (" +
         std::to_string(summary["items"].get<int64_t>()) + " items, " + summary["description"].get<std::string>() +
         ")";
}

}  // namespace ablate
