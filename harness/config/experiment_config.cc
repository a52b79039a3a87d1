// Reading, checking and writing experiment configs (see experiment_config.h for the keys).
#include "harness/config/experiment_config.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <sstream>

#include "harness/common/run_name.h"
#include "harness/config/fields.h"
#include "harness/config/model_yaml.h"
#include "harness/config/yaml_read.h"

namespace ablate {
namespace {

void require(bool ok, const std::string& path, const std::string& what) {
  if (!ok) config_fail(path, what);
}

void check_name(const std::string& name) {
  bool ok = !name.empty() && name.size() <= 128 && name != "." && name != "..";
  for (char c : name) ok = ok && is_run_name_char(c);
  require(ok, "name",
          "'" + name + "' is not a usable run name (letters, digits and _ - . = + only; it names the "
          "output folder)");
}

void check_data(const DataConfig& d, const ModelConfig& model, const ExperimentInputs& inputs) {
  if (d.type == "synthetic") {
    require(d.path.empty(), "data.path", "not used by data.type synthetic (set type: text or shards)");
    require(d.validation_path.empty(), "data.validation_path", "not used by data.type synthetic");
    require(d.bytes >= 1024, "data.bytes", "must be at least 1024, found " + std::to_string(d.bytes));
  } else {
    require(!d.path.empty(), "data.path", "required when data.type is " + d.type);
  }
  const bool split = d.validation_path.empty();
  require(d.validation_fraction >= 0 && d.validation_fraction < 1 &&
              (!split || d.validation_fraction > 0),
          "data.validation_fraction",
          std::string("must be in ") + (split ? "(0, 1)" : "[0, 1)") + ", found " +
              shortest_number(d.validation_fraction));
  int64_t vocab_size = 0;
  try {
    vocab_size = inputs.tokenizer_vocab_size(d.tokenizer);
  } catch (const std::exception& e) {
    config_fail("data.tokenizer", e.what());
  }
  require(model.vocab_size >= vocab_size, "model.vocab_size",
          std::to_string(model.vocab_size) + " is smaller than the " + d.tokenizer +
              " tokenizer's " + std::to_string(vocab_size) + " ids");
}

// A window the model can run: positive, and within a learned position table.
void check_context(int64_t context, const ModelConfig& model, const std::string& path) {
  require(context >= 1, path, "must be >= 1, found " + std::to_string(context));
  if (model.position.type == "learned")
    require(context <= model.context, path,
            std::to_string(context) + " exceeds model.context=" + std::to_string(model.context) +
                ", the size of the learned position table");
}

// What relates train keys to each other and to the model (each key's own bound is in its row).
void check_train(const TrainConfig& t, const ModelConfig& model) {
  check_context(t.context, model, "train.context");
  require(t.warmup >= 0 && t.warmup <= t.steps, "train.warmup",
          "must be in [0, train.steps=" + std::to_string(t.steps) + "], found " + std::to_string(t.warmup));
}

void check_choice(const ChoiceConfig& ch) {
  const bool builtin = builtin_choice_task(ch.task), recall = ch.task == "synthetic";
  require(!ch.task.empty(), "choice.task", "must be 'synthetic', 'animal_calls' or a JSONL file");
  require(builtin == (ch.format == "synthetic"), "choice.format",
          builtin ? "task " + ch.task + " takes format synthetic, found '" + ch.format + "'"
                  : "format synthetic needs task: synthetic or animal_calls (a file needs its format)");
  require(ch.items >= (builtin ? 1 : 0), "choice.items",
          std::string("must be >= ") + (builtin ? "1" : "0 (0 = all)") + ", found " + std::to_string(ch.items));
  require(ch.max_distance <= 0 || recall, "choice.max_distance", "only used by task: synthetic");
  require(ch.max_sentences == 0 || recall, "choice.max_sentences", "only used by task: synthetic");
  require(ch.item_bytes <= 0 || builtin, "choice.item_bytes", "only used by the built-in tasks (synthetic, animal_calls)");
}

// Deep-merges `over` into `base`: mappings key by key, anything else replaces.
void merge_into(YAML::Node base, const YAML::Node& over) {
  for (const auto& kv : over) {
    const std::string key = kv.first.as<std::string>();
    if (kv.second.IsMap() && base[key].IsMap()) merge_into(base[key], kv.second);
    else base[key] = YAML::Clone(kv.second);
  }
}

// The model section: as written, or (with `from: PATH`) the checkpoint's model with the other
// keys of the section merged over it.
ModelConfig parse_model_section(const YAML::Node& node, std::string& model_from, const ExperimentInputs& inputs) {
  if (!node.IsMap() || !node["from"]) return parse_model_config(node, "model");
  model_from = read_string(node["from"], "model.from");
  ModelConfig checkpoint_model;
  try {
    checkpoint_model = inputs.checkpoint_model(model_from);
  } catch (const std::exception& e) {
    config_fail("model.from", e.what());
  }
  YAML::Node merged = YAML::Load(model_config_to_yaml(checkpoint_model));
  YAML::Node overrides = YAML::Clone(node);
  overrides.remove("from");
  merge_into(merged, overrides);
  return parse_model_config(merged, "model");
}

ExperimentConfig parse_root(const YAML::Node& root, const std::string& default_name, const ExperimentInputs& inputs) {
  ExperimentConfig c;
  c.name = default_name;
  // Sections read by their own parsers once the model is known. A default YAML::Node is a
  // defined null, so presence is tracked separately.
  YAML::Node model_node, extend_node, passkey_node, bench_node;
  bool has_model = false, has_extend = false, has_passkey = false, has_bench = false;
  auto keep = [](YAML::Node& node, bool& present) {
    return [&node, &present](const YAML::Node& n, const std::string&) {
      node = n;
      present = true;
    };
  };
  ChoiceConfig& ch = c.choice;
  read_mapping(root, "",
               section_fields(c, {}, {{"model", keep(model_node, has_model)},
                                  {"extend", keep(extend_node, has_extend)},
                                  {"choice",
                                   [&ch](const YAML::Node& n, const std::string& p) {
                                     ch.enabled = true;
                                     read_section(n, p, ch);
                                   }},
                                  {"passkey", keep(passkey_node, has_passkey)},
                                  {"bench", keep(bench_node, has_bench)}}),
               /*required=*/true);
  check_name(c.name);
  check_fields(c, "");
  c.model = has_model ? parse_model_section(model_node, c.model_from, inputs) : [] {
    ModelConfig m;
    m.resolve("model");
    return m;
  }();
  check_data(c.data, c.model, inputs);
  TrainConfig& t = c.train;
  EvalConfig& e = c.eval;
  if (t.context == 0) t.context = c.model.context;
  check_train(t, c.model);
  if (e.context == 0) e.context = t.context;
  check_context(e.context, c.model, "eval.context");
  check_windowing_stride(e.windowing, e.stride, e.context, "eval");
  if (ch.enabled) {
    check_fields(ch, "choice");
    check_choice(ch);
    // auto: inside the scoring window, leaving room for the answer; windows under 128 bytes are
    // too short for the story's facts, so they take every item.
    if (ch.max_distance == -1) ch.max_distance = ch.task == "synthetic" && e.context >= 128 ? e.context - 16 : 0;
    if (ch.item_bytes == -1) ch.item_bytes = builtin_choice_task(ch.task) && e.context >= 128 ? e.context : 0;
  }
  if (has_extend) c.extend = parse_extend_section(extend_node, c.model);
  if (has_passkey) c.passkey = parse_passkey_section(passkey_node, c.model, c.extend, c.data.tokenizer);
  if (has_bench) c.bench = parse_bench_section(bench_node, c.model);
  if (has_bench && c.bench.precisions.empty()) c.bench.precisions = {c.precision};  // resolved, as results record it
  return c;
}

void collect_differences(const nlohmann::json& a, const nlohmann::json& b, const std::string& prefix,
                         const std::string& a_label, const std::string& b_label, std::vector<std::string>& out) {
  auto key_of = [&](const std::string& key) { return prefix.empty() ? key : prefix + "." + key; };
  if (a.is_object() && b.is_object()) {
    for (auto it = a.begin(); it != a.end(); ++it) {
      if (!b.contains(it.key())) out.push_back(key_of(it.key()) + " (only in the " + a_label + ")");
      else collect_differences(it.value(), b[it.key()], key_of(it.key()), a_label, b_label, out);
    }
    for (auto it = b.begin(); it != b.end(); ++it)
      if (!a.contains(it.key())) out.push_back(key_of(it.key()) + " (only in the " + b_label + ")");
    return;
  }
  if (a != b) out.push_back(prefix + ": " + a_label + " " + a.dump() + ", " + b_label + " " + b.dump());
}

}  // namespace

std::vector<std::string> config_differences(const nlohmann::json& old_config, const nlohmann::json& new_config,
                                            const std::string& old_label, const std::string& new_label) {
  std::vector<std::string> out;
  collect_differences(old_config, new_config, "", old_label, new_label, out);
  return out;
}

ExperimentConfig parse_experiment(const ConfigTree& tree, const std::string& default_name,
                                  const ExperimentInputs& inputs) {
  try {
    return parse_root(tree.root, default_name, inputs);
  } catch (const ConfigError& e) {
    throw locate_error(tree, e);
  }
}

nlohmann::json experiment_to_json(const ExperimentConfig& c) {
  nlohmann::json j = section_to_json(c);
  j["model"] = model_config_to_json(c.model);
  if (!c.model_from.empty()) j["model"]["from"] = c.model_from;
  if (c.extend.enabled) j["extend"] = extend_to_json(c.extend);
  if (c.choice.enabled) j["choice"] = section_to_json(c.choice);
  if (c.passkey.enabled) j["passkey"] = passkey_to_json(c.passkey);
  if (c.bench.enabled) j["bench"] = bench_to_json(c.bench);
  return j;
}

ExperimentConfig experiment_from_json(const nlohmann::json& saved, const std::string& source,
                                      const ExperimentInputs& inputs) {
  nlohmann::json config = saved;
  if (config.is_object() && config.contains("model")) config["model"] = upgrade_saved_model_section(config["model"]);
  const ConfigTree tree = load_config_tree_text(json_to_yaml(config), source);
  const std::string name = config.contains("name") && config["name"].is_string()
                               ? config["name"].get<std::string>()
                               : "run";
  return parse_experiment(tree, name, inputs);
}

nlohmann::json normalized_config(const nlohmann::json& saved, const ExperimentInputs& inputs) {
  try {
    nlohmann::json again = experiment_to_json(experiment_from_json(saved, "saved config", inputs));
    if (saved.contains("threads")) again["threads"] = saved["threads"];
    return again;
  } catch (const std::exception&) {
    return saved;
  }
}

}  // namespace ablate
