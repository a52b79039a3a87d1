// Dispatch of rope_frequencies to the registered method (registry.h).
#include "components/position/rope_scaling.h"

#include <cmath>

#include "components/model/registry.h"

namespace ablate {

std::vector<double> default_inv_freq(double base, int64_t d) {
  std::vector<double> inv(static_cast<size_t>(d / 2));
  for (int64_t i = 0; i < d / 2; ++i) inv[i] = 1.0 / std::pow(base, double(2 * i) / double(d));
  return inv;
}

RopeFrequencies rope_frequencies(double theta, int64_t rotary_dim, const RopeScalingConfig& scaling,
                                 int64_t original_context, int64_t seq_len) {
  const VariantRow& method = find_variant("position.scaling", scaling.type, "model.position.scaling.type");
  return method.scaling.frequencies(scaling, RopeInputs{theta, rotary_dim, original_context, seq_len});
}

}  // namespace ablate
