// Reading, checking and writing experiment configs (see experiment_config.h for the keys).
#include "harness/config/experiment_config.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <sstream>

#include "harness/checkpoints/checkpoint_formats.h"
#include "harness/config/model_yaml.h"
#include "harness/config/yaml_read.h"
#include "harness/tokenizers/factory.h"

namespace ablate {
namespace {

std::string number(double v) { return format_double(v); }

void require(bool ok, const std::string& path, const std::string& what) {
  if (!ok) config_fail(path, what);
}

void check_name(const std::string& name) {
  bool ok = !name.empty() && name.size() <= 128 && name != "." && name != "..";
  for (char c : name)
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '_' || c == '-' || c == '.' || c == '=' || c == '+');
  require(ok, "name",
          "'" + name + "' is not a usable run name (letters, digits and _ - . = + only; it names the "
          "output folder)");
}

void check_data(const DataConfig& d, const ModelConfig& model) {
  require(d.type == "synthetic" || d.type == "text" || d.type == "shards", "data.type",
          "unknown type '" + d.type + "' (known: synthetic, text, shards)");
  if (d.type == "synthetic") {
    require(d.path.empty(), "data.path", "not used by data.type synthetic (set type: text or shards)");
    require(d.validation_path.empty(), "data.validation_path", "not used by data.type synthetic");
    require(d.bytes >= 1024, "data.bytes", "must be at least 1024, found " + std::to_string(d.bytes));
    require(d.seed >= 0, "data.seed", "must be >= 0, found " + std::to_string(d.seed));
  } else {
    require(!d.path.empty(), "data.path", "required when data.type is " + d.type);
  }
  const bool split = d.validation_path.empty();
  require(d.validation_fraction >= 0 && d.validation_fraction < 1 &&
              (!split || d.validation_fraction > 0),
          "data.validation_fraction",
          std::string("must be in ") + (split ? "(0, 1)" : "[0, 1)") + ", found " +
              number(d.validation_fraction));
  std::unique_ptr<Tokenizer> tokenizer;
  try {
    tokenizer = make_tokenizer(d.tokenizer);
  } catch (const DataError& e) {
    config_fail("data.tokenizer", e.what());
  }
  require(model.vocab_size >= tokenizer->vocab_size(), "model.vocab_size",
          std::to_string(model.vocab_size) + " is smaller than the " + d.tokenizer +
              " tokenizer's " + std::to_string(tokenizer->vocab_size()) + " ids");
}

// A window the model can run: positive, and within a learned position table.
void check_context(int64_t context, const ModelConfig& model, const std::string& path) {
  require(context >= 1, path, "must be >= 1, found " + std::to_string(context));
  if (model.position.type == "learned")
    require(context <= model.context, path,
            std::to_string(context) + " exceeds model.context=" + std::to_string(model.context) +
                ", the size of the learned position table");
}

void check_train(const TrainConfig& t, const ModelConfig& model) {
  auto at_least = [](int64_t v, int64_t lo, const std::string& path) {
    require(v >= lo, path, "must be >= " + std::to_string(lo) + ", found " + std::to_string(v));
  };
  at_least(t.steps, 1, "train.steps");
  at_least(t.batch_size, 1, "train.batch_size");
  at_least(t.accumulation, 1, "train.accumulation");
  check_context(t.context, model, "train.context");
  require(t.lr > 0, "train.lr", "must be > 0, found " + number(t.lr));
  require(t.warmup >= 0 && t.warmup <= t.steps, "train.warmup",
          "must be in [0, train.steps=" + std::to_string(t.steps) + "], found " + std::to_string(t.warmup));
  require(t.min_lr_ratio >= 0 && t.min_lr_ratio <= 1, "train.min_lr_ratio",
          "must be in [0, 1], found " + number(t.min_lr_ratio));
  require(t.weight_decay >= 0, "train.weight_decay", "must be >= 0, found " + number(t.weight_decay));
  require(t.beta1 >= 0 && t.beta1 < 1, "train.beta1", "must be in [0, 1), found " + number(t.beta1));
  require(t.beta2 >= 0 && t.beta2 < 1, "train.beta2", "must be in [0, 1), found " + number(t.beta2));
  require(t.eps >= 0, "train.eps", "must be >= 0, found " + number(t.eps));
  require(t.grad_clip >= 0, "train.grad_clip", "must be >= 0 (0 = off), found " + number(t.grad_clip));
  at_least(t.eval_every, 0, "train.eval_every");
  at_least(t.eval_tokens, 0, "train.eval_tokens");
  at_least(t.checkpoint_every, 0, "train.checkpoint_every");
}

void check_choice(const ChoiceConfig& ch) {
  const bool synthetic = ch.task == "synthetic";
  require(!ch.task.empty(), "choice.task", "must be 'synthetic' or a JSONL file");
  const std::vector<std::string> formats = {"synthetic", "generic", "hellaswag", "arc", "piqa", "winogrande"};
  require(std::find(formats.begin(), formats.end(), ch.format) != formats.end(), "choice.format",
          "unknown format '" + ch.format + "' (known: synthetic, generic, hellaswag, arc, piqa, winogrande)");
  require(synthetic == (ch.format == "synthetic"), "choice.format",
          synthetic ? "task synthetic takes format synthetic, found '" + ch.format + "'"
                    : "format synthetic needs task: synthetic (a file needs its format)");
  require(ch.items >= (synthetic ? 1 : 0), "choice.items",
          std::string("must be >= ") + (synthetic ? "1" : "0 (0 = all)") + ", found " + std::to_string(ch.items));
  require(ch.seed >= 0, "choice.seed", "must be >= 0, found " + std::to_string(ch.seed));
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
ModelConfig parse_model_section(const YAML::Node& node, std::string& model_from) {
  if (!node.IsMap() || !node["from"]) return parse_model_config(node, "model");
  model_from = read_string(node["from"], "model.from");
  ModelConfig checkpoint_model;
  try {
    checkpoint_model = read_checkpoint_model_config(model_from);
  } catch (const std::exception& e) {
    config_fail("model.from", e.what());
  }
  YAML::Node merged = YAML::Load(model_config_to_yaml(checkpoint_model));
  YAML::Node overrides = YAML::Clone(node);
  overrides.remove("from");
  merge_into(merged, overrides);
  return parse_model_config(merged, "model");
}

ExperimentConfig parse_root(const YAML::Node& root, const std::string& default_name) {
  ExperimentConfig c;
  c.name = default_name;
  // A default YAML::Node is a defined null, so presence is tracked separately.
  YAML::Node model_node, extend_node, bench_node;
  bool has_model = false, has_extend = false, has_bench = false;
  DataConfig& d = c.data;
  TrainConfig& t = c.train;
  EvalConfig& e = c.eval;
  const Fields data_fields = {
      {"type", string_field(d.type)},
      {"path", string_field(d.path)},
      {"validation_path", string_field(d.validation_path)},
      {"validation_fraction", double_field(d.validation_fraction)},
      {"tokenizer", string_field(d.tokenizer)},
      {"bytes", int_field(d.bytes)},
      {"seed", int_field(d.seed)},
  };
  const Fields train_fields = {
      {"steps", int_field(t.steps)},
      {"batch_size", int_field(t.batch_size)},
      {"accumulation", int_field(t.accumulation)},
      {"context", int_field(t.context)},
      {"lr", double_field(t.lr)},
      {"warmup", int_field(t.warmup)},
      {"min_lr_ratio", double_field(t.min_lr_ratio)},
      {"weight_decay", double_field(t.weight_decay)},
      {"beta1", double_field(t.beta1)},
      {"beta2", double_field(t.beta2)},
      {"eps", double_field(t.eps)},
      {"grad_clip", double_field(t.grad_clip)},
      {"eval_every", int_field(t.eval_every)},
      {"eval_tokens", int_field(t.eval_tokens)},
      {"checkpoint_every", int_field(t.checkpoint_every)},
  };
  ChoiceConfig& ch = c.choice;
  const Fields choice_fields = {
      {"task", string_field(ch.task)},
      {"format", string_field(ch.format)},
      {"items", int_field(ch.items)},
      {"seed", int_field(ch.seed)},
      {"max_distance",
       [&ch](const YAML::Node& n, const std::string& p) {
         if (n.IsScalar() && n.Scalar() == "auto") {
           ch.max_distance = -1;
           return;
         }
         ch.max_distance = read_int(n, p, "an integer or 'auto'");
         if (ch.max_distance < 0) config_fail(p, "must be >= 0 (0 = any) or auto, found " + std::to_string(ch.max_distance));
         if (ch.max_distance > 0 && ch.task != "synthetic") config_fail(p, "only used by task: synthetic");
       }},
  };
  const Fields eval_fields = {
      {"context", int_field(e.context)},
      {"max_tokens", int_field(e.max_tokens)},
  };
  auto section = [](const Fields& fields) {
    return [&fields](const YAML::Node& n, const std::string& p) { read_mapping(n, p, fields); };
  };
  const Fields root_fields = {
      {"name", string_field(c.name)},
      {"seed", int_field(c.seed)},
      {"threads", int_field(c.threads)},
      {"model",
       [&](const YAML::Node& n, const std::string&) {
         model_node = n;
         has_model = true;
       }},
      {"data", section(data_fields)},
      {"train", section(train_fields)},
      {"eval", section(eval_fields)},
      {"extend",
       [&](const YAML::Node& n, const std::string&) {
         extend_node = n;
         has_extend = true;
       }},
      {"choice",
       [&](const YAML::Node& n, const std::string& p) {
         ch.enabled = true;
         read_mapping(n, p, choice_fields);
       }},
      {"bench",
       [&](const YAML::Node& n, const std::string&) {
         bench_node = n;
         has_bench = true;
       }},
  };
  read_mapping(root, "", root_fields, /*required=*/true);
  check_name(c.name);
  require(c.seed >= 0, "seed", "must be >= 0, found " + std::to_string(c.seed));
  require(c.threads >= 0, "threads", "must be >= 0 (0 = every core), found " + std::to_string(c.threads));
  c.model = has_model ? parse_model_section(model_node, c.model_from) : [] {
    ModelConfig m;
    m.resolve("model");
    return m;
  }();
  check_data(d, c.model);
  if (t.context == 0) t.context = c.model.context;
  check_train(t, c.model);
  if (e.context == 0) e.context = t.context;
  check_context(e.context, c.model, "eval.context");
  require(e.max_tokens >= 0, "eval.max_tokens", "must be >= 0 (0 = all), found " + std::to_string(e.max_tokens));
  if (ch.enabled) {
    check_choice(ch);
    // auto: inside the scoring window, leaving room for the answer; windows under 128 bytes are
    // too short for the story's facts, so they take every item.
    if (ch.max_distance == -1) ch.max_distance = ch.task == "synthetic" && e.context >= 128 ? e.context - 16 : 0;
  }
  if (has_extend) c.extend = parse_extend_section(extend_node, c.model);
  if (has_bench) c.bench = parse_bench_section(bench_node, c.model);
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

AdamWConfig ExperimentConfig::adamw() const {
  return AdamWConfig{train.lr, train.beta1, train.beta2, train.eps, train.weight_decay, train.grad_clip};
}

LrSchedule ExperimentConfig::schedule() const {
  return LrSchedule{train.lr, train.warmup, train.steps, train.min_lr_ratio};
}

ExperimentConfig parse_experiment(const ConfigTree& tree, const std::string& default_name) {
  try {
    return parse_root(tree.root, default_name);
  } catch (const ConfigError& e) {
    throw locate_error(tree, e);
  }
}

nlohmann::json experiment_to_json(const ExperimentConfig& c) {
  using nlohmann::json;
  json j = json::object();
  j["name"] = c.name;
  j["seed"] = c.seed;
  j["threads"] = c.threads;
  j["model"] = yaml_to_json(YAML::Load(model_config_to_yaml(c.model)));
  if (!c.model_from.empty()) j["model"]["from"] = c.model_from;
  const DataConfig& d = c.data;
  j["data"] = {{"type", d.type}, {"path", d.path}, {"validation_path", d.validation_path},
               {"validation_fraction", d.validation_fraction}, {"tokenizer", d.tokenizer},
               {"bytes", d.bytes}, {"seed", d.seed}};
  if (d.type == "synthetic") {
    j["data"].erase("path");
    j["data"].erase("validation_path");
  } else {
    j["data"].erase("bytes");
    j["data"].erase("seed");
    if (d.validation_path.empty()) j["data"].erase("validation_path");
  }
  const TrainConfig& t = c.train;
  j["train"] = {{"steps", t.steps}, {"batch_size", t.batch_size}, {"accumulation", t.accumulation},
                {"context", t.context}, {"lr", t.lr}, {"warmup", t.warmup},
                {"min_lr_ratio", t.min_lr_ratio}, {"weight_decay", t.weight_decay},
                {"beta1", t.beta1}, {"beta2", t.beta2}, {"eps", t.eps}, {"grad_clip", t.grad_clip},
                {"eval_every", t.eval_every}, {"eval_tokens", t.eval_tokens},
                {"checkpoint_every", t.checkpoint_every}};
  j["eval"] = {{"context", c.eval.context}, {"max_tokens", c.eval.max_tokens}};
  if (c.extend.enabled) j["extend"] = extend_to_json(c.extend);
  if (c.choice.enabled)
    j["choice"] = {{"task", c.choice.task}, {"format", c.choice.format}, {"items", c.choice.items},
                   {"seed", c.choice.seed}, {"max_distance", c.choice.max_distance}};
  if (c.bench.enabled) j["bench"] = bench_to_json(c.bench);
  return j;
}

ExperimentConfig experiment_from_json(const nlohmann::json& config, const std::string& source) {
  const ConfigTree tree = load_config_tree_text(json_to_yaml(config), source);
  const std::string name = config.contains("name") && config["name"].is_string()
                               ? config["name"].get<std::string>()
                               : "run";
  return parse_experiment(tree, name);
}

}  // namespace ablate
