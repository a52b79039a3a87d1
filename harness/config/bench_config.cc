// Reading the `bench:` section (see bench_config.h).
#include "harness/config/bench_config.h"

#include <algorithm>
#include <stdexcept>

#include "components/core/precision.h"
#include "harness/config/config_tree.h"
#include "harness/config/fields.h"
#include "harness/config/model_yaml.h"
#include "harness/config/yaml_read.h"

namespace ablate {
namespace {

// A model's overrides as dotted leaves: {model.attention: {type: gqa}} -> {"model.attention.type": "gqa"}.
void flatten(const YAML::Node& value, const std::string& key, const std::string& path, nlohmann::json& out) {
  if (value.IsMap()) {
    for (auto it = value.begin(); it != value.end(); ++it)
      flatten(it->second, key + "." + read_string(it->first, path), path, out);
    return;
  }
  if (key.rfind("model.", 0) != 0)
    config_fail(path + "." + key, "override keys are dotted paths under model. (e.g. model.attention.type: mqa)");
  out[key] = yaml_to_json(value);
}

// The base model with `overrides` applied, derived sizes re-derived, resolved (see the header).
ModelConfig apply_overrides(const ModelConfig& base, const nlohmann::json& overrides, const std::string& path) {
  ConfigTree tree;
  tree.root["model"] = YAML::Load(model_config_to_yaml(base));
  for (auto it = overrides.begin(); it != overrides.end(); ++it) {
    const YAML::Node value = YAML::Load(json_to_yaml(nlohmann::json{{"v", it.value()}}))["v"];
    apply_override(tree, it.key(), value, path);  // errors read "bench.models.NAME: model.x: ..."
  }
  YAML::Node model = tree.root["model"];
  auto given = [&](const char* key) { return overrides.contains(std::string("model.") + key); };
  if (model["attention"].IsMap() && model["attention"]["type"].IsScalar()) {
    const std::string type = model["attention"]["type"].Scalar();
    if ((type == "mha" || type == "mqa") && !given("attention.n_kv_heads")) model["attention"].remove("n_kv_heads");
  }
  if ((given("d_model") || given("mlp.type") || given("mlp.multiple_of")) && !given("mlp.hidden") &&
      model["mlp"].IsMap())
    model["mlp"].remove("hidden");
  return parse_model_config(model, path + ".model");
}

// Every run of `m` fits a learned position table.
void check_positions(const BenchConfig& c, const BenchModel& m) {
  if (m.model.position.type != "learned") return;
  auto fits = [&](int64_t tokens, const std::string& path, const std::string& what) {
    if (tokens > m.model.context)
      config_fail(path, what + " exceeds model.context=" + std::to_string(m.model.context) + " of bench model '" +
                            m.name + "', the size of its learned position table");
  };
  fits(c.train_context, "bench.train_context", std::to_string(c.train_context));
  for (size_t i = 0; i < c.prefill_contexts.size(); ++i)
    fits(c.prefill_contexts[i], "bench.prefill_contexts[" + std::to_string(i) + "]", std::to_string(c.prefill_contexts[i]));
  for (size_t i = 0; i < c.decode_contexts.size(); ++i)
    fits(c.decode_contexts[i] + c.decode_tokens, "bench.decode_contexts[" + std::to_string(i) + "]",
         std::to_string(c.decode_contexts[i]) + " + decode_tokens " + std::to_string(c.decode_tokens));
}

}  // namespace

BenchConfig parse_bench_section(const YAML::Node& node, const ModelConfig& base) {
  BenchConfig c;
  c.enabled = true;
  YAML::Node models;  // a default YAML::Node is a defined null, so presence is tracked separately
  bool has_models = false;
  auto read_precisions = [&](const YAML::Node& n, const std::string& path) {
    if (!n.IsSequence() || n.size() == 0)
      config_fail(path, "expected a non-empty list of precisions like [fp32, bf16], found " + describe_node(n));
    c.precisions.clear();
    for (size_t i = 0; i < n.size(); ++i) {
      const std::string where = path + "[" + std::to_string(i) + "]";
      const std::string p = read_string(n[i], where);
      try {
        parse_precision(p);
      } catch (const std::invalid_argument& e) {
        config_fail(where, e.what());
      }
      if (std::find(c.precisions.begin(), c.precisions.end(), p) != c.precisions.end())
        config_fail(where, "'" + p + "' is listed twice");
      c.precisions.push_back(p);
    }
  };
  read_mapping(node, "bench", section_fields(c, {{"models",
                                                  [&](const YAML::Node& n, const std::string&) {
                                                    models = n;
                                                    has_models = true;
                                                  }},
                                                 {"precisions", read_precisions}}));
  check_fields(c, "bench");

  if (!has_models) {
    c.models.push_back({"base", nlohmann::json::object(), base});
  } else {
    if (!models.IsMap() || models.size() == 0)
      config_fail("bench.models", "expected a non-empty mapping of named models (e.g. {mha: {}, mqa: "
                                  "{model.attention.type: mqa}}), found " + describe_node(models));
    for (auto it = models.begin(); it != models.end(); ++it) {
      BenchModel m;
      m.name = read_string(it->first, "bench.models");
      const std::string path = "bench.models." + m.name;
      if (m.name.empty()) config_fail("bench.models", "a model name is empty");
      if (!it->second.IsNull() && !it->second.IsMap())
        config_fail(path, "expected a mapping of overrides like {model.attention.type: mqa}, found " +
                              describe_node(it->second));
      m.overrides = nlohmann::json::object();
      if (it->second.IsMap())
        for (auto kv = it->second.begin(); kv != it->second.end(); ++kv)
          flatten(kv->second, read_string(kv->first, path), path, m.overrides);
      m.model = apply_overrides(base, m.overrides, path);
      c.models.push_back(std::move(m));
    }
  }
  for (const BenchModel& m : c.models) check_positions(c, m);
  return c;
}

nlohmann::json bench_to_json(const BenchConfig& c) {
  nlohmann::json models = nlohmann::json::object();
  for (const BenchModel& m : c.models) models[m.name] = m.overrides;
  nlohmann::json j = section_to_json(c);
  j["models"] = models;
  if (!c.precisions.empty()) j["precisions"] = c.precisions;
  return j;
}

}  // namespace ablate
