// Implementation of harness/config/config_tree.h. A file is parsed, walked once (duplicate keys, the
// position of every key path), copied into fresh nodes without its `base` key, and merged over
// its base, which was loaded the same way. Merging builds new nodes rather than editing either
// side, so yaml-cpp's shared-reference assignment never leaks one file's nodes into another.
#include "harness/config/config_tree.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "harness/common/file_io.h"
#include "harness/config/yaml_read.h"

namespace ablate {
namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxBases = 32;
constexpr int kMaxDepth = 512;  // nesting of mappings and sequences (also stops alias loops)

// "FILE:LINE:COL" with 1-based line and column; just FILE when the mark is unknown.
std::string located(const std::string& file, const YAML::Mark& mark) {
  if (mark.is_null()) return file;
  return file + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

std::string join_key(const std::string& prefix, const std::string& key) {
  return prefix.empty() ? key : prefix + "." + key;
}

// The value stored under scalar key `key` of mapping `map`, if any (a handle into `map`).
std::optional<YAML::Node> find_key(const YAML::Node& map, const std::string& key) {
  for (auto it = map.begin(); it != map.end(); ++it)
    if (it->first.IsScalar() && it->first.Scalar() == key) return it->second;
  return std::nullopt;
}

// A private deep copy: fresh nodes, tags kept, shared (aliased) nodes copied separately.
YAML::Node deep_copy(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return YAML::Node(YAML::NodeType::Null);
  if (node.IsScalar()) {
    YAML::Node out(node.Scalar());
    out.SetTag(node.Tag());
    return out;
  }
  if (node.IsSequence()) {
    YAML::Node out(YAML::NodeType::Sequence);
    for (const auto& element : node) out.push_back(deep_copy(element));
    return out;
  }
  YAML::Node out(YAML::NodeType::Map);
  for (auto it = node.begin(); it != node.end(); ++it) out[it->first.Scalar()] = deep_copy(it->second);
  return out;
}

// Drops what is recorded strictly under `path` ("path.x", "path[0]").
void erase_under(ConfigTree& tree, const std::string& path) {
  auto erase_in = [&path](auto& map) {
    for (auto it = map.lower_bound(path); it != map.end() && it->first.compare(0, path.size(), path) == 0;) {
      const bool below = it->first.size() > path.size() &&
                         (it->first[path.size()] == '.' || it->first[path.size()] == '[');
      it = below ? map.erase(it) : std::next(it);
    }
  };
  erase_in(tree.sources);
  erase_in(tree.marks);
}

// ---- loading ----

// FileIoError text as "cannot read: ..." (it says "cannot open: ..." when open(2) fails).
std::string read_problem(const FileIoError& e) {
  const std::string what = e.what();
  const std::string open = "cannot open: ";
  if (what.compare(0, open.size(), open) == 0) return "cannot read: " + what.substr(open.size());
  return what;
}

std::string file_key(const std::string& path) {
  std::error_code ec;
  fs::path key = fs::weakly_canonical(path, ec);
  if (ec) key = fs::absolute(path, ec).lexically_normal();
  return key.string();
}

// One file (or text) on the chain of bases being loaded; `key` is "" for text.
struct Frame {
  std::string name;
  std::string key;
};

YAML::Node parse_document(const std::string& text, const std::string& name) {
  std::vector<YAML::Node> docs;
  try {
    docs = load_yaml_documents(text);
  } catch (const YAML::ParserException& e) {
    throw ConfigError(located(name, e.mark) + ": YAML syntax error: " + e.msg);
  } catch (const YAML::Exception& e) {
    throw ConfigError(located(name, e.mark) + ": YAML error: " + e.msg);
  }
  if (docs.size() > 1)
    throw ConfigError(name + ": expected one YAML document, found " + std::to_string(docs.size()));
  YAML::Node root = docs.empty() ? YAML::Node(YAML::NodeType::Null) : docs[0];
  if (!root.IsMap())
    throw ConfigError(name + ": expected a mapping at the top level, found " + describe_node(root));
  return root;
}

// Records every key path under `node` (set by `file`) and rejects duplicate and non-string keys.
void walk(const YAML::Node& node, const std::string& path, const std::string& file, int depth,
          ConfigTree& tree) {
  if (depth > kMaxDepth) {
    const std::string shown = path.size() > 60 ? path.substr(0, 60) + "..." : path;
    throw ConfigError(located(file, node.Mark()) + ": " + shown + ": nested more than " +
                      std::to_string(kMaxDepth) + " levels deep (a recursive alias?)");
  }
  auto record = [&](const std::string& p, const YAML::Mark& mark) {
    tree.sources[p] = file;
    if (mark.is_null()) {
      tree.marks.erase(p);
    } else {
      tree.marks[p] = mark;
    }
  };
  if (node.IsSequence()) {
    for (size_t i = 0; i < node.size(); ++i) {
      const std::string p = path + "[" + std::to_string(i) + "]";
      record(p, node[i].Mark());
      walk(node[i], p, file, depth + 1, tree);
    }
  } else if (node.IsMap()) {
    std::set<std::string> seen;
    for (auto it = node.begin(); it != node.end(); ++it) {
      const YAML::Node key = it->first;  // copies: the iterator hands out a temporary pair
      const YAML::Node value = it->second;
      if (!key.IsScalar())
        throw ConfigError(located(file, key.Mark()) + ": " + (path.empty() ? "(top level)" : path) +
                          ": expected a string key, found " + describe_node(key));
      const std::string p = join_key(path, key.Scalar());
      if (!seen.insert(key.Scalar()).second)
        throw ConfigError(located(file, key.Mark()) + ": " + p + ": duplicate key");
      if (depth == 0 && key.Scalar() == "base") continue;
      // A scalar's own position ("lr: -1" points at -1); a collection's or null's: its key.
      const bool at_value = value.IsScalar() && !value.Mark().is_null();
      record(p, at_value ? value.Mark() : key.Mark());
      walk(value, p, file, depth + 1, tree);
    }
  }
}

// `child` (already walked) deep-merged over `base`; `tree` holds the base's sources and marks and
// loses those under every path the child replaces wholesale.
YAML::Node merge_nodes(const YAML::Node& base, const YAML::Node& child, const std::string& path,
                       ConfigTree& tree) {
  YAML::Node out(YAML::NodeType::Map);
  for (auto it = base.begin(); it != base.end(); ++it) {
    const std::string key = it->first.Scalar();
    const std::optional<YAML::Node> over = find_key(child, key);
    if (!over) {
      out[key] = deep_copy(it->second);
    } else if (it->second.IsMap() && over->IsMap()) {
      out[key] = merge_nodes(it->second, *over, join_key(path, key), tree);
    } else {
      erase_under(tree, join_key(path, key));
      out[key] = deep_copy(*over);
    }
  }
  for (auto it = child.begin(); it != child.end(); ++it) {
    const std::string key = it->first.Scalar();
    if (!find_key(base, key)) out[key] = deep_copy(it->second);
  }
  return out;
}

ConfigTree load_document(const std::string& text, const std::string& name, const fs::path& dir,
                         std::vector<Frame>& chain) {
  const YAML::Node doc = parse_document(text, name);
  ConfigTree own;
  own.path = name;
  walk(doc, "", name, 0, own);
  own.root = YAML::Node(YAML::NodeType::Map);
  for (auto it = doc.begin(); it != doc.end(); ++it)
    if (it->first.Scalar() != "base") own.root[it->first.Scalar()] = deep_copy(it->second);

  const std::optional<YAML::Node> base = find_key(doc, "base");
  if (!base) return own;
  if (!base->IsScalar() || base->Scalar().empty())
    throw ConfigError(name + ": base: expected a file name, found " + describe_node(*base));
  const std::string base_name = (dir / base->Scalar()).string();
  const std::string key = file_key(base_name);
  for (size_t i = 0; i < chain.size(); ++i) {
    if (chain[i].key != key) continue;
    std::string cycle;
    for (size_t j = i; j < chain.size(); ++j) cycle += chain[j].name + " -> ";
    throw ConfigError(name + ": base: cycle: " + cycle + base_name);
  }
  if (chain.size() > kMaxBases)
    throw ConfigError(name + ": base: more than " + std::to_string(kMaxBases) +
                      " levels of base files");
  std::string base_text;
  try {
    base_text = read_whole_file(base_name);
  } catch (const FileIoError& e) {
    throw ConfigError(name + ": base: " + base_name + ": " + read_problem(e));
  }
  chain.push_back({base_name, key});
  ConfigTree merged = load_document(base_text, base_name, fs::path(base_name).parent_path(), chain);
  chain.pop_back();

  merged.path = name;
  merged.root.reset(merge_nodes(merged.root, own.root, "", merged));
  for (const auto& [p, file] : own.sources) {
    merged.sources[p] = file;
    const auto mark = own.marks.find(p);
    if (mark == own.marks.end()) {
      merged.marks.erase(p);
    } else {
      merged.marks[p] = mark->second;
    }
  }
  return merged;
}

// ---- JSON ----

bool is_plain(const YAML::Node& node) { return node.Tag().empty() || node.Tag() == "?"; }

bool all_digits(const std::string& s, size_t begin, size_t end) {
  if (begin >= end) return false;
  for (size_t i = begin; i < end; ++i)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

// YAML 1.2 core float: [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
bool is_decimal_number(const std::string& s) {
  size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  const size_t mantissa = i;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  const size_t int_digits = i - mantissa;
  size_t frac_digits = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    const size_t frac = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    frac_digits = i - frac;
  }
  if (int_digits == 0 && frac_digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    if (!all_digits(s, i, s.size())) return false;
    i = s.size();
  }
  return i == s.size();
}

template <typename Json>
Json scalar_to_json(const YAML::Node& node) {
  const std::string& s = node.Scalar();
  if (!is_plain(node)) return Json(s);
  if (s == "true" || s == "True" || s == "TRUE") return Json(true);
  if (s == "false" || s == "False" || s == "FALSE") return Json(false);
  const bool sign = !s.empty() && (s[0] == '-' || s[0] == '+');
  const char* begin = s.data() + (!s.empty() && s[0] == '+' ? 1 : 0);
  const char* end = s.data() + s.size();
  if (all_digits(s, sign ? 1 : 0, s.size())) {
    int64_t v = 0;
    if (const auto r = std::from_chars(begin, end, v); r.ec == std::errc() && r.ptr == end) return Json(v);
    uint64_t u = 0;
    if (const auto r = std::from_chars(begin, end, u); r.ec == std::errc() && r.ptr == end) return Json(u);
  }
  if (is_decimal_number(s)) {
    double v = 0;
    const auto r = std::from_chars(begin, end, v);
    if (r.ec == std::errc() && r.ptr == end && std::isfinite(v)) return Json(v);
  }
  return Json(s);
}

// Plain words that read back as themselves (no number, bool or null look-alike, YAML 1.1 included).
bool plain_safe(const std::string& s) {
  static const std::set<std::string> reserved = {
      "null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE",
      "y",    "Y",    "yes",  "Yes",  "YES",  "n",    "N",    "no",    "No",
      "NO",   "on",   "On",   "ON",   "off",  "Off",  "OFF"};
  if (s.empty() || reserved.count(s)) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    const bool later = (c >= '0' && c <= '9') || c == '.' || c == '/' || c == '-';
    if (!letter && !(i > 0 && later)) return false;
  }
  return true;
}

std::string yaml_string(const std::string& s) {
  if (plain_safe(s)) return s;
  std::string out = "\"";
  for (const char ch : s) {
    const unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          static const char hex[] = "0123456789abcdef";
          out += "\\x";
          out += hex[c >> 4];
          out += hex[c & 15];
        } else {
          out += ch;
        }
    }
  }
  return out + "\"";
}

