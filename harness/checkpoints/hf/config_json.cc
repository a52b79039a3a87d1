// config.json reading helpers shared by the architectures (see config_json.h).
#include "harness/checkpoints/hf/config_json.h"

#include <cmath>
#include <cstdio>

#include "harness/common/errors.h"
#include "harness/common/file_io.h"
#include "harness/common/json_excerpt.h"

namespace ablate::hf {

void fail(const std::string& where, const std::string& what) { throw InteropError(where + ": " + what); }


Json read_json(const std::string& path) {
  const std::string text = read_whole_file_or_throw<InteropError>(path);
  try {
    return Json::parse(text);
  } catch (const Json::exception& e) {
    fail(path, std::string("not valid JSON: ") + e.what());
  }
}

Fields::Fields(const Json& object, std::string where) : j_(object), where_(std::move(where)) {
  if (!j_.is_object()) fail(where_, std::string("expected a JSON object, found ") + j_.type_name());
}

bool Fields::has(const std::string& key) const {
  const auto it = j_.find(key);
  return it != j_.end() && !it->is_null();
}

const Json& Fields::at(const std::string& key) const {
  if (!has(key)) fail(where_, "missing \"" + key + "\"");
  return j_.at(key);
}

int64_t Fields::integer(const std::string& key) const {
  const Json& v = at(key);
  if (v.is_number_integer() || (v.is_number_float() && std::floor(v.get<double>()) == v.get<double>())) {
    const double d = v.get<double>();
    if (std::abs(d) <= 2147483647.0) return static_cast<int64_t>(d);
    fail(where_, key + ": " + json_excerpt(v) + " is out of range (at most 2147483647)");
  }
  fail(where_, key + ": expected an integer, found " + json_excerpt(v));
}

double Fields::number(const std::string& key) const {
  const Json& v = at(key);
  if (!v.is_number()) fail(where_, key + ": expected a number, found " + json_excerpt(v));
  return v.get<double>();
}

bool Fields::boolean(const std::string& key, bool fallback) const {
  if (!has(key)) return fallback;
  const Json& v = j_.at(key);
  if (!v.is_boolean()) fail(where_, key + ": expected true or false, found " + json_excerpt(v));
  return v.get<bool>();
}

std::string Fields::string(const std::string& key, const std::string& fallback) const {
  if (!has(key)) return fallback;
  const Json& v = j_.at(key);
  if (!v.is_string()) fail(where_, key + ": expected a string, found " + json_excerpt(v));
  return v.get<std::string>();
}

void set_attention_heads(ModelConfig& m, int64_t n_heads, int64_t n_kv_heads) {
  m.attention.n_heads = n_heads;
  if (n_kv_heads == n_heads) {
    m.attention.type = "mha";
    m.attention.n_kv_heads = 0;
  } else if (n_kv_heads == 1) {
    m.attention.type = "mqa";
    m.attention.n_kv_heads = 0;
  } else {
    m.attention.type = "gqa";
    m.attention.n_kv_heads = n_kv_heads;
  }
}

}  // namespace ablate::hf
