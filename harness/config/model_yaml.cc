// Reading and writing the YAML `model:` section. One pass over each mapping: every key is
// dispatched to its field, so unknown and duplicate keys are caught where they occur.
#include "harness/config/model_yaml.h"

#include <sstream>
#include <vector>

#include "harness/config/yaml_read.h"

namespace ablate {
namespace {

// `hidden: auto` (stored as 0) or an integer.
int64_t read_hidden(const YAML::Node& node, const std::string& path) {
  if (node.IsScalar() && node.Scalar() == "auto") return 0;
  return read_int(node, path, "an integer or 'auto'");
}

}  // namespace

ModelConfig parse_model_config(const YAML::Node& node, const std::string& path) {
  ModelConfig c;
  NormConfig& norm = c.norm;
  MlpConfig& mlp = c.mlp;
  PositionConfig& pos = c.position;
  RopeScalingConfig& sc = c.position.scaling;
  AttentionConfig& att = c.attention;

  const Fields norm_fields = {{"type", string_field(norm.type)}, {"eps", double_field(norm.eps)}};
  const Fields mlp_fields = {
      {"type", string_field(mlp.type)},
      {"hidden",
       [&mlp](const YAML::Node& n, const std::string& p) { mlp.hidden = read_hidden(n, p); }},
      {"multiple_of", int_field(mlp.multiple_of)},
      {"form", string_field(mlp.form)},
  };
  const Fields scaling_fields = {
      {"type", string_field(sc.type)},
      {"factor", double_field(sc.factor)},
      {"original_context", int_field(sc.original_context)},
      {"beta_fast", double_field(sc.beta_fast)},
      {"beta_slow", double_field(sc.beta_slow)},
      {"mscale", double_field(sc.mscale)},
      {"mscale_all_dim", double_field(sc.mscale_all_dim)},
      {"attention_factor", double_field(sc.attention_factor)},
      {"truncate", bool_field(sc.truncate)},
  };
  const Fields position_fields = {
      {"type", string_field(pos.type)},
      {"theta", double_field(pos.theta)},
      {"rotary_dim", int_field(pos.rotary_dim)},
      {"scaling",
       [&](const YAML::Node& n, const std::string& p) { read_mapping(n, p, scaling_fields); }},
  };
  const Fields attention_fields = {
      {"type", string_field(att.type)},
      {"n_heads", int_field(att.n_heads)},
      {"n_kv_heads", int_field(att.n_kv_heads)},
      {"qkv_bias", bool_field(att.qkv_bias)},
  };
  auto slot = [](const Fields& fields) {
    return [&fields](const YAML::Node& n, const std::string& p) { read_mapping(n, p, fields); };
  };
  const Fields model_fields = {
      {"vocab_size", int_field(c.vocab_size)},
      {"d_model", int_field(c.d_model)},
      {"n_layers", int_field(c.n_layers)},
      {"context", int_field(c.context)},
      {"tie_embeddings", bool_field(c.tie_embeddings)},
      {"bias", bool_field(c.bias)},
      {"init_std", double_field(c.init_std)},
      {"norm", slot(norm_fields)},
      {"mlp", slot(mlp_fields)},
      {"position", slot(position_fields)},
      {"attention", slot(attention_fields)},
  };
  read_mapping(node, path, model_fields, /*required=*/true);
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

std::string model_config_to_yaml(const ModelConfig& c) {
  const RopeScalingConfig& s = c.position.scaling;
  std::ostringstream o;
  o << "vocab_size: " << c.vocab_size << "\n"
    << "d_model: " << c.d_model << "\n"
    << "n_layers: " << c.n_layers << "\n"
    << "context: " << c.context << "\n"
    << "tie_embeddings: " << (c.tie_embeddings ? "true" : "false") << "\n"
    << "bias: " << (c.bias ? "true" : "false") << "\n"
    << "init_std: " << format_double(c.init_std) << "\n"
    << "norm:\n"
    << "  type: " << format_string(c.norm.type) << "\n"
    << "  eps: " << format_double(c.norm.eps) << "\n"
    << "mlp:\n"
    << "  type: " << format_string(c.mlp.type) << "\n"
    << "  hidden: " << c.mlp_hidden() << "\n"
    << "  multiple_of: " << c.mlp.multiple_of << "\n"
    << "  form: " << format_string(c.mlp.form) << "\n"
    << "position:\n"
    << "  type: " << format_string(c.position.type) << "\n"
    << "  theta: " << format_double(c.position.theta) << "\n"
    << "  rotary_dim: " << c.position.rotary_dim << "\n"
    << "  scaling:\n"
    << "    type: " << format_string(s.type) << "\n"
    << "    factor: " << format_double(s.factor) << "\n"
    << "    original_context: " << s.original_context << "\n"
    << "    beta_fast: " << format_double(s.beta_fast) << "\n"
    << "    beta_slow: " << format_double(s.beta_slow) << "\n"
    << "    mscale: " << format_double(s.mscale) << "\n"
    << "    mscale_all_dim: " << format_double(s.mscale_all_dim) << "\n"
    << "    attention_factor: " << format_double(s.attention_factor) << "\n"
    << "    truncate: " << (s.truncate ? "true" : "false") << "\n"
    << "attention:\n"
    << "  type: " << format_string(c.attention.type) << "\n"
    << "  n_heads: " << c.attention.n_heads << "\n"
    << "  n_kv_heads: " << c.attention.n_kv_heads << "\n"
    << "  qkv_bias: " << (c.attention.qkv_bias ? "true" : "false") << "\n";
  return o.str();
}

}  // namespace ablate
