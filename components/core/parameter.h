// Parameter<S>: a trainable tensor and its gradient; NamedParameter gives it its
// Hugging Face style name (model.layers.3.self_attn.q_proj.weight).
#pragma once

#include <string>
#include <vector>

#include "components/core/tensor.h"

namespace ablate {

template <typename S>
struct Parameter {
  Tensor<S> value;
  Tensor<S> grad;
  bool decay = false;  // weight decay applies to matrices only

  Parameter() = default;
  Parameter(std::vector<int64_t> shape, bool is_matrix)
      : value(shape), grad(shape), decay(is_matrix) {}
};

template <typename S>
struct NamedParameter {
  std::string name;
  Parameter<S>* param;
};

template <typename S>
using ParameterList = std::vector<NamedParameter<S>>;

// Appends `inner` to `out` with every name prefixed by `prefix` + ".".
template <typename S>
void append_parameters(ParameterList<S>& out, const std::string& prefix, const ParameterList<S>& inner) {
  for (const auto& p : inner) out.push_back({prefix.empty() ? p.name : prefix + "." + p.name, p.param});
}

}  // namespace ablate
