// The one place where variants are registered: one row per variant (registry.h). Adding a
// variant: docs/adding-a-variant.md.
#include "components/model/registry.h"

#include <algorithm>
#include <cmath>

#include "components/mlp/gelu.h"
#include "components/mlp/swiglu.h"
#include "components/norm/layernorm.h"
#include "components/norm/rmsnorm.h"
#include "components/position/learned.h"
#include "components/position/none.h"
#include "components/position/rope.h"
#include "components/position/scaling/dynamic_ntk.h"
#include "components/position/scaling/linear.h"
#include "components/position/scaling/llama3.h"
#include "components/position/scaling/longrope.h"
#include "components/position/scaling/none.h"
#include "components/position/scaling/ntk.h"
#include "components/position/scaling/yarn.h"
#include "components/position/sinusoidal.h"

namespace ablate {
namespace {

[[noreturn]] void fail(const std::string& path, const std::string& what) { throw ConfigError(path + ": " + what); }

// ---- rows of each slot ----

VariantRow norm(const char* name, const char* summary, Factory<Norm> make) {
  VariantRow v{"norm", name, summary};
  v.keys = {"eps"};
  v.norm = std::move(make);
  return v;
}

VariantRow mlp(const char* name, const char* summary, Factory<Mlp> make, std::vector<std::string> keys,
               std::function<int64_t(const ModelConfig&)> auto_hidden) {
  VariantRow v{"mlp", name, summary};
  v.keys = std::move(keys);
  v.mlp = std::move(make);
  v.auto_hidden = std::move(auto_hidden);
  return v;
}

VariantRow position(const char* name, const char* summary, Factory<Position> make, std::vector<std::string> keys = {}) {
  VariantRow v{"position", name, summary};
  v.keys = std::move(keys);
  v.position = std::move(make);
  return v;
}

// A RoPE scaling: its frequencies, Hugging Face rope_type, keys, the relations its keys must
// satisfy, and an example setting for the tests.
using ScalingCheck = void (*)(const RopeScalingConfig&, int64_t rotary_dim, const std::string& path);
VariantRow scaling(const char* name, const char* summary, const char* hf_rope_type,
                   RopeFrequencies (*frequencies)(const RopeScalingConfig&, const RopeInputs&),
                   std::vector<std::string> keys, ScalingCheck check = nullptr,
                   std::function<void(RopeScalingConfig&, int64_t rotary_dim)> example = nullptr) {
  VariantRow v{"position.scaling", name, summary, hf_rope_type};
  v.keys = std::move(keys);
  v.scaling.frequencies = frequencies;
  if (check)
    v.resolve = [check](ModelConfig& c, const std::string& path) { check(c.position.scaling, c.rotary_dim(), path); };
  v.example = [example](ModelConfig& c) {
    c.position.scaling.factor = 3;
    if (example) example(c.position.scaling, c.rotary_dim());
  };
  return v;
}

// An attention type: how it sets n_kv_heads (`path` is "model.attention").
VariantRow attention(const char* name, const char* summary, std::function<void(ModelConfig&, const std::string&)> kv) {
  VariantRow v{"attention", name, summary};
  v.keys = {"n_heads", "n_kv_heads", "qkv_bias"};
  v.resolve = std::move(kv);
  return v;
}

// mha and mqa fix n_kv_heads; a different given value is an error pointing at gqa.
std::function<void(ModelConfig&, const std::string&)> fixed_kv_heads(const char* type, bool all_heads) {
  return [type, all_heads](ModelConfig& c, const std::string& path) {
    const int64_t kv = all_heads ? c.attention.n_heads : 1;
    const int64_t given = c.attention.n_kv_heads;  // 0 = not given
    if (given != 0 && given != kv)
      fail(path + ".n_kv_heads", std::to_string(given) + " given, but type " + type + " uses n_kv_heads = " +
                                     (all_heads ? "n_heads = " : "") + std::to_string(kv) + " (use type gqa)");
    c.attention.n_kv_heads = kv;
  };
}

std::vector<VariantRow> builtin_variants() {
  return {
      norm("layernorm", "LayerNorm: (x - mean)/sqrt(var + eps) * w + b (Ba et al. 2016)",
           factory<Norm>([](auto s, const ModelConfig& c) { return new LayerNorm<decltype(s)>(c.d_model, c.norm.eps); })),
      norm("rmsnorm", "RMSNorm: x/sqrt(mean(x^2) + eps) * w (Zhang & Sennrich 2019)",
           factory<Norm>([](auto s, const ModelConfig& c) { return new RmsNorm<decltype(s)>(c.d_model, c.norm.eps); })),

      mlp("gelu", "W2 gelu(W1 x), tanh or erf form (Hendrycks & Gimpel 2016)",
          factory<Mlp>([](auto s, const ModelConfig& c) {
            const GeluForm form = c.mlp.form == "erf" ? GeluForm::kErf : GeluForm::kTanh;
            return new GeluMlp<decltype(s)>(c.d_model, c.mlp_hidden(), form, c.bias);
          }),
          {"hidden", "form"}, [](const ModelConfig& c) { return 4 * c.d_model; }),
      mlp("swiglu", "W2 (silu(W1 x) * W3 x), hidden auto = 8/3 d (Shazeer 2020)",
          factory<Mlp>([](auto s, const ModelConfig& c) {
            return new SwiGluMlp<decltype(s)>(c.d_model, c.mlp_hidden(), c.bias);
          }),
          {"hidden", "multiple_of"},
          [](const ModelConfig& c) {  // Llama: floor(2 * 4d / 3), rounded up to a multiple of multiple_of
            const int64_t h = 2 * 4 * c.d_model / 3;
            const int64_t m = std::max<int64_t>(c.mlp.multiple_of, 1);
            return (h + m - 1) / m * m;
          }),

      position("learned", "learned absolute table N(0, init_std), added to embeddings (GPT-2)",
               factory<Position>([](auto s, const ModelConfig& c) {
                 return new LearnedPosition<decltype(s)>(c.context, c.d_model);
               })),
      [] {
        VariantRow sinusoidal =
            position("sinusoidal", "fixed sin/cos absolute encoding, embeddings x sqrt(d_model) (Vaswani et al. 2017)",
                     factory<Position>([](auto s, const ModelConfig& c) { return new SinusoidalPosition<decltype(s)>(c.d_model); }));
        sinusoidal.embedding_scale = [](const ModelConfig& c) { return std::sqrt(double(c.d_model)); };  // §3.4
        return sinusoidal;
      }(),
      [] {
        VariantRow rope = position("rope", "rotary q/k, theta, partial rotary_dim, scaling (Su et al. 2021)",
                                factory<Position>([](auto s, const ModelConfig& c) { return new Rope<decltype(s)>(c); }),
                                {"theta", "rotary_dim", "scaling"});
        rope.resolve = [](ModelConfig& c, const std::string& path) {
          if (c.head_dim() % 2 != 0)
            fail(path + ".type", "rope needs an even head_dim, found head_dim=" + std::to_string(c.head_dim()) +
                                     " (d_model=" + std::to_string(c.d_model) +
                                     " / n_heads=" + std::to_string(c.attention.n_heads) + ")");
        };
        return rope;
      }(),
      position("none", "no position encoding; order from the causal mask (NoPE)",
               factory<Position>([](auto s, const ModelConfig&) { return new NoPosition<decltype(s)>(); })),

      scaling("none", "plain RoPE frequencies", "default", none_frequencies, {}),
      scaling("linear", "position interpolation: theta_i / s (Chen et al. 2023, PI)", "linear", linear_frequencies,
              {"factor"}),
      scaling("ntk", "NTK-aware: base * s^(d/(d-2)) (bloc97 2023)", "", ntk_frequencies, {"factor"}),
      scaling("dynamic_ntk", "NTK base from the current length (HF dynamic)", "dynamic", dynamic_ntk_frequencies,
              {"factor"}),
      scaling("yarn", "NTK-by-parts ramp + attention factor 0.1 ln s + 1 (Peng et al. 2023)", "yarn",
              yarn_frequencies,
              {"factor", "original_context", "beta_fast", "beta_slow", "mscale", "mscale_all_dim",
               "attention_factor", "truncate"},
              check_yarn),
      scaling("llama3", "wavelength bands: long / s, short kept, smooth between (Llama 3.1, Meta 2024)", "llama3",
              llama3_frequencies, {"factor", "original_context", "low_freq_factor", "high_freq_factor"},
              check_llama3,
              [](RopeScalingConfig& sc, int64_t) {
                sc.low_freq_factor = 0.5;  // with the tests' short contexts every band occurs
                sc.high_freq_factor = 4;
              }),
      scaling("longrope", "per-frequency factors, short / long at M, sqrt(1 + ln s/ln M) (Phi-3, Ding et al. 2024)",
              "longrope", longrope_frequencies,
              {"factor", "original_context", "short_factor", "long_factor", "attention_factor"}, check_longrope,
              [](RopeScalingConfig& sc, int64_t rotary_dim) {
                sc.short_factor.clear();
                sc.long_factor.clear();
                for (int64_t i = 0; i < rotary_dim / 2; ++i) {
                  sc.short_factor.push_back(1.0 + 0.25 * double(i));
                  sc.long_factor.push_back(2.0 + 1.5 * double(i));
                }
              }),

      attention("mha", "multi-head: n_kv_heads = n_heads (Vaswani et al. 2017)", fixed_kv_heads("mha", true)),
      attention("mqa", "multi-query: n_kv_heads = 1 (Shazeer 2019)", fixed_kv_heads("mqa", false)),
      attention("gqa", "grouped-query: n_kv_heads given (Ainslie et al. 2023)",
                [](ModelConfig& c, const std::string& path) {
                  if (c.attention.n_kv_heads == 0) fail(path + ".n_kv_heads", "required for type gqa");
                  const std::string bad = positive().violation(c.attention.n_kv_heads);
                  if (!bad.empty()) fail(path + ".n_kv_heads", bad);
                }),
  };
}

std::vector<std::string> slot_order() { return {"norm", "mlp", "position", "position.scaling", "attention"}; }

// The table, kept grouped by slot in slot order (a registered row joins the end of its slot).
std::vector<VariantRow>& table() {
  static std::vector<VariantRow> rows = builtin_variants();
  return rows;
}

}  // namespace

void register_variant(VariantRow row) {
  const std::vector<std::string> slots = slot_order();
  const auto slot = std::find(slots.begin(), slots.end(), row.slot);
  if (slot == slots.end()) throw ConfigError("register_variant: unknown slot '" + row.slot + "'");
  if (row.name.empty()) throw ConfigError("register_variant: a " + row.slot + " variant needs a name");
  const bool complete = row.slot == "norm"               ? bool(row.norm)
                        : row.slot == "mlp"              ? bool(row.mlp) && bool(row.auto_hidden)
                        : row.slot == "position"         ? bool(row.position)
                        : row.slot == "position.scaling" ? row.scaling.frequencies != nullptr
                                                         : bool(row.resolve);  // attention: sets n_kv_heads
  if (!complete) throw ConfigError("register_variant: " + row.slot + " '" + row.name + "' lacks what its slot needs (registry.h)");
  std::vector<VariantRow>& rows = table();
  for (const VariantRow& v : rows)
    if (v.slot == row.slot && v.name == row.name)
      throw ConfigError("register_variant: " + row.slot + " '" + row.name + "' is registered already");
  // After the last row of its slot (or of the slots before it).
  auto at = rows.begin();
  for (auto it = rows.begin(); it != rows.end(); ++it)
    if (std::find(slots.begin(), slot + 1, it->slot) != slot + 1) at = it + 1;
  rows.insert(at, std::move(row));
}

const std::vector<VariantRow>& registered_variants() { return table(); }

std::vector<std::string> registered_slots() { return slot_order(); }

std::vector<std::string> variant_names(const std::string& slot) {
  std::vector<std::string> names;
  for (const auto& v : registered_variants())
    if (v.slot == slot) names.push_back(v.name);
  return names;
}

std::string joined_variant_names(const std::string& slot) {
  std::string out;
  for (const auto& name : variant_names(slot)) out += (out.empty() ? "" : ", ") + name;
  return out;
}

const VariantRow& find_variant(const std::string& slot, const std::string& name, const std::string& path) {
  for (const auto& v : registered_variants())
    if (v.slot == slot && v.name == name) return v;
  fail(path, "unknown '" + name + "' (known: " + joined_variant_names(slot) + ")");
}

const VariantRow* find_variant_by_hf_name(const std::string& slot, const std::string& hf_name) {
  if (hf_name.empty()) return nullptr;
  for (const auto& v : registered_variants())
    if (v.slot == slot && v.hf_name == hf_name) return &v;
  return nullptr;
}

template <typename S>
std::unique_ptr<Norm<S>> make_norm(const ModelConfig& config) {
  return find_variant("norm", config.norm.type, "model.norm.type").norm.template make<S>(config);
}
template <typename S>
std::unique_ptr<Mlp<S>> make_mlp(const ModelConfig& config) {
  return find_variant("mlp", config.mlp.type, "model.mlp.type").mlp.template make<S>(config);
}
template <typename S>
std::unique_ptr<Position<S>> make_position(const ModelConfig& config) {
  return find_variant("position", config.position.type, "model.position.type").position.template make<S>(config);
}

template std::unique_ptr<Norm<float>> make_norm<float>(const ModelConfig&);
template std::unique_ptr<Norm<double>> make_norm<double>(const ModelConfig&);
template std::unique_ptr<Mlp<float>> make_mlp<float>(const ModelConfig&);
template std::unique_ptr<Mlp<double>> make_mlp<double>(const ModelConfig&);
template std::unique_ptr<Position<float>> make_position<float>(const ModelConfig&);
template std::unique_ptr<Position<double>> make_position<double>(const ModelConfig&);

}  // namespace ablate
