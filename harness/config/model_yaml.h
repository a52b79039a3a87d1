// The YAML `model:` section <-> ModelConfig, through the field lists of model_config.h.
// Every error is a ConfigError whose message starts with the YAML path
// ("model.norm.epsilon: unknown key (allowed: type, eps)"); the *_text form prefixes the source.
#pragma once

#include <yaml-cpp/yaml.h>
#include <nlohmann/json.hpp>

#include <string>

#include "components/model/model_config.h"

namespace ablate {

// Reads a `model:` mapping (unknown keys and wrong types are errors; a missing key or slot
// mapping keeps its default), then resolves and checks it. `path` names the node in messages.
ModelConfig parse_model_config(const YAML::Node& node, const std::string& path = "model");

// Whole YAML (or JSON) document: its top-level `model:` section if it has one, else the
// document itself is the model section. Errors read "SOURCE: model.d_model: ..."; syntax
// errors "SOURCE:LINE:COLUMN: YAML syntax error: ...".
// A saved model section (a checkpoint's or a result's config) in today's terms: a key added since
// it was written gets the value that reproduces how that model was trained. `embedding_scale`:
// every model before the key existed added its positions to unscaled embeddings, so a missing
// key reads as 1 (not `auto`, which would scale a sinusoidal model by √d_model).
nlohmann::json upgrade_saved_model_section(nlohmann::json model);

ModelConfig parse_model_config_text(const std::string& yaml_text, const std::string& source_name);

// The resolved config as a YAML mapping (every key, `hidden` as a number, no `model:` wrapper);
// parse_model_config(YAML::Load(model_config_to_yaml(c))) reproduces a resolved c exactly.
std::string model_config_to_yaml(const ModelConfig& config);
// The same as JSON, keys in field order.
nlohmann::ordered_json model_config_to_json(const ModelConfig& config);

}  // namespace ablate
