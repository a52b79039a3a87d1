// Mlp: the `mlp` slot interface (gelu.h, swiglu.h). Maps each row of C features to C features
// through a hidden layer of config.mlp_hidden() units.
#pragma once

#include "components/core/parameter.h"

namespace ablate {

template <typename S>
class Mlp {
 public:
  virtual ~Mlp() = default;
  // x (N, C) -> y (N, C); keeps what backward needs.
  virtual void forward(const S* x, S* y, int64_t N) = 0;
  // dy (N, C) -> dx (N, C) (written); parameter gradients accumulated.
  virtual void backward(const S* dy, S* dx, int64_t N) = 0;
  virtual ParameterList<S> parameters() = 0;
};

}  // namespace ablate
