#include "components/position/scaling/none.h"

namespace ablate {

RopeFrequencies none_frequencies(const RopeScalingConfig&, const RopeInputs& in) {
  return {default_inv_freq(in.theta, in.rotary_dim), 1.0};
}

}  // namespace ablate
