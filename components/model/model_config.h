// ModelConfig: the plain struct that states a model (the YAML `model:` section, resolved).
// The YAML names are the contract (README "The `model:` section"); this struct mirrors them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "components/core/errors.h"
#include "components/model/config_fields.h"

namespace ablate {

// Each section lists its keys once (config_fields.h): YAML name, member, doc, constraint.
struct NormConfig {
  std::string type = "rmsnorm";
  double eps = 1e-5;

  template <class V>
  void visit_fields(V& v) {
    v(field("type", type, "the norm variant").check(variant_of("norm")));
    v(field("eps", eps, "added to the variance (layernorm) or mean square (rmsnorm)").check(positive()));
  }
};

// mlp.hidden: `auto` gives up to 4·d_model (rounded up to multiple_of), which must read back.
constexpr int64_t kMaxHidden = 8 * kMaxSize;

struct MlpConfig {
  std::string type = "swiglu";
  int64_t hidden = 0;       // 0 = `hidden: auto`
  int64_t multiple_of = 8;  // swiglu auto size is rounded up to this
  std::string form = "tanh";

  template <class V>
  void visit_fields(V& v) {
    v(field("type", type, "the MLP variant").check(variant_of("mlp")));
    v(field("hidden", hidden, "hidden width; auto = 4 d (gelu), 8/3 d rounded up to multiple_of (swiglu)")
          .check(at_least(0, "0 = auto").at_most(kMaxHidden))
          .or_word("auto", int64_t{0}));
    v(field("multiple_of", multiple_of, "swiglu: the auto hidden width is a multiple of this")
          .check(at_least(1).at_most(kMaxSize)));
    v(field("form", form, "gelu: tanh approximation or exact erf").check(one_of({"tanh", "erf"})));
  }
};

// One struct for every scaling method's keys (as Hugging Face's rope_scaling block); each method's
// registry row (rope_scaling.cc) names the keys it uses and checks how they relate.
struct RopeScalingConfig {
  std::string type = "none";
  double factor = 1.0;           // s >= 1
  int64_t original_context = 0;  // 0 = the model's `context`
  double beta_fast = 32.0;       // yarn
  double beta_slow = 1.0;        // yarn
  double mscale = 0.0;           // yarn, 0 = unset (HF: used with mscale_all_dim)
  double mscale_all_dim = 0.0;   // yarn, 0 = unset
  double attention_factor = 0.0; // yarn, longrope: 0 = the method's default
  bool truncate = true;          // yarn: floor/ceil the correction range (HF default)
  double low_freq_factor = 1.0;  // llama3
  double high_freq_factor = 4.0; // llama3
  std::vector<double> short_factor;  // longrope: rotary_dim / 2 factors, used up to original_context
  std::vector<double> long_factor;   // longrope: used past original_context

  template <class V>
  void visit_fields(V& v) {
    v(field("type", type, "the scaling method").check(variant_of("position.scaling")));
    v(field("factor", factor, "s: the context extension factor")
          .check(at_least(1, "a scaling factor < 1 is an error")));
    v(field("original_context", original_context, "M: the context trained at; 0 = model.context")
          .check(at_least(0).at_most(kMaxSize)));
    v(field("beta_fast", beta_fast, "yarn: rotations at which the ramp starts (extrapolation)"));
    v(field("beta_slow", beta_slow, "yarn: rotations at which the ramp ends (interpolation)"));
    v(field("mscale", mscale, "yarn: mscale of DeepSeek-style configs; 0 = unset").check(at_least(0)));
    v(field("mscale_all_dim", mscale_all_dim, "yarn: mscale_all_dim; 0 = unset").check(at_least(0)));
    v(field("attention_factor", attention_factor, "yarn, longrope: multiplies cos and sin; 0 = the method's own")
          .check(at_least(0)));
    v(field("truncate", truncate, "yarn: floor/ceil the correction range"));
    v(field("low_freq_factor", low_freq_factor, "llama3: wavelengths above M / low_freq_factor are divided by s"));
    v(field("high_freq_factor", high_freq_factor, "llama3: wavelengths below M / high_freq_factor are kept"));
    v(field("short_factor", short_factor, "longrope: per-frequency divisors up to M").list_of("a list of numbers")
          .check(positive()));
    v(field("long_factor", long_factor, "longrope: per-frequency divisors past M").list_of("a list of numbers")
          .check(positive()));
  }
};

struct PositionConfig {
  std::string type = "rope";
  double theta = 10000.0;  // rope base
  int64_t rotary_dim = 0;  // rope: 0 = head_dim (full rotary); must be even and <= head_dim
  RopeScalingConfig scaling;

