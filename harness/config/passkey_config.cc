// Reading the `passkey:` section (see passkey_config.h).
#include "harness/config/passkey_config.h"

#include "harness/config/config_tree.h"
#include "harness/config/fields.h"
#include "harness/config/yaml_read.h"
#include "harness/eval/passkey.h"

namespace ablate {

void check_passkey_lengths(const PasskeyConfig& c, const Tokenizer& tokenizer) {
  const int64_t overhead = passkey_prompt_overhead(tokenizer, c.digits, c.instruction);
  if (c.lengths.front() > overhead) return;
  std::string what = std::to_string(c.lengths.front()) + " tokens leave no room for filler: the prompt without filler (" +
                     (c.instruction ? "instruction, " : "") + "key line, question) takes " + std::to_string(overhead) +
                     " " + tokenizer.name() + " tokens";
  if (c.instruction)
    what += "; instruction: false takes " + std::to_string(passkey_prompt_overhead(tokenizer, c.digits, false));
  config_fail("passkey.lengths[0]", what);
}

PasskeyConfig parse_passkey_section(const YAML::Node& node, const ModelConfig& trained, const ExtendConfig& extend,
                                    const std::string& tokenizer_spec) {
  PasskeyConfig c;
  c.enabled = true;
  YAML::Node methods;
  bool has_methods = false;
  read_mapping(node, "passkey",
               section_fields(c, {}, {{"methods", [&](const YAML::Node& n, const std::string&) {
                                         methods = n;
                                         has_methods = true;
                                       }}}),
               /*required=*/true);
  if (c.lengths.empty())
    config_fail("passkey.lengths", "expected a non-empty list of context lengths, found " + describe_node(node["lengths"]));
  if (c.depths.empty()) config_fail("passkey.depths", "expected a non-empty list of fractions in [0, 1], found an empty list");
  check_fields(c, "passkey");
  check_increasing(c.lengths, "passkey.lengths");
  if (c.filler.empty()) config_fail("passkey.filler", "must be 'synthetic' or a text file");
  if (has_methods) c.methods = parse_scaling_methods(methods, "passkey.methods", trained, c.lengths);
  else if (extend.enabled) c.methods = parse_scaling_methods(YAML::Load(json_to_yaml(scaling_methods_to_json(extend.methods))),
                                                             "extend.methods", trained, c.lengths);
  else c.methods = parse_scaling_methods(YAML::Load("[{type: none}]"), "passkey.methods", trained, c.lengths);
  if (tokenizer_spec == "byte") check_passkey_lengths(c, ByteTokenizer());
  return c;
}

nlohmann::json passkey_to_json(const PasskeyConfig& c) {
  nlohmann::json j = section_to_json(c);
  j["methods"] = scaling_methods_to_json(c.methods);
  return j;
}

}  // namespace ablate