template <typename Json>
bool is_inline(const Json& v) {
  return !v.is_structured() || v.empty();
}

template <typename Json>
std::string inline_yaml(const Json& v) {
  switch (v.type()) {
    case nlohmann::json::value_t::null: return "null";
    case nlohmann::json::value_t::boolean: return v.template get<bool>() ? "true" : "false";
    case nlohmann::json::value_t::number_integer: return std::to_string(v.template get<int64_t>());
    case nlohmann::json::value_t::number_unsigned: return std::to_string(v.template get<uint64_t>());
    case nlohmann::json::value_t::number_float: {
      const double d = v.template get<double>();
      if (std::isnan(d)) return ".nan";
      if (std::isinf(d)) return d > 0 ? ".inf" : "-.inf";
      return format_double(d);
    }
    case nlohmann::json::value_t::string: return yaml_string(v.template get_ref<const std::string&>());
    case nlohmann::json::value_t::object: return "{}";
    case nlohmann::json::value_t::array: return "[]";
    default: throw ConfigError("json_to_yaml: binary and discarded JSON values have no YAML form");
  }
}

// A non-empty object or array as block lines, each starting with `indent` spaces.
template <typename Json>
void emit_block(const Json& v, size_t indent, std::string& out) {
  const std::string pad(indent, ' ');
  if (v.is_object()) {
    for (auto it = v.begin(); it != v.end(); ++it) {
      out += pad + yaml_string(it.key()) + ":";
      if (is_inline(it.value())) {
        out += " " + inline_yaml(it.value()) + "\n";
      } else {
        out += "\n";
        emit_block(it.value(), indent + 2, out);
      }
    }
    return;
  }
  for (const auto& element : v) {
    if (is_inline(element)) {
      out += pad + "- " + inline_yaml(element) + "\n";
    } else {
      std::string nested;  // the first line's indentation becomes "- "
      emit_block(element, indent + 2, nested);
      out += pad + "- " + nested.substr(indent + 2);
    }
  }
}

