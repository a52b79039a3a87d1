// Reading and writing the YAML `model:` section. One pass over each mapping: every key is
// dispatched to its field, so unknown and duplicate keys are caught where they occur.
#include "harness/model_yaml.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <locale>
#include <set>
#include <sstream>
#include <utility>
#include <vector>

namespace ablate {
namespace {

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw ConfigError(path + ": " + what);
}

// What a node holds, for "found ..." in messages.
std::string describe(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return "null";
  if (node.IsSequence()) return "a sequence";
  if (node.IsMap()) return "a mapping";
  std::string s = node.Scalar();
  if (s.size() > 40) s = s.substr(0, 37) + "...";
  return "'" + s + "'";
}

int64_t read_int(const YAML::Node& node, const std::string& path,
                 const char* expected = "an integer") {
  if (!node.IsScalar())
    fail(path, std::string("expected ") + expected + ", found " + describe(node));
  const std::string& s = node.Scalar();
  const char* begin = s.data();
  const char* end = s.data() + s.size();
  if (begin != end && *begin == '+') ++begin;
  int64_t v = 0;
  const auto [ptr, ec] = std::from_chars(begin, end, v);
  if (begin == end || ptr != end || ec == std::errc::invalid_argument) {
    fail(path, std::string("expected ") + expected + ", found " + describe(node));
  }
  if (ec == std::errc::result_out_of_range)
    fail(path, "integer out of range, found " + describe(node));
  return v;
}

double read_double(const YAML::Node& node, const std::string& path) {
  if (!node.IsScalar()) fail(path, "expected a number, found " + describe(node));
  std::istringstream in(node.Scalar());
  in.imbue(std::locale::classic());
  double v = 0;
  in >> v;
  if (node.Scalar().empty() || in.fail() || !(in >> std::ws).eof() || !std::isfinite(v)) {
    fail(path, "expected a number, found " + describe(node));
  }
  return v;
}

bool read_bool(const YAML::Node& node, const std::string& path) {
  if (node.IsScalar()) {
    const std::string& s = node.Scalar();
    if (s == "true" || s == "True" || s == "TRUE") return true;
    if (s == "false" || s == "False" || s == "FALSE") return false;
  }
  fail(path, "expected true or false, found " + describe(node));
}

std::string read_string(const YAML::Node& node, const std::string& path) {
  if (!node.IsScalar()) fail(path, "expected a string, found " + describe(node));
  return node.Scalar();
}

// `hidden: auto` (stored as 0) or an integer.
int64_t read_hidden(const YAML::Node& node, const std::string& path) {
  if (node.IsScalar() && node.Scalar() == "auto") return 0;
  return read_int(node, path, "an integer or 'auto'");
}

// A mapping's keys, each with the function that reads its value (value node, full path).
using Fields =
    std::vector<std::pair<std::string, std::function<void(const YAML::Node&, const std::string&)>>>;

// Reads `node` key by key. A missing (or null) slot mapping keeps the defaults unless required.
void read_mapping(const YAML::Node& node, const std::string& path, const Fields& fields,
                  bool required = false) {
  if (!required && (!node.IsDefined() || node.IsNull())) return;
  if (!node.IsMap()) fail(path, "expected a mapping, found " + describe(node));
  std::set<std::string> seen;
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (!it->first.IsScalar()) fail(path, "expected string keys, found " + describe(it->first));
    const std::string key = it->first.Scalar();
    const std::string key_path = path + "." + key;
    if (!seen.insert(key).second) fail(key_path, "duplicate key");
    auto field = fields.begin();
    while (field != fields.end() && field->first != key) ++field;
    if (field == fields.end()) {
      std::string allowed;
      for (const auto& f : fields) allowed += (allowed.empty() ? "" : ", ") + f.first;
      fail(key_path, "unknown key (allowed: " + allowed + ")");
    }
    field->second(it->second, key_path);
  }
}

// Field readers bound to a member.
template <typename T>
auto int_field(T& target) {
  return [&target](const YAML::Node& n, const std::string& p) { target = read_int(n, p); };
}
auto double_field(double& target) {
  return [&target](const YAML::Node& n, const std::string& p) { target = read_double(n, p); };
}
auto bool_field(bool& target) {
  return [&target](const YAML::Node& n, const std::string& p) { target = read_bool(n, p); };
}
auto string_field(std::string& target) {
  return [&target](const YAML::Node& n, const std::string& p) { target = read_string(n, p); };
}

// ---- emitting ----

// Shortest text that reads back as the same double; integral values keep a ".0".
std::string format_double(double v) {
  char buf[40];
  if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 1e15) {
    std::snprintf(buf, sizeof(buf), "%.1f", v);
    return buf;
  }
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof(buf), "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

// Type names are plain words; anything else is double-quoted so that it reads back verbatim.
std::string format_string(const std::string& s) {
  bool plain = !s.empty() && s != "null" && s != "Null" && s != "NULL";
  for (size_t i = 0; i < s.size() && plain; ++i) {
    const char c = s[i];
    plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
            (i > 0 && c >= '0' && c <= '9');
  }
  if (plain) return s;
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char esc[8];
      std::snprintf(esc, sizeof(esc), "\\x%02x", c);
      out += esc;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
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
    docs = YAML::LoadAll(yaml_text);
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
    << "  n_kv_heads: " << c.attention.n_kv_heads << "\n";
  return o.str();
}

}  // namespace ablate
