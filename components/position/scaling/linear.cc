#include "components/position/scaling/linear.h"

namespace ablate {

RopeFrequencies linear_frequencies(const RopeScalingConfig& scaling, const RopeInputs& in) {
  RopeFrequencies out{default_inv_freq(in.theta, in.rotary_dim), 1.0};
  for (double& f : out.inv_freq) f /= scaling.factor;
  return out;
}

}  // namespace ablate
