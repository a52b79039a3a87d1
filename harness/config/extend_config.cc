// Reading the `extend:` section (see extend_config.h).
#include "harness/config/extend_config.h"

#include <algorithm>
#include <cmath>

#include "harness/config/config_tree.h"
#include "harness/config/model_yaml.h"
#include "harness/config/yaml_read.h"

namespace ablate {

int64_t trained_context(const ModelConfig& trained) { return trained.rope_original_context(); }

ModelConfig extension_model(const ModelConfig& trained, const ExtendMethod& method, int64_t length,
                            const std::string& where) {
  nlohmann::json scaling = method.scaling;
  const int64_t L = trained_context(trained);
  if (method.factor_auto) scaling["factor"] = std::max(1.0, static_cast<double>(length) / static_cast<double>(L));
  if (!scaling.contains("original_context")) scaling["original_context"] = L;
  YAML::Node model = YAML::Load(model_config_to_yaml(trained));
  model["position"]["scaling"] = YAML::Load(json_to_yaml(scaling));
  try {
    return parse_model_config(model, "model");
  } catch (const ConfigError& e) {
    std::string what = e.what();
    const std::string prefix = "model.position.scaling";
    if (what.rfind(prefix, 0) == 0) what = what.substr(prefix.size());
    else what = ": " + what;
    throw ConfigError(where + what);
  }
}

ExtendConfig parse_extend_section(const YAML::Node& node, const ModelConfig& trained) {
  ExtendConfig c;
  c.enabled = true;
  YAML::Node lengths, methods, finetune;
  read_mapping(node, "extend",
               {{"lengths", [&](const YAML::Node& n, const std::string&) { lengths = n; }},
                {"methods", [&](const YAML::Node& n, const std::string&) { methods = n; }},
                {"windowing", string_field(c.windowing)},
                {"stride", int_field(c.stride)},
                {"max_tokens", int_field(c.max_tokens)},
                {"text", string_field(c.text)},
                {"finetune", [&](const YAML::Node& n, const std::string&) { finetune = n; }}},
               /*required=*/true);
  if (!lengths || !lengths.IsSequence() || lengths.size() == 0)
    config_fail("extend.lengths", "expected a non-empty list of context lengths, found " + describe_node(lengths));
  for (size_t i = 0; i < lengths.size(); ++i) {
    const std::string p = "extend.lengths[" + std::to_string(i) + "]";
    const int64_t v = read_int(lengths[i], p);
    if (v < 2) config_fail(p, "must be >= 2, found " + std::to_string(v));
    if (!c.lengths.empty() && v <= c.lengths.back()) config_fail(p, "lengths must increase, found " + std::to_string(v) + " after " + std::to_string(c.lengths.back()));
    c.lengths.push_back(v);
  }
  if (!methods || !methods.IsSequence() || methods.size() == 0)
    config_fail("extend.methods", "expected a non-empty list of scaling blocks, found " + describe_node(methods));
  for (size_t i = 0; i < methods.size(); ++i) {
    const std::string p = "extend.methods[" + std::to_string(i) + "]";
    const YAML::Node m = methods[i];
    if (!m.IsMap()) config_fail(p, "expected a mapping like {type: yarn, factor: auto}, found " + describe_node(m));
    ExtendMethod method;
    method.scaling = nlohmann::json::object();
    for (auto it = m.begin(); it != m.end(); ++it) {
      const std::string key = read_string(it->first, p);
      if (key == "name") {
        method.name = read_string(it->second, p + ".name");
      } else if (key == "factor" && it->second.IsScalar() && it->second.Scalar() == "auto") {
        method.factor_auto = true;
      } else {
        method.scaling[key] = yaml_to_json(it->second);
      }
    }
    if (!method.scaling.contains("type")) config_fail(p + ".type", "required (none, linear, ntk, dynamic_ntk, yarn)");
    if (method.name.empty()) method.name = method.scaling["type"].is_string() ? method.scaling["type"].get<std::string>() : "method";
    for (const auto& other : c.methods)
      if (other.name == method.name)
        config_fail(p + ".name", "'" + method.name + "' names two methods (give them distinct `name:`s)");
    // Check the method at every length now, so a bad block fails before any evaluation. On a
    // model without RoPE the block is checked as if it had RoPE; its points are reported n/a.
    ModelConfig probe = trained;
    probe.position.type = "rope";
    for (int64_t length : c.lengths) extension_model(probe, method, length, p);
    c.methods.push_back(std::move(method));
  }
  if (c.windowing != "disjoint" && c.windowing != "hf_strided")
    config_fail("extend.windowing", "unknown windowing '" + c.windowing + "' (known: disjoint, hf_strided)");
  if (c.stride < 0) config_fail("extend.stride", "must be >= 0 (0 = half the length), found " + std::to_string(c.stride));
  if (c.stride > 0 && c.windowing != "hf_strided") config_fail("extend.stride", "only used by windowing: hf_strided");
  if (c.stride > c.lengths.front())
    config_fail("extend.stride", std::to_string(c.stride) + " exceeds the shortest length " + std::to_string(c.lengths.front()));
  if (c.max_tokens < 1) config_fail("extend.max_tokens", "must be >= 1, found " + std::to_string(c.max_tokens));
  if (c.text.empty()) config_fail("extend.text", "must be 'validation' or a text file");
  if (finetune) {
    read_mapping(finetune, "extend.finetune",
                 {{"steps", int_field(c.finetune.steps)},
                  {"context", int_field(c.finetune.context)},
                  {"lr", double_field(c.finetune.lr)}});
    if (c.finetune.steps < 0) config_fail("extend.finetune.steps", "must be >= 0, found " + std::to_string(c.finetune.steps));
    if (c.finetune.context < 0) config_fail("extend.finetune.context", "must be >= 0, found " + std::to_string(c.finetune.context));
    if (c.finetune.lr < 0) config_fail("extend.finetune.lr", "must be >= 0, found " + std::to_string(c.finetune.lr));
  }
  return c;
}

nlohmann::json extend_to_json(const ExtendConfig& c) {
  nlohmann::json methods = nlohmann::json::array();
  for (const auto& m : c.methods) {
    nlohmann::json j = m.scaling;
    j["name"] = m.name;
    if (m.factor_auto) j["factor"] = "auto";
    methods.push_back(j);
  }
  return {{"lengths", c.lengths}, {"methods", methods}, {"windowing", c.windowing}, {"stride", c.stride},
          {"max_tokens", c.max_tokens}, {"text", c.text},
          {"finetune", {{"steps", c.finetune.steps}, {"context", c.finetune.context}, {"lr", c.finetune.lr}}}};
}

}  // namespace ablate
