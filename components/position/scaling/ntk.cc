#include "components/position/scaling/ntk.h"

#include <cmath>

namespace ablate {

RopeFrequencies ntk_frequencies(const RopeScalingConfig& scaling, const RopeInputs& in) {
  const double d = double(in.rotary_dim);
  return {default_inv_freq(in.theta * std::pow(scaling.factor, d / (d - 2.0)), in.rotary_dim), 1.0};
}

}  // namespace ablate
