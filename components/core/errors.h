// The engine's one error type. Every configuration problem is reported as a ConfigError whose
// message names the YAML path (e.g. "model.attention.n_kv_heads: 3 does not divide n_heads=8").
// The harness's error types (harness/common/errors.h) sit beside it.
#pragma once

#include <stdexcept>

namespace ablate {

struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace ablate
