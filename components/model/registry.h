// The registry: every component variant, registered explicitly in one place (registry.cc).
// Adding a variant = one .h/.cc pair named after its YAML type + one line in registry.cc;
// `ablate list` and the gradient-check tests loop over this table.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "components/model/model_config.h"

namespace ablate {

template <typename S> class Norm;
template <typename S> class Mlp;
template <typename S> class Position;

struct VariantInfo {
  std::string slot;     // "norm", "mlp", "position", "position.scaling", "attention"
  std::string name;     // the YAML `type:` value
  std::string summary;  // one line for `ablate list`
};

// Every registered variant, grouped by slot, in listing order.
const std::vector<VariantInfo>& registered_variants();
// The slots in listing order.
std::vector<std::string> registered_slots();
// Names registered under `slot` (empty if the slot is unknown).
std::vector<std::string> variant_names(const std::string& slot);
// "a, b, c" — for error messages that list the known names.
std::string joined_variant_names(const std::string& slot);

// Factories (S = float for the engine, double for gradient checks). `config` must be resolved.
template <typename S> std::unique_ptr<Norm<S>> make_norm(const ModelConfig& config);
template <typename S> std::unique_ptr<Mlp<S>> make_mlp(const ModelConfig& config);
template <typename S> std::unique_ptr<Position<S>> make_position(const ModelConfig& config);

}  // namespace ablate
