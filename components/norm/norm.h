// Norm: the `norm` slot interface (layernorm.h, rmsnorm.h). Normalises each row of C features.
#pragma once

#include "components/core/parameter.h"

namespace ablate {

template <typename S>
class Norm {
 public:
  virtual ~Norm() = default;
  // x (N, C) -> y (N, C); keeps what backward needs.
  virtual void forward(const S* x, S* y, int64_t N) = 0;
  // dy (N, C) -> dx (N, C) (written); parameter gradients accumulated.
  virtual void backward(const S* dy, S* dx, int64_t N) = 0;
  virtual ParameterList<S> parameters() = 0;
};

}  // namespace ablate