template <typename Json>
std::string to_yaml(const Json& value) {
  if (is_inline(value)) return inline_yaml(value) + "\n";
  std::string out;
  emit_block(value, 0, out);
  return out;
}

}  // namespace

ConfigTree::ConfigTree(const ConfigTree& other)
    : root(deep_copy(other.root)), path(other.path), sources(other.sources), marks(other.marks) {}

ConfigTree& ConfigTree::operator=(const ConfigTree& other) {
  if (this == &other) return *this;
  root.reset(deep_copy(other.root));  // rebinds; `root = ...` would overwrite the shared node
  path = other.path;
  sources = other.sources;
  marks = other.marks;
  return *this;
}

ConfigTree& ConfigTree::operator=(ConfigTree&& other) {
  if (this == &other) return *this;
  root.reset(other.root);
  path = std::move(other.path);
  sources = std::move(other.sources);
  marks = std::move(other.marks);
  return *this;
}

ConfigTree load_config_tree(const std::string& path) {
  std::string text;
  try {
    text = read_whole_file(path);
  } catch (const FileIoError& e) {
    throw ConfigError(path + ": " + read_problem(e));
  }
  std::vector<Frame> chain = {{path, file_key(path)}};
  return load_document(text, path, fs::path(path).parent_path(), chain);
}

