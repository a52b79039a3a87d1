// The registry: one row per component variant, registered in one place (registry.cc), each
// carrying everything the rest of Ablate needs to know about it — slot, YAML name, summary,
// factory (for RoPE scalings the frequency function), the Hugging Face name it maps to, its own
// keys, its checks. Every list of names (errors' "known: ...", `ablate list`, extend methods,
// the HF reader and writer, the tests' expected messages) is read from here. Adding a variant:
// docs/adding-a-variant.md.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "components/model/model_config.h"
#include "components/position/rope_scaling.h"

namespace ablate {

template <typename S> class Norm;
template <typename S> class Mlp;
template <typename S> class Position;

// A factory for both scalar types (float: the engine; double: gradient checks), made from one
// generic lambda: factory<Norm>([](auto s, const ModelConfig& c) {
//   return new LayerNorm<decltype(s)>(c.d_model, c.norm.eps); })
template <template <typename> class Base>
struct Factory {
  std::function<std::unique_ptr<Base<float>>(const ModelConfig&)> f32;
  std::function<std::unique_ptr<Base<double>>(const ModelConfig&)> f64;
  explicit operator bool() const { return bool(f32); }
  template <typename S>
  std::unique_ptr<Base<S>> make(const ModelConfig& c) const {
    if constexpr (std::is_same_v<S, float>) return f32(c);
    else return f64(c);
  }
};
template <template <typename> class Base, typename Make>
Factory<Base> factory(Make make) {
  return {[make](const ModelConfig& c) { return std::unique_ptr<Base<float>>(make(float{}, c)); },
          [make](const ModelConfig& c) { return std::unique_ptr<Base<double>>(make(double{}, c)); }};
}

struct VariantRow {
  VariantRow(std::string slot_name, std::string yaml_name, std::string one_line, std::string hf = "")
      : slot(std::move(slot_name)), name(std::move(yaml_name)), summary(std::move(one_line)), hf_name(std::move(hf)) {}

  std::string slot;     // "norm", "mlp", "position", "position.scaling", "attention"
  std::string name;     // the YAML `type:` value
  std::string summary;  // one line for `ablate list`: equation and source
  std::string hf_name;  // the Hugging Face name it maps to ("" = none): rope_type, hidden_act, ...
  std::vector<std::string> keys;  // its own keys in the slot's section, beyond `type`

  Factory<Norm> norm;          // slot norm
  Factory<Mlp> mlp;            // slot mlp
  Factory<Position> position;  // slot position
  RopeScalingMethod scaling;   // slot position.scaling
  // mlp: the width `hidden: auto` means.
  std::function<int64_t(const ModelConfig&)> auto_hidden;
  // position: the token-embedding scale `embedding_scale: auto` means (unset: 1).
  std::function<double(const ModelConfig&)> embedding_scale;
  // Derivations and checks of its own keys, run by ModelConfig::resolve after the per-key checks
  // (`path` is the slot's YAML path, e.g. "model.attention"): mqa sets n_kv_heads = 1, yarn checks
  // beta_fast > beta_slow.
  std::function<void(ModelConfig&, const std::string& path)> resolve;
  // Sets its own keys to a valid, non-trivial example on a config already of this type (tests loop
  // over the registry with it: gradient checks, invariants).
  std::function<void(ModelConfig&)> example;
};

// Adds a row at the end of its slot (at start-up or in a test, before models are built: the table is
// not locked); a second row of the same slot and name is an error.
void register_variant(VariantRow row);

// Every registered variant, grouped by slot, in listing order.
const std::vector<VariantRow>& registered_variants();
// The slots in listing order.
std::vector<std::string> registered_slots();
// Names registered under `slot` (empty if the slot is unknown).
std::vector<std::string> variant_names(const std::string& slot);
// "a, b, c" — for error messages that list the known names.
std::string joined_variant_names(const std::string& slot);
// The row of `name` in `slot`; ConfigError "PATH: unknown 'x' (known: a, b)" if there is none.
const VariantRow& find_variant(const std::string& slot, const std::string& name, const std::string& path);
// The row whose hf_name is `hf_name` in `slot`, or nullptr.
const VariantRow* find_variant_by_hf_name(const std::string& slot, const std::string& hf_name);

// Factories (S = float for the engine, double for gradient checks). `config` must be resolved.
template <typename S> std::unique_ptr<Norm<S>> make_norm(const ModelConfig& config);
template <typename S> std::unique_ptr<Mlp<S>> make_mlp(const ModelConfig& config);
template <typename S> std::unique_ptr<Position<S>> make_position(const ModelConfig& config);

}  // namespace ablate
