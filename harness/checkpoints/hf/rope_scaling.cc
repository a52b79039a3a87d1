// RoPE scaling in config.json (see rope_scaling.h), read and written from the registry: each
// scaling's row names its Hugging Face rope_type and its own keys, and the keys map one to one
// (Ablate's original_context is HF's original_max_position_embeddings), so a registered scaling
// with an HF name needs no code here.
#include "harness/checkpoints/hf/rope_scaling.h"

#include <algorithm>
#include <cmath>
#include <type_traits>

#include "components/model/registry.h"
#include "harness/common/errors.h"
#include "harness/config/fields.h"

namespace ablate::hf {
namespace {

// Ablate key -> config.json key.
std::string hf_key(const std::string& key) {
  return key == "original_context" ? "original_max_position_embeddings" : key;
}

bool owns(const VariantRow& row, const std::string& key) {
  return std::find(row.keys.begin(), row.keys.end(), key) != row.keys.end();
}

// Reads one key of the block into the RopeScalingConfig field of that name (absent: unchanged).
class BlockReader {
 public:
  BlockReader(const Fields& block, const std::string& key) : r_(block), key_(key) {}
  template <typename T>
  void operator()(const Field<T>& f) {
    if (key_ != f.name || !r_.has(hf_key(key_))) return;
    const std::string k = hf_key(key_);
    if constexpr (std::is_same_v<T, int64_t>) *f.value = r_.integer(k);
    else if constexpr (std::is_same_v<T, double>) *f.value = r_.number(k);
    else if constexpr (std::is_same_v<T, bool>) *f.value = r_.boolean(k, *f.value);
    else if constexpr (std::is_same_v<T, std::string>) *f.value = r_.string(k, *f.value);
    else {
      const Json& list = r_.at(k);
      if (!list.is_array()) fail(r_.where(), k + ": expected a list of numbers, found " + list.dump());
      f.value->clear();
      for (const Json& x : list) {
        if (!x.is_number()) fail(r_.where(), k + ": expected a list of numbers, found " + x.dump());
        f.value->push_back(x.get<double>());
      }
    }
  }
  template <typename S>
  void section(const char*, S&, const char*) {}

 private:
  const Fields& r_;
  const std::string& key_;
};

std::string supported_rope_types() {
  std::string out;
  for (const VariantRow& row : registered_variants())
    if (row.slot == "position.scaling" && !row.hf_name.empty()) out += (out.empty() ? "" : ", ") + row.hf_name;
  return out;
}

}  // namespace

void read_rope_scaling(const Json& block, const std::string& where, const Fields& config, ModelConfig& m,
                       std::vector<std::string>& notes) {
  const Fields r(block, where);
  const std::string type = r.has("rope_type") ? r.string("rope_type", "") : r.string("type", "default");
  const VariantRow* row = find_variant_by_hf_name("position.scaling", type);
  if (!row)
    fail(where, "rope_type '" + type + "' is not supported: Ablate's RoPE scalings read from config.json are " +
                    supported_rope_types());
  RopeScalingConfig& s = m.position.scaling;
  s.type = row->name;
  for (const std::string& key : row->keys) {
    BlockReader reader(r, key);
    s.visit_fields(reader);
  }
  if (owns(*row, "original_context") && !r.has("original_max_position_embeddings"))
    // Phi-3 (transformers 4.x) states it beside max_position_embeddings; else it is the context.
    s.original_context = config.integer("original_max_position_embeddings", m.context);
  const double ratio = s.original_context > 0 ? static_cast<double>(m.context) / s.original_context : 1.0;
  if (!r.has("factor")) {
    if (!owns(*row, "original_context") || s.original_context == 0) fail(where, "missing \"factor\"");
    s.factor = ratio;  // as transformers derives it
  } else if (owns(*row, "original_context") && s.original_context > 0 && std::abs(ratio - s.factor) > 1e-9 &&
             (r.has("original_max_position_embeddings") || config.has("original_max_position_embeddings"))) {
    notes.push_back(row->name + ": factor " + format_significant(s.factor, 10) + " is used as given; some transformers versions "
                    "derive it as max_position_embeddings / original_max_position_embeddings = " + format_significant(ratio, 10));
  }
}

Json rope_scaling_json(const ModelConfig& m) {
  const RopeScalingConfig& s = m.position.scaling;
  const VariantRow& row = find_variant("position.scaling", s.type, "model.position.scaling.type");
  if (row.hf_name == "default") return nullptr;  // HF states plain RoPE by writing no block
  if (row.hf_name.empty())
    throw InteropError("RoPE scaling '" + s.type + "' has no Hugging Face rope_type (" + supported_rope_types() + ")");
  if (!owns(row, "original_context") && m.rope_original_context() != m.context) {
    // HF takes max_position_embeddings as M; refuse only where that changes the frequencies.
    const RopeFrequencies here = rope_frequencies(m.position.theta, m.rotary_dim(), s, m.rope_original_context(), 2 * m.context);
    const RopeFrequencies there = rope_frequencies(m.position.theta, m.rotary_dim(), s, m.context, 2 * m.context);
    if (here.inv_freq != there.inv_freq || here.attention_factor != there.attention_factor)
      throw InteropError(s.type + " with original_context " + std::to_string(s.original_context) + " != context " +
                         std::to_string(m.context) + " cannot be written: HF's " + row.hf_name +
                         " scaling uses max_position_embeddings as the original context");
  }
  RopeScalingConfig resolved = s;
  resolved.original_context = m.rope_original_context();
  const nlohmann::ordered_json values = section_to_json(resolved), defaults = section_to_json(RopeScalingConfig{});
  Json j = {{"rope_type", row.hf_name}};
  for (const std::string& key : row.keys)  // factor and M always; the others where they differ from HF's defaults
    if (key == "factor" || key == "original_context" || values[key] != defaults[key]) j[hf_key(key)] = values[key];
  return j;
}

}  // namespace ablate::hf