ConfigTree load_config_tree_text(const std::string& text, const std::string& source) {
  std::vector<Frame> chain = {{source, ""}};
  return load_document(text, source, fs::path(), chain);
}

void apply_override(ConfigTree& tree, const std::string& dotted_path, const YAML::Node& value,
                    const std::string& source) {
  std::vector<std::string> keys;
  for (size_t start = 0;;) {
    const size_t dot = dotted_path.find('.', start);
    keys.push_back(dotted_path.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  for (const auto& key : keys)
    if (key.empty())
      throw ConfigError(source + ": '" + dotted_path + "': not a dotted path (empty key)");
  if (!tree.root.IsDefined() || tree.root.IsNull()) tree.root.reset(YAML::Node(YAML::NodeType::Map));
  if (!tree.root.IsMap())
    throw ConfigError(source + ": " + dotted_path + ": cannot set, the top level is not a mapping");

  YAML::Node current;
  current.reset(tree.root);  // rebinds the handle; `=` would overwrite the node it refers to
  std::string prefix;
  for (size_t i = 0; i + 1 < keys.size(); ++i) {
    prefix = join_key(prefix, keys[i]);
    const std::optional<YAML::Node> existing = find_key(current, keys[i]);
    if (!existing || existing->IsNull()) {
      current[keys[i]] = YAML::Node(YAML::NodeType::Map);
      tree.sources[prefix] = source;
      tree.marks.erase(prefix);
    } else if (!existing->IsMap()) {
      throw ConfigError(source + ": " + dotted_path + ": cannot set, " + prefix + " is not a mapping");
    }
    current.reset(*find_key(current, keys[i]));
  }
  current[keys.back()] = deep_copy(value);
  erase_under(tree, dotted_path);
  tree.sources[dotted_path] = source;
  tree.marks.erase(dotted_path);
}

std::string source_of(const ConfigTree& tree, const std::string& yaml_path) {
  std::string p = yaml_path;
  for (;;) {
    const auto source = tree.sources.find(p);
    if (source != tree.sources.end()) {
      const auto mark = tree.marks.find(p);
      return mark == tree.marks.end() ? source->second : located(source->second, mark->second);
    }
    const size_t cut = p.find_last_of(".[");
    if (cut == std::string::npos || cut == 0) return tree.path;
    p.resize(cut);
  }
}

ConfigError locate_error(const ConfigTree& tree, const ConfigError& error) {
  const std::string message = error.what();
  const size_t colon = message.find(": ");
  bool is_path = colon != std::string::npos && colon > 0;
  for (size_t i = 0; is_path && i < colon; ++i) {
    const char c = message[i];
    is_path = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '[' || c == ']';
  }
  if (!is_path) return ConfigError(tree.path + ": " + message);
  return ConfigError(source_of(tree, message.substr(0, colon)) + ": " + message);
}

template <typename Json>
Json yaml_to_json(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return Json(nullptr);
  if (node.IsScalar()) return scalar_to_json<Json>(node);
  if (node.IsSequence()) {
    Json array = Json::array();
    for (const auto& element : node) array.push_back(yaml_to_json<Json>(element));
    return array;
  }
  Json object = Json::object();
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (!it->first.IsScalar())
      throw ConfigError("yaml_to_json: expected string keys, found " + describe_node(it->first));
    object[it->first.Scalar()] = yaml_to_json<Json>(it->second);
  }
  return object;
}

template nlohmann::json yaml_to_json<nlohmann::json>(const YAML::Node& node);
template nlohmann::ordered_json yaml_to_json<nlohmann::ordered_json>(const YAML::Node& node);

std::string json_to_yaml(const nlohmann::json& value) { return to_yaml(value); }
std::string json_to_yaml(const nlohmann::ordered_json& value) { return to_yaml(value); }

}  // namespace ablate
