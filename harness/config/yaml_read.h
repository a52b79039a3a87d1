// Typed, path-aware reading of YAML config nodes, shared by every config section (model, data,
// train, eval, ...). Every problem is a ConfigError whose message starts with the YAML path:
// "train.lr: expected a number, found 'fast'", "data.kind: unknown key (allowed: type, path)".
// And the inverse: text for numbers and names that reads back exactly.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "components/model/model_config.h"  // ConfigError

namespace ablate {

[[noreturn]] void config_fail(const std::string& path, const std::string& what);

// YAML::LoadAll(text), safe on every input: yaml-cpp 0.7 and 0.8 accept some malformed streams
// ("," or ", a" alone, jbeder/yaml-cpp#1040) and then report the same null document forever
// without consuming input, so LoadAll never returns (and grows without bound). Here that is a
// YAML::ParserException "unexpected ','" at the offending character, which callers report like any
// other syntax error; so is text that is not UTF-8 ("invalid UTF-8 (byte 0x8F); ..."), which YAML
// streams must be and the JSON that results and checkpoints record needs. Other YAML::Exceptions
// propagate as from LoadAll.
std::vector<YAML::Node> load_yaml_documents(const std::string& text);

// What a node holds, for "found ..." in messages: null, a sequence, a mapping or 'scalar'.
std::string describe_node(const YAML::Node& node);

int64_t read_int(const YAML::Node& node, const std::string& path,
                 const char* expected = "an integer");
double read_double(const YAML::Node& node, const std::string& path,
                   const char* expected = "a number");  // finite numbers only
bool read_bool(const YAML::Node& node, const std::string& path);
std::string read_string(const YAML::Node& node, const std::string& path);

// A mapping's keys, each with the function that reads its value (value node, full path).
using Fields =
    std::vector<std::pair<std::string, std::function<void(const YAML::Node&, const std::string&)>>>;

// Reads `node` key by key: unknown keys ("unknown key (allowed: ...)") and duplicate keys are
// errors. A missing or null node keeps the defaults unless `required`. An empty `path` is the
// document's top level (keys read as "train", not ".train").
void read_mapping(const YAML::Node& node, const std::string& path, const Fields& fields,
                  bool required = false);

// Field readers bound to a variable.
template <typename T>
auto int_field(T& target) {
  return [&target](const YAML::Node& n, const std::string& p) { target = read_int(n, p); };
}
inline auto double_field(double& target) {
  return [&target](const YAML::Node& n, const std::string& p) { target = read_double(n, p); };
}
inline auto bool_field(bool& target) {
  return [&target](const YAML::Node& n, const std::string& p) { target = read_bool(n, p); };
}
inline auto string_field(std::string& target) {
  return [&target](const YAML::Node& n, const std::string& p) { target = read_string(n, p); };
}

// Shortest text that reads back as the same double; integral values keep a ".0".
std::string format_double(double v);
// Plain words stay plain; anything else is double-quoted so that it reads back verbatim.
std::string format_string(const std::string& s);

}  // namespace ablate