  template <class V>
  void visit_fields(V& v) {
    v(field("type", type, "the position variant").check(variant_of("position")));
    v(field("theta", theta, "rope: the frequency base").check(positive()));
    v(field("rotary_dim", rotary_dim, "rope: rotated dims per head; 0 = head_dim").check(at_least(0)));
    v.section("scaling", scaling, "rope: context-extension method");
  }
};

struct AttentionConfig {
  std::string type = "mha";  // sets n_kv_heads = n_heads (mha), 1 (mqa) or the given value (gqa)
  int64_t n_heads = 4;
  int64_t n_kv_heads = 0;  // resolved from type; required for gqa
  bool qkv_bias = false;   // biases on the q, k, v projections only (Qwen2); model.bias puts them everywhere

  template <class V>
  void visit_fields(V& v) {
    v(field("type", type, "the attention variant").check(variant_of("attention")));
    v(field("n_heads", n_heads, "query heads; divides d_model").check(size()));
    v(field("n_kv_heads", n_kv_heads, "key/value heads; set by mha and mqa, required for gqa"));
    v(field("qkv_bias", qkv_bias, "biases on the q, k, v projections only (Qwen2)"));
  }
};

struct ModelConfig {
  int64_t vocab_size = 256;
  int64_t d_model = 64;
  int64_t n_layers = 2;
  int64_t context = 128;       // training context L (size of a learned position table)
  bool tie_embeddings = true;  // lm_head shares model.embed_tokens.weight
  bool bias = false;           // biases on every linear layer (GPT-2 style)
  double init_std = 0.02;      // N(0, init_std); residual output projections / sqrt(2 n_layers)
  double embedding_scale = 0;  // x₀ = embedding_scale · E[tokens] (+ positions); 0 = auto (resolve)
  NormConfig norm;
  MlpConfig mlp;
  PositionConfig position;
  AttentionConfig attention;

  template <class V>
  void visit_fields(V& v) {
    v(field("vocab_size", vocab_size, "token ids the embedding holds").check(size()));
    v(field("d_model", d_model, "residual width").check(size()));
    v(field("n_layers", n_layers, "transformer blocks").check(size()));
    v(field("context", context, "training context L (size of a learned position table)").check(size()));
    v(field("tie_embeddings", tie_embeddings, "lm_head shares model.embed_tokens.weight"));
    v(field("bias", bias, "biases on every linear layer (GPT-2 style)"));
    v(field("init_std", init_std, "weights start N(0, init_std); residual projections / sqrt(2 n_layers)")
          .check(positive()));
    v(field("embedding_scale", embedding_scale,
            "token embeddings are multiplied by this before positions are added; auto = the position "
            "variant's recipe: sqrt(d_model) for sinusoidal (Vaswani et al. 3.4), else 1")
          .check(at_least(0, "0 = auto"))
          .or_word("auto", 0.0));
    v.section("norm", norm, "the norm slot");
    v.section("mlp", mlp, "the MLP slot");
    v.section("position", position, "the position slot");
    v.section("attention", attention, "the attention slot");
  }

  int64_t head_dim() const { return d_model / attention.n_heads; }
  int64_t n_kv_heads() const { return attention.n_kv_heads; }
  int64_t rotary_dim() const { return position.rotary_dim > 0 ? position.rotary_dim : head_dim(); }
  int64_t rope_original_context() const {
    return position.scaling.original_context > 0 ? position.scaling.original_context : context;
  }
  // MLP hidden size: explicit, or the MLP variant's auto width (registry.cc: 4 d for gelu, Llama's
  // floor(2 * 4d / 3) rounded up to multiple_of for swiglu, so 3 matrices of d x h hold as many
  // parameters as gelu's 2 of d x 4d).
  int64_t mlp_hidden() const;
  // The token-embedding scale: explicit, or the position variant's auto scale (its registry row:
  // sqrt(d_model) for sinusoidal, 1 for every other type).
  double token_embedding_scale() const;
  // Analytic KV-cache footprint, fp32: 2 (K and V) * layers * n_kv_heads * head_dim * 4 bytes.
  int64_t kv_cache_bytes_per_token() const { return 2 * n_layers * n_kv_heads() * head_dim() * 4; }

  // Checks every key (the field lists above), then the relations between keys and each chosen
  // variant's own checks (its registry row); fills derived fields (n_kv_heads from the attention
  // type, mlp.hidden, embedding_scale). Throws ConfigError naming the YAML path under `prefix`
  // (normally "model").
  void resolve(const std::string& prefix = "model");
};

}  // namespace ablate
