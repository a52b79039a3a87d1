// Multiple-choice evaluation and `ablate choice` (see choice.h).
#include "experiments/choice.h"

#include <chrono>
#include <filesystem>
#include <ostream>
#include <stdexcept>

#include "experiments/command_arguments.h"
#include "experiments/scored_model.h"
#include "harness/common/file_io.h"
#include "harness/common/format.h"
#include "harness/tokenizers/factory.h"

namespace ablate {
namespace {

const CommandOptions kChoiceCommand = {
    "choice",
    "Multiple-choice accuracy (acc, acc_norm, lm-eval style) of a checkpoint on the config's choice: task,\n"
    "into DIR/choice.json and DIR/choice_items.jsonl.",
    /*checkpoint=*/true, /*resume_force=*/false};

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
  e.summary = choice_metrics(e.items, choice_difficulty_axis(config.choice));
  e.summary["task"] = config.choice.task;
  e.summary["format"] = config.choice.format;
  e.summary["description"] = describe_choice_task(config.choice);
  if (builtin_choice_task(config.choice.task)) e.summary["seed"] = config.choice.seed;
  e.summary["window"] = config.eval.context;
  e.summary["seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return e;
}

std::string lm_eval_task_name(const ChoiceConfig& config) {
  if (config.format == "hellaswag" || config.format == "hellaswag_llamacpp") return "hellaswag";
  if (config.format == "piqa" || config.format == "winogrande") return config.format;
  if (config.format == "synthetic") return config.task;  // synthetic, animal_calls
  return std::filesystem::path(config.task).stem().string();
}

nlohmann::json lm_eval_results(const nlohmann::json& summary, const ChoiceConfig& config) {
  const std::string task = lm_eval_task_name(config);
  nlohmann::json metrics = {{"alias", task}};
  for (const char* name : {"acc", "acc_norm"}) {
    const nlohmann::json& se = summary.at(std::string(name) + "_stderr");
    metrics[std::string(name) + ",none"] = summary.at(name);
    metrics[std::string(name) + "_stderr,none"] = se.is_number() ? se : nlohmann::json("N/A");
  }
  const int64_t items = summary.at("items").get<int64_t>();
  return {{"results", {{task, metrics}}},
          {"group_subtasks", {{task, nlohmann::json::array()}}},
          {"versions", {{task, "N/A"}}},
          {"n-shot", {{task, 0}}},
          {"higher_is_better", {{task, {{"acc", true}, {"acc_norm", true}}}}},
          {"n-samples", {{task, {{"original", items}, {"effective", items}}}}}};
}

std::string choice_items_path(const std::string& dir) {
  return (std::filesystem::path(dir) / "choice_items.jsonl").string();
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

int choice_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  CommandArguments a;
  if (const auto exit = parse_command_arguments(kChoiceCommand, args, a, out, err)) return *exit;
  for (const ScoredExperiment& e : scored_experiments(a, "choice", err)) {
    const ExperimentConfig& config = e.config;
    if (!config.choice.enabled)
      throw ConfigError(a.config_path + ": no `choice:` section, so there is no task to score; add one, e.g. "
                        "`choice: {task: synthetic, items: 500}` or `choice: {task: hellaswag.jsonl, format: hellaswag}`");
    // A bad task file fails before the model loads.
    const std::vector<ChoiceItem> items = load_choice_task(config.choice);
    ScoredModel scored("choice", e, std::chrono::system_clock::now(), err);
    err << config.name << ": scoring " << items.size() << " items of the " << describe_choice_task(config.choice)
        << ", window " << config.eval.context << ", " << scored.threads() << " threads\n";
    scored.evaluate({/*validation=*/false, /*extend=*/false, /*choice=*/true}, &items, out, err);
    const nlohmann::json lm_eval = lm_eval_results(scored.result().at("choice"), config.choice);
    for (const auto& [key, value] : lm_eval.items()) scored.result()[key] = value;  // beside Ablate's keys
    out << config.name << ": items " << choice_items_path(scored.dir()) << "\n";
    scored.write_result(out);
  }
  return 0;
}

}  // namespace ablate
