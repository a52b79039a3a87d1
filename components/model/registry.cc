// The one place where variants are registered. Adding a variant: write <type>.h/.cc, then add a
// line to the table of its slot below (and, for a factory slot, a line to make_<slot>).
#include "components/model/registry.h"

#include <functional>
#include <stdexcept>

#include "components/mlp/gelu.h"
#include "components/mlp/swiglu.h"
#include "components/norm/layernorm.h"
#include "components/norm/rmsnorm.h"
#include "components/position/learned.h"
#include "components/position/none.h"
#include "components/position/rope.h"
#include "components/position/sinusoidal.h"

namespace ablate {
namespace {

template <typename Base, typename S>
using Factory = std::function<std::unique_ptr<Base>(const ModelConfig&)>;

template <typename Base, typename S>
struct Registration {
  const char* name;
  Factory<Base, S> make;
};

template <typename S>
const std::vector<Registration<Norm<S>, S>>& norms() {
  static const std::vector<Registration<Norm<S>, S>> table = {
      {"layernorm", [](const ModelConfig& c) { return std::make_unique<LayerNorm<S>>(c.d_model, c.norm.eps); }},
      {"rmsnorm", [](const ModelConfig& c) { return std::make_unique<RmsNorm<S>>(c.d_model, c.norm.eps); }},
  };
  return table;
}

template <typename S>
const std::vector<Registration<Mlp<S>, S>>& mlps() {
  static const std::vector<Registration<Mlp<S>, S>> table = {
      {"gelu",
       [](const ModelConfig& c) {
         const GeluForm form = c.mlp.form == "erf" ? GeluForm::kErf : GeluForm::kTanh;
         return std::make_unique<GeluMlp<S>>(c.d_model, c.mlp_hidden(), form, c.bias);
       }},
      {"swiglu", [](const ModelConfig& c) { return std::make_unique<SwiGluMlp<S>>(c.d_model, c.mlp_hidden(), c.bias); }},
  };
  return table;
}

template <typename S>
const std::vector<Registration<Position<S>, S>>& positions() {
  static const std::vector<Registration<Position<S>, S>> table = {
      {"learned", [](const ModelConfig& c) { return std::make_unique<LearnedPosition<S>>(c.context, c.d_model); }},
      {"sinusoidal", [](const ModelConfig& c) { return std::make_unique<SinusoidalPosition<S>>(c.d_model); }},
      {"rope", [](const ModelConfig& c) { return std::make_unique<Rope<S>>(c); }},
      {"none", [](const ModelConfig&) { return std::make_unique<NoPosition<S>>(); }},
  };
  return table;
}

template <typename Base, typename S>
std::unique_ptr<Base> make_from(const std::vector<Registration<Base, S>>& table, const std::string& slot,
                                const std::string& type, const ModelConfig& config) {
  for (const auto& r : table)
    if (type == r.name) return r.make(config);
  throw ConfigError("model." + slot + ".type: unknown '" + type + "' (known: " + joined_variant_names(slot) + ")");
}

}  // namespace

const std::vector<VariantInfo>& registered_variants() {
  static const std::vector<VariantInfo> table = {
      {"norm", "layernorm", "LayerNorm: (x - mean)/sqrt(var + eps) * w + b (Ba et al. 2016)"},
      {"norm", "rmsnorm", "RMSNorm: x/sqrt(mean(x^2) + eps) * w (Zhang & Sennrich 2019)"},
      {"mlp", "gelu", "W2 gelu(W1 x), tanh or erf form (Hendrycks & Gimpel 2016)"},
      {"mlp", "swiglu", "W2 (silu(W1 x) * W3 x), hidden auto = 8/3 d (Shazeer 2020)"},
      {"position", "learned", "learned absolute table, added to embeddings (GPT-2)"},
      {"position", "sinusoidal", "fixed sin/cos absolute encoding (Vaswani et al. 2017)"},
      {"position", "rope", "rotary q/k, theta, partial rotary_dim, scaling (Su et al. 2021)"},
      {"position", "none", "no position encoding; order from the causal mask (NoPE)"},
      {"position.scaling", "none", "plain RoPE frequencies"},
      {"position.scaling", "linear", "position interpolation: theta_i / s (Chen et al. 2023, PI)"},
      {"position.scaling", "ntk", "NTK-aware: base * s^(d/(d-2)) (bloc97 2023)"},
      {"position.scaling", "dynamic_ntk", "NTK base from the current length (HF dynamic)"},
      {"position.scaling", "yarn", "NTK-by-parts ramp + attention factor 0.1 ln s + 1 (Peng et al. 2023)"},
      {"attention", "mha", "multi-head: n_kv_heads = n_heads (Vaswani et al. 2017)"},
      {"attention", "mqa", "multi-query: n_kv_heads = 1 (Shazeer 2019)"},
      {"attention", "gqa", "grouped-query: n_kv_heads given (Ainslie et al. 2023)"},
  };
  return table;
}

std::vector<std::string> registered_slots() { return {"norm", "mlp", "position", "position.scaling", "attention"}; }

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

template <typename S>
std::unique_ptr<Norm<S>> make_norm(const ModelConfig& config) {
  return make_from(norms<S>(), "norm", config.norm.type, config);
}
template <typename S>
std::unique_ptr<Mlp<S>> make_mlp(const ModelConfig& config) {
  return make_from(mlps<S>(), "mlp", config.mlp.type, config);
}
template <typename S>
std::unique_ptr<Position<S>> make_position(const ModelConfig& config) {
  return make_from(positions<S>(), "position", config.position.type, config);
}

template std::unique_ptr<Norm<float>> make_norm<float>(const ModelConfig&);
template std::unique_ptr<Norm<double>> make_norm<double>(const ModelConfig&);
template std::unique_ptr<Mlp<float>> make_mlp<float>(const ModelConfig&);
template std::unique_ptr<Mlp<double>> make_mlp<double>(const ModelConfig&);
template std::unique_ptr<Position<float>> make_position<float>(const ModelConfig&);
template std::unique_ptr<Position<double>> make_position<double>(const ModelConfig&);

}  // namespace ablate
