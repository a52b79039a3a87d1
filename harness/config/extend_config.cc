// Reading the `extend:` section (see extend_config.h).
#include "harness/config/extend_config.h"

#include <algorithm>
#include <cmath>

#include "components/model/registry.h"
#include "harness/config/config_tree.h"
#include "harness/config/fields.h"
#include "harness/config/model_yaml.h"
#include "harness/config/yaml_read.h"

namespace ablate {

void check_windowing_stride(const std::string& windowing, int64_t stride, int64_t shortest_window,
                            const std::string& section) {
  if (stride > 0 && windowing != "hf_strided") config_fail(section + ".stride", "only used by windowing: hf_strided");
  if (stride > shortest_window)
    config_fail(section + ".stride", std::to_string(stride) + " exceeds the " +
                                         (section == "eval" ? "window eval.context = " : "shortest length ") +
                                         std::to_string(shortest_window));
}

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

void check_increasing(const std::vector<int64_t>& lengths, const std::string& path, const std::string& noun) {
  for (size_t i = 1; i < lengths.size(); ++i)
    if (lengths[i] <= lengths[i - 1])
      config_fail(path + "[" + std::to_string(i) + "]", noun + " must increase, found " + std::to_string(lengths[i]) +
                                                            " after " + std::to_string(lengths[i - 1]));
}

std::vector<int64_t> finetune_budgets(const ExtendConfig& extend, const ModelConfig& trained) {
  if (!extend.enabled) return {};
  if (trained.position.type != "rope") return {0};
  return extend.finetune.steps;
}

bool finetunes(const ExtendConfig& extend, const ModelConfig& trained) {
  const std::vector<int64_t> budgets = finetune_budgets(extend, trained);
  return std::any_of(budgets.begin(), budgets.end(), [](int64_t s) { return s > 0; });
}

std::string budget_label(const std::string& method, int64_t steps) {
  return steps > 0 ? method + " fine-tuned " + std::to_string(steps) + " steps" : method;
}

std::vector<ExtendMethod> parse_scaling_methods(const YAML::Node& methods, const std::string& path,
                                                const ModelConfig& trained, const std::vector<int64_t>& lengths) {
  std::vector<ExtendMethod> out;
  if (!methods || !methods.IsSequence() || methods.size() == 0)
    config_fail(path, "expected a non-empty list of scaling blocks, found " + describe_node(methods));
  for (size_t i = 0; i < methods.size(); ++i) {
    const std::string p = path + "[" + std::to_string(i) + "]";
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
    if (!method.scaling.contains("type"))
      config_fail(p + ".type", "required (" + joined_variant_names("position.scaling") + ")");
    if (method.name.empty()) method.name = method.scaling["type"].is_string() ? method.scaling["type"].get<std::string>() : "method";
    for (const auto& other : out)
      if (other.name == method.name)
        config_fail(p + ".name", "'" + method.name + "' names two methods (give them distinct `name:`s)");
    // Check the method at every length now, so a bad block fails before any evaluation. On a
    // model without RoPE the block is checked as if it had RoPE; its points are reported n/a.
    ModelConfig probe = trained;
    probe.position.type = "rope";
    for (int64_t length : lengths) extension_model(probe, method, length, p);
    out.push_back(std::move(method));
  }
  return out;
}

ExtendConfig parse_extend_section(const YAML::Node& node, const ModelConfig& trained) {
  ExtendConfig c;
  c.enabled = true;
  YAML::Node methods;
  read_mapping(node, "extend",
               section_fields(c, {}, {{"methods", [&](const YAML::Node& n, const std::string&) { methods = n; }}}),
               /*required=*/true);
  if (c.lengths.empty())
    config_fail("extend.lengths", "expected a non-empty list of context lengths, found " + describe_node(node["lengths"]));
  check_fields(c, "extend");
  check_increasing(c.lengths, "extend.lengths");
  if (c.finetune.steps.empty())
    config_fail("extend.finetune.steps", "expected at least one budget (0 = as trained), found an empty list");
  check_increasing(c.finetune.steps, "extend.finetune.steps", "budgets");
  c.methods = parse_scaling_methods(methods, "extend.methods", trained, c.lengths);
  check_windowing_stride(c.windowing, c.stride, c.lengths.front(), "extend");
  if (c.text.empty()) config_fail("extend.text", "must be 'validation' or a text file");
  return c;
}

nlohmann::json scaling_methods_to_json(const std::vector<ExtendMethod>& methods) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& m : methods) {
    nlohmann::json j = m.scaling;
    j["name"] = m.name;
    if (m.factor_auto) j["factor"] = "auto";
    out.push_back(j);
  }
  return out;
}

nlohmann::json extend_to_json(const ExtendConfig& c) {
  nlohmann::json j = section_to_json(c);
  j["methods"] = scaling_methods_to_json(c.methods);
  return j;
}

}  // namespace ablate
