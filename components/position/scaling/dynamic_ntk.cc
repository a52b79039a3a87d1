#include "components/position/scaling/dynamic_ntk.h"

#include <algorithm>
#include <cmath>

namespace ablate {

RopeFrequencies dynamic_ntk_frequencies(const RopeScalingConfig& scaling, const RopeInputs& in) {
  const double s = scaling.factor, d = double(in.rotary_dim);
  const double M = double(in.original_context);
  const double L = std::max(double(in.seq_len), M);
  return {default_inv_freq(in.theta * std::pow(s * L / M - (s - 1.0), d / (d - 2.0)), in.rotary_dim), 1.0};
}

}  // namespace ablate
