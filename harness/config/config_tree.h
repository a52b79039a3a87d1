// The YAML-document layer under experiment configs: a config file with `base: OTHER.yaml`
// inheritance (deep merge, child over base), dotted-path overrides for sweeps, the file and
// line:column every key came from (so that "train.lr: must be > 0" becomes
// "configs/x.yaml:12:7: train.lr: must be > 0"), and YAML <-> JSON for resolved configs.
//
// YAML paths are dotted keys with sequence indices in brackets: "model.norm.type", "data.files[2]".
#pragma once

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include <map>
#include <string>

#include "components/model/model_config.h"  // ConfigError

namespace ablate {

struct ConfigTree {
  YAML::Node root;                             // the merged mapping, `base` key removed
  std::string path;                            // the file that was loaded (as given)
  std::map<std::string, std::string> sources;  // YAML path -> the file that set it (last writer wins)
  std::map<std::string, YAML::Mark> marks;     // YAML path -> where that file set it (0-based)

  // A copy gets its own nodes (YAML::Node copies share them), so overriding one sweep point's
  // copy leaves the loaded tree alone.
  ConfigTree() = default;
  ConfigTree(const ConfigTree& other);
  ConfigTree& operator=(const ConfigTree& other);
  ConfigTree(ConfigTree&&) = default;
  ConfigTree& operator=(ConfigTree&& other);
};

// Reads `path`, a YAML mapping. `base: FILE` (relative to the directory of the file naming it)
// loads FILE the same way, recursively (at most 32 levels), and this file is deep-merged over it:
// mappings merge key by key, any other value (scalar, sequence, null) replaces the base's value.
// Every error is a ConfigError starting with the file that has the problem:
//   "PATH: cannot read: No such file or directory"
//   "PATH:LINE:COL: YAML syntax error: MSG"                 (1-based line and column)
//   "PATH: expected a mapping at the top level, found null" (also an empty file)
//   "PATH:LINE:COL: model.norm: duplicate key"
//   "PATH: base: expected a file name, found a sequence"
//   "PATH: base: BASE: cannot read: No such file or directory"
//   "PATH: base: cycle: a.yaml -> b.yaml -> a.yaml"
// A base is named in messages as it was opened: the including file's directory joined with FILE.
// The tree's nodes are private copies (no YAML aliases shared), so they can be edited freely.
ConfigTree load_config_tree(const std::string& path);

// Same, from text; `source` names it in messages and `base:` is relative to the current directory.
ConfigTree load_config_tree_text(const std::string& text, const std::string& source);

// Sets a dotted path ("model.norm.type", "seed") to a copy of `value`, creating intermediate
// mappings (an absent or null intermediate becomes a mapping). An intermediate that is anything
// else is a ConfigError "SOURCE: model.norm.type: cannot set, model.norm is not a mapping".
// Records `source` (e.g. "sweep point norm=rmsnorm of sweep.yaml") as the source of the path and of
// any intermediate it created; sources and marks recorded under the path are dropped.
void apply_override(ConfigTree& tree, const std::string& dotted_path, const YAML::Node& value,
                    const std::string& source);

// The file that set `yaml_path` or its longest recorded prefix, with ":LINE:COL" (1-based) when
// that file's position is known; tree.path when nothing is recorded.
std::string source_of(const ConfigTree& tree, const std::string& yaml_path);

// `error` ("train.lr: must be > 0, found -1") with its location in front:
// "configs/x.yaml:12:7: train.lr: must be > 0, found -1". When the text before the first ": " is
// not a YAML path (letters, digits, _ . [ ] only), tree.path goes in front instead.
ConfigError locate_error(const ConfigTree& tree, const ConfigError& error);

// YAML -> JSON: mappings -> objects, sequences -> arrays, null and ~ -> null. Plain scalars are
// typed: decimal integers -> int64 (uint64, then double, when out of range), finite decimal numbers
// (YAML 1.2 core: 1, -2.5, 3e-4, .5) -> double, true/True/TRUE/false/False/FALSE -> bool; quoted
// scalars (Tag() "!"), explicitly tagged ones and everything else (.inf, 0x10, yes) -> string.
// Scalars built in code (Tag() "") are typed like plain ones.
// nlohmann::json sorts object keys; yaml_to_json<nlohmann::ordered_json> keeps the YAML key order.
template <typename Json = nlohmann::json>
Json yaml_to_json(const YAML::Node& node);

extern template nlohmann::json yaml_to_json<nlohmann::json>(const YAML::Node& node);
extern template nlohmann::ordered_json yaml_to_json<nlohmann::ordered_json>(const YAML::Node& node);

// JSON -> block-style YAML text that yaml_to_json(load_config_tree_text(...).root) reads back equal
// (a top-level object; note that a top-level "base" key would be read as inheritance). Strings
// that would read as anything else (numbers, bools, null, "", ':' '#' quotes...) are double-quoted;
// doubles are written in the shortest form that reads back exactly. NaN and infinities are written
// as .nan, .inf and -.inf, which yaml_to_json reads back as strings.
std::string json_to_yaml(const nlohmann::json& value);
std::string json_to_yaml(const nlohmann::ordered_json& value);

}  // namespace ablate
