// RoPE scaling in config.json (see rope_scaling.h).
#include "harness/checkpoints/hf/rope_scaling.h"

#include <cmath>

#include "harness/common/errors.h"

namespace ablate::hf {

// rope_scaling (or v5's rope_parameters) -> position.scaling.
void read_rope_scaling(const Json& block, const std::string& where, ModelConfig& m, std::vector<std::string>& notes) {
  const Fields r(block, where);
  const std::string type = r.has("rope_type") ? r.string("rope_type", "") : r.string("type", "default");
  RopeScalingConfig& s = m.position.scaling;
  if (type == "default") {
    s.type = "none";
  } else if (type == "linear") {
    s.type = "linear";
    s.factor = r.number("factor");
  } else if (type == "dynamic") {
    // HF's _compute_dynamic_ntk_parameters uses M = max_position_embeddings (= model.context).
    s.type = "dynamic_ntk";
    s.factor = r.number("factor");
  } else if (type == "yarn") {
    s.type = "yarn";
    s.factor = r.number("factor");
    s.original_context = r.integer("original_max_position_embeddings", m.context);
    s.beta_fast = r.number("beta_fast", 32.0);
    s.beta_slow = r.number("beta_slow", 1.0);
    s.attention_factor = r.number("attention_factor", 0.0);
    s.mscale = r.number("mscale", 0.0);
    s.mscale_all_dim = r.number("mscale_all_dim", 0.0);
    s.truncate = r.boolean("truncate", true);
    if (r.has("original_max_position_embeddings") && s.original_context > 0 &&
        std::abs(static_cast<double>(m.context) / s.original_context - s.factor) > 1e-9)
      notes.push_back("yarn: factor " + number_text(s.factor) + " is used as given; some transformers versions derive "
                      "it as max_position_embeddings / original_max_position_embeddings = " +
                      number_text(static_cast<double>(m.context) / s.original_context));
  } else {
    fail(where, "rope_type '" + type + "' is not supported: Ablate's RoPE scalings read from config.json are "
                "default, linear, dynamic, yarn (llama3 and longrope have no Ablate equivalent)");
  }
}

Json rope_scaling_json(const ModelConfig& m) {
  const RopeScalingConfig& s = m.position.scaling;
  if (s.type == "none") return nullptr;
  if (s.type == "linear") return {{"rope_type", "linear"}, {"factor", s.factor}};
  if (s.type == "dynamic_ntk") {
    if (m.rope_original_context() != m.context)
      throw InteropError("dynamic_ntk with original_context " + std::to_string(s.original_context) +
                         " != context " + std::to_string(m.context) +
                         " cannot be written: HF's dynamic scaling uses max_position_embeddings as the original context");
    return {{"rope_type", "dynamic"}, {"factor", s.factor}};
  }
  if (s.type == "yarn") {
    Json j = {{"rope_type", "yarn"},
              {"factor", s.factor},
              {"original_max_position_embeddings", m.rope_original_context()},
              {"beta_fast", s.beta_fast},
              {"beta_slow", s.beta_slow}};
    if (s.attention_factor > 0) j["attention_factor"] = s.attention_factor;
    if (s.mscale > 0) j["mscale"] = s.mscale;
    if (s.mscale_all_dim > 0) j["mscale_all_dim"] = s.mscale_all_dim;
    if (!s.truncate) j["truncate"] = false;
    return j;
  }
  throw InteropError("RoPE scaling '" + s.type + "' has no Hugging Face rope_type (linear, dynamic, yarn)");
}

}  // namespace ablate::hf
