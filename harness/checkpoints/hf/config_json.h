// Reading a Hugging Face config.json: the file as JSON, typed access to its fields (`Fields`), and
// the small helpers every architecture's mapping shares. Errors are InteropError "WHERE: WHAT".
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "components/core/text.h"
#include "components/model/model.h"
#include "harness/common/format.h"

namespace ablate::hf {

using Json = nlohmann::json;

[[noreturn]] void fail(const std::string& where, const std::string& what);


// PATH parsed as JSON; a read failure or invalid JSON is an InteropError naming PATH.
Json read_json(const std::string& path);

// Typed access to one JSON object of config.json; a null value counts as absent (HF writes null
// for unset options). `where_` is "DIR/config.json" or "DIR/config.json: rope_scaling".
class Fields {
 public:
  Fields(const Json& object, std::string where);
  const std::string& where() const { return where_; }
  bool has(const std::string& key) const;
  const Json& at(const std::string& key) const;
  // Sizes, counts and ids, which config.json holds as int32; a larger value is an error rather than
  // an overflow in the products of sizes computed from it (found by tests/fuzz).
  int64_t integer(const std::string& key) const;
  int64_t integer(const std::string& key, int64_t fallback) const { return has(key) ? integer(key) : fallback; }
  double number(const std::string& key) const;
  double number(const std::string& key, double fallback) const { return has(key) ? number(key) : fallback; }
  bool boolean(const std::string& key, bool fallback) const;
  std::string string(const std::string& key, const std::string& fallback) const;

 private:
  const Json& j_;
  std::string where_;
};

// n_heads query heads over n_kv_heads key/value heads -> attention type mha, mqa or gqa.
void set_attention_heads(ModelConfig& m, int64_t n_heads, int64_t n_kv_heads);

}  // namespace ablate::hf
