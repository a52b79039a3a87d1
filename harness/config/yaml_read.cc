// Implementation of harness/config/yaml_read.h.
#include "harness/config/yaml_read.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <locale>
#include <set>
#include <sstream>

#include <yaml-cpp/eventhandler.h>

#include "harness/common/utf8.h"

namespace ablate {

[[noreturn]] void config_fail(const std::string& path, const std::string& what) {
  throw ConfigError(path + ": " + what);
}

namespace {

// Where each document starts; builds nothing.
class DocumentScanner : public YAML::EventHandler {
 public:
  YAML::Mark start;

  void OnDocumentStart(const YAML::Mark& mark) override { start = mark; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

}  // namespace

std::vector<YAML::Node> load_yaml_documents(const std::string& text) {
  // Text that is not UTF-8 would reach strings that results and checkpoints must write as JSON.
  YAML::Mark at;
  for (size_t pos = 0; pos < text.size();) {
    const Utf8Step step = decode_utf8(text, pos);
    if (step.cp == kInvalidCodepoint) {
      at.pos = static_cast<int>(std::min<size_t>(pos, INT32_MAX));
      char what[64];
      std::snprintf(what, sizeof what, "invalid UTF-8 (byte 0x%02X); a config file must be UTF-8",
                    static_cast<unsigned char>(text[pos]));
      throw YAML::ParserException(at, what);
    }
    if (text[pos] == '\n') {
      ++at.line;
      at.column = 0;
    } else {
      ++at.column;
    }
    pos += step.length;
  }
  // A first pass that only scans: a document starting where the previous one started made no
  // progress, and the parser would repeat it forever.
  std::istringstream stream(text);
  YAML::Parser parser(stream);
  DocumentScanner scanner;
  bool have_previous = false;
  YAML::Mark previous;
  while (parser.HandleNextDocument(scanner)) {
    if (have_previous && scanner.start.pos == previous.pos) {
      const size_t at = static_cast<size_t>(std::max(previous.pos, 0));
      const unsigned char c = at < text.size() ? static_cast<unsigned char>(text[at]) : 0;
      char shown[16];
      std::snprintf(shown, sizeof shown, c >= 0x20 && c < 0x7f ? "'%c'" : "byte 0x%02X", c);
      throw YAML::ParserException(previous, std::string("unexpected ") + shown);
    }
    previous = scanner.start;
    have_previous = true;
  }
  return YAML::LoadAll(text);
}

// What a node holds, for "found ..." in messages.
std::string describe_node(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return "null";
  if (node.IsSequence()) return node.size() == 0 ? "an empty sequence" : "a sequence";
  if (node.IsMap()) return node.size() == 0 ? "an empty mapping" : "a mapping";
  std::string s = node.Scalar();
  if (s.size() > 40) s = s.substr(0, 37) + "...";
  return "'" + s + "'";
}

int64_t read_int(const YAML::Node& node, const std::string& path,
                 const char* expected) {
  if (!node.IsScalar())
    config_fail(path, std::string("expected ") + expected + ", found " + describe_node(node));
  const std::string& s = node.Scalar();
  const char* begin = s.data();
  const char* end = s.data() + s.size();
  if (begin != end && *begin == '+') ++begin;
  int64_t v = 0;
  const auto [ptr, ec] = std::from_chars(begin, end, v);
  if (begin == end || ptr != end || ec == std::errc::invalid_argument) {
    config_fail(path, std::string("expected ") + expected + ", found " + describe_node(node));
  }
  if (ec == std::errc::result_out_of_range)
    config_fail(path, "integer out of range, found " + describe_node(node));
  return v;
}

double read_double(const YAML::Node& node, const std::string& path, const char* expected) {
  if (!node.IsScalar()) config_fail(path, std::string("expected ") + expected + ", found " + describe_node(node));
  std::istringstream in(node.Scalar());
  in.imbue(std::locale::classic());
  double v = 0;
  in >> v;
  if (node.Scalar().empty() || in.fail() || !(in >> std::ws).eof() || !std::isfinite(v)) {
    config_fail(path, std::string("expected ") + expected + ", found " + describe_node(node));
  }
  return v;
}

bool read_bool(const YAML::Node& node, const std::string& path) {
  if (node.IsScalar()) {
    const std::string& s = node.Scalar();
    if (s == "true" || s == "True" || s == "TRUE") return true;
    if (s == "false" || s == "False" || s == "FALSE") return false;
  }
  config_fail(path, "expected true or false, found " + describe_node(node));
}

std::string read_string(const YAML::Node& node, const std::string& path) {
  if (!node.IsScalar()) config_fail(path, "expected a string, found " + describe_node(node));
  return node.Scalar();
}

// Reads `node` key by key. A missing (or null) slot mapping keeps the defaults unless required.
void read_mapping(const YAML::Node& node, const std::string& path, const Fields& fields,
                  bool required) {
  if (!required && (!node.IsDefined() || node.IsNull())) return;
  if (!node.IsMap())
    config_fail(path.empty() ? "(top level)" : path, "expected a mapping, found " + describe_node(node));
  std::set<std::string> seen;
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (!it->first.IsScalar()) config_fail(path, "expected string keys, found " + describe_node(it->first));
    const std::string key = it->first.Scalar();
    const std::string key_path = path.empty() ? key : path + "." + key;
    if (!seen.insert(key).second) config_fail(key_path, "duplicate key");
    auto field = fields.begin();
    while (field != fields.end() && field->first != key) ++field;
    if (field == fields.end()) {
      std::string allowed;
      for (const auto& f : fields) allowed += (allowed.empty() ? "" : ", ") + f.first;
      config_fail(key_path, "unknown key (allowed: " + allowed + ")");
    }
    field->second(it->second, key_path);
  }
}

// ---- emitting ----

// Shortest text that reads back as the same double; integral values keep a ".0".
std::string format_double(double v) {
  char buf[40];
  if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 1e15) {
    std::snprintf(buf, sizeof(buf), "%.1f", v);
    return buf;
  }
  return shortest_number(v);
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

}  // namespace ablate
