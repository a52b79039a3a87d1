// Reading and writing the YAML `model:` section through its field list (model_config.h).
#include "harness/config/model_yaml.h"

#include <vector>

#include "harness/config/config_tree.h"
#include "harness/config/fields.h"
#include "harness/config/yaml_read.h"

namespace ablate {

ModelConfig parse_model_config(const YAML::Node& node, const std::string& path) {
  ModelConfig c;
  read_section(node, path, c, /*required=*/true);
  c.resolve(path);
  return c;
}

ModelConfig parse_model_config_text(const std::string& yaml_text, const std::string& source_name) {
  std::vector<YAML::Node> docs;
  try {
    docs = load_yaml_documents(yaml_text);
  } catch (const YAML::ParserException& e) {
    throw ConfigError(source_name + ":" + std::to_string(e.mark.line + 1) + ":" +
                      std::to_string(e.mark.column + 1) + ": YAML syntax error: " + e.msg);
  } catch (const YAML::Exception& e) {
    throw ConfigError(source_name + ": YAML error: " + e.what());
  }
  if (docs.empty()) throw ConfigError(source_name + ": empty document (expected a model section)");
  if (docs.size() > 1) {
    throw ConfigError(source_name + ": expected one YAML document, found " +
                      std::to_string(docs.size()));
  }
  const YAML::Node& root = docs[0];
  try {
    if (root.IsMap() && root["model"]) return parse_model_config(root["model"], "model");
    return parse_model_config(root, "model");
  } catch (const ConfigError& e) {
    throw ConfigError(source_name + ": " + e.what());
  } catch (const YAML::Exception& e) {
    throw ConfigError(source_name + ": YAML error: " + e.what());
  }
}

nlohmann::ordered_json model_config_to_json(const ModelConfig& config) {
  ModelConfig c = config;
  c.mlp.hidden = c.mlp_hidden();  // `auto` stated as the number it means
  return section_to_json(c);
}

std::string model_config_to_yaml(const ModelConfig& config) { return json_to_yaml(model_config_to_json(config)); }

nlohmann::json upgrade_saved_model_section(nlohmann::json model) {
  if (model.is_object() && !model.contains("embedding_scale")) model["embedding_scale"] = 1;
  return model;
}

}  // namespace ablate
