// ModelConfig: the plain struct that states a model (the YAML `model:` section, resolved).
// The YAML names are the contract (README "The `model:` section"); this struct mirrors them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "components/core/errors.h"

namespace ablate {

struct NormConfig {
  std::string type = "rmsnorm";  // layernorm | rmsnorm
  double eps = 1e-5;
};

struct MlpConfig {
  std::string type = "swiglu";  // gelu | swiglu
  int64_t hidden = 0;           // 0 = `hidden: auto`
  int64_t multiple_of = 8;      // swiglu auto size is rounded up to this
  std::string form = "tanh";    // gelu only: tanh | erf
};

struct RopeScalingConfig {
  std::string type = "none";     // none | linear | ntk | dynamic_ntk | yarn
  double factor = 1.0;           // s >= 1
  int64_t original_context = 0;  // 0 = the model's `context`
  double beta_fast = 32.0;       // yarn
  double beta_slow = 1.0;        // yarn
  double mscale = 0.0;           // yarn, 0 = unset (HF: used with mscale_all_dim)
  double mscale_all_dim = 0.0;   // yarn, 0 = unset
  double attention_factor = 0.0; // yarn, 0 = auto (0.1 ln s + 1)
  bool truncate = true;          // yarn: floor/ceil the correction range (HF default)
};

struct PositionConfig {
  std::string type = "rope";  // learned | sinusoidal | rope | none
  double theta = 10000.0;     // rope base
  int64_t rotary_dim = 0;     // rope: 0 = head_dim (full rotary); must be even and <= head_dim
  RopeScalingConfig scaling;
};

struct AttentionConfig {
  std::string type = "mha";  // mha | mqa | gqa (sets n_kv_heads = n_heads, 1, given)
  int64_t n_heads = 4;
  int64_t n_kv_heads = 0;  // resolved from type; required for gqa
  bool qkv_bias = false;   // biases on the q, k, v projections only (Qwen2); model.bias puts them everywhere
};

struct ModelConfig {
  int64_t vocab_size = 256;
  int64_t d_model = 64;
  int64_t n_layers = 2;
  int64_t context = 128;       // training context L (size of a learned position table)
  bool tie_embeddings = true;  // lm_head shares model.embed_tokens.weight
  bool bias = false;           // biases on every linear layer (GPT-2 style)
  double init_std = 0.02;      // N(0, init_std); residual output projections / sqrt(2 n_layers)
  NormConfig norm;
  MlpConfig mlp;
  PositionConfig position;
  AttentionConfig attention;

  int64_t head_dim() const { return d_model / attention.n_heads; }
  int64_t n_kv_heads() const { return attention.n_kv_heads; }
  int64_t rotary_dim() const { return position.rotary_dim > 0 ? position.rotary_dim : head_dim(); }
  int64_t rope_original_context() const {
    return position.scaling.original_context > 0 ? position.scaling.original_context : context;
  }
  // MLP hidden size: explicit, or auto = 4 d (gelu), Llama's floor(2 * 4d / 3) rounded up to
  // multiple_of (swiglu; 3 matrices of d x h then hold as many parameters as gelu's 2 of d x 4d).
  int64_t mlp_hidden() const;
  // Analytic KV-cache footprint, fp32: 2 (K and V) * layers * n_kv_heads * head_dim * 4 bytes.
  int64_t kv_cache_bytes_per_token() const { return 2 * n_layers * n_kv_heads() * head_dim() * 4; }

  // Fills derived fields (n_kv_heads from the attention type) and checks every constraint;
  // throws ConfigError naming the YAML path under `prefix` (normally "model").
  void resolve(const std::string& prefix = "model");
};

}  // namespace ablate
