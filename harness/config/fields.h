// The visitors over config field lists (components/model/config_fields.h): each section's rows
// are read from YAML, written as the resolved config and listed as documentation by the same
// walk, so the three cannot drift apart.
//   read_section(node, "train", config.train)   YAML mapping -> struct (unknown keys, types)
//   section_to_json(config.train)                struct -> JSON, in field order
//   describe_section(config.train, "train")      one KeyDoc per key, with its default
// Constraints are checked by check_fields (engine side), after reading.
#pragma once

#include <yaml-cpp/yaml.h>
#include <nlohmann/json.hpp>

#include <string>
#include <type_traits>
#include <vector>

#include "components/model/config_fields.h"
#include "harness/config/yaml_read.h"

namespace ablate {

namespace field_detail {

inline void read_value(const YAML::Node& n, const std::string& p, int64_t& v, const char*) { v = read_int(n, p); }
inline void read_value(const YAML::Node& n, const std::string& p, double& v, const char*) { v = read_double(n, p); }
inline void read_value(const YAML::Node& n, const std::string& p, bool& v, const char*) { v = read_bool(n, p); }
inline void read_value(const YAML::Node& n, const std::string& p, std::string& v, const char*) {
  v = read_string(n, p);
}
template <typename T>
void read_value(const YAML::Node& n, const std::string& p, std::vector<T>& v, const char* noun) {
  if (!n.IsSequence())
    config_fail(p, std::string("expected ") + (noun ? noun : "a list") + ", found " + describe_node(n));
  v.clear();
  for (size_t i = 0; i < n.size(); ++i) {
    T element{};
    read_value(n[i], p + "[" + std::to_string(i) + "]", element, nullptr);
    v.push_back(element);
  }
}

template <typename T>
struct is_list : std::false_type {};
template <typename T>
struct is_list<std::vector<T>> : std::true_type {};

template <typename T>
void read_field(const YAML::Node& n, const std::string& p, const Field<T>& f) {
  if constexpr (is_list<T>::value) {
    if (f.single_ok && n.IsScalar()) {  // one value: a list of one
      typename T::value_type element{};
      read_value(n, p, element, nullptr);
      *f.value = {element};
      return;
    }
  }
  if (f.auto_word && n.IsScalar() && n.Scalar() == f.auto_word) {
    *f.value = f.auto_value;
    return;
  }
  if constexpr (std::is_same_v<T, int64_t>) {
    if (f.auto_word) {
      *f.value = read_int(n, p, (std::string("an integer or '") + f.auto_word + "'").c_str());
      return;
    }
  }
  if constexpr (std::is_same_v<T, double>) {
    if (f.auto_word) {
      *f.value = read_double(n, p, (std::string("a number or '") + f.auto_word + "'").c_str());
      return;
    }
  }
  read_value(n, p, *f.value, f.list_noun);
}

template <typename T>
const char* type_name() {
  if constexpr (std::is_same_v<T, int64_t>) return "integer";
  else if constexpr (std::is_same_v<T, double>) return "number";
  else if constexpr (std::is_same_v<T, bool>) return "boolean";
  else if constexpr (std::is_same_v<T, std::string>) return "string";
  else return "list";
}

}  // namespace field_detail

// Collects a section's rows as the key -> reader table that read_mapping takes.
class YamlFieldReader {
 public:
  explicit YamlFieldReader(Fields& out) : out_(out) {}
  template <typename T>
  void operator()(const Field<T>& f) {
    out_.push_back({f.name, [f](const YAML::Node& n, const std::string& p) { field_detail::read_field(n, p, f); }});
  }
  template <typename S>
  void section(const char* name, S& s, const char* /*doc*/);

 private:
  Fields& out_;
};

// The rows of `s` (and its sections), for read_mapping, between the `before` and `after` rows of
// keys the section reads by hand (`model:` inside the experiment root, bench.models).
template <typename S>
Fields section_fields(S& s, Fields before = {}, Fields after = {}) {
  Fields fields = std::move(before);
  YamlFieldReader reader(fields);
  s.visit_fields(reader);
  for (auto& e : after) fields.push_back(std::move(e));
  return fields;
}

// Reads the mapping at `path` into `s`: unknown keys, duplicates and wrong types are ConfigErrors
// naming the key; absent keys keep their defaults (read_mapping, yaml_read.h).
template <typename S>
void read_section(const YAML::Node& node, const std::string& path, S& s, bool required = false) {
  read_mapping(node, path, section_fields(s), required);
}

template <typename S>
void YamlFieldReader::section(const char* name, S& s, const char*) {
  out_.push_back({name, [&s](const YAML::Node& n, const std::string& p) { read_section(n, p, s); }});
}

// Writes every written row of a section, in field order.
class JsonFieldWriter {
 public:
  explicit JsonFieldWriter(nlohmann::ordered_json& out) : out_(out) {}
  template <typename T>
  void operator()(const Field<T>& f) {
    if (f.written) out_[f.name] = *f.value;
  }
  template <typename S>
  void section(const char* name, S& s, const char*) {
    nlohmann::ordered_json inner = nlohmann::ordered_json::object();
    JsonFieldWriter writer(inner);
    s.visit_fields(writer);
    out_[name] = std::move(inner);
  }

 private:
  nlohmann::ordered_json& out_;
};

template <typename S>
nlohmann::ordered_json section_to_json(S s) {  // by value: visiting needs a mutable struct
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  JsonFieldWriter writer(out);
  s.visit_fields(writer);
  return out;
}

// One documented key: "train.lr", "number", "0.001", "> 0", "peak learning rate".
struct KeyDoc {
  std::string path, type, default_value, constraint, doc;
};

class KeyDocumenter {
 public:
  KeyDocumenter(std::string path, std::vector<KeyDoc>& out) : path_(std::move(path)), out_(out) {}
  template <typename T>
  void operator()(const Field<T>& f) {
    std::string constraint = f.constraint.describe();
    if (f.auto_word) constraint += std::string(constraint.empty() ? "" : ", ") + "or " + f.auto_word;
    const nlohmann::json value = *f.value;
    out_.push_back({key(f.name), field_detail::type_name<T>(), value.dump(), constraint, f.doc});
  }
  template <typename S>
  void section(const char* name, S& s, const char* doc) {
    KeyDocumenter inner(key(name), out_);
    s.visit_fields(inner);
  }

 private:
  std::string key(const char* name) const { return path_.empty() ? name : path_ + "." + name; }
  std::string path_;
  std::vector<KeyDoc>& out_;
};

// The keys of a default-constructed section, with their defaults.
template <typename S>
std::vector<KeyDoc> describe_section(const std::string& path) {
  S s{};
  std::vector<KeyDoc> out;
  KeyDocumenter documenter(path, out);
  s.visit_fields(documenter);
  return out;
}

}  // namespace ablate
