#include "components/position/scaling/yarn.h"

#include <algorithm>
#include <cmath>

namespace ablate {
namespace {

// YaRN's mscale: 1 for s <= 1, else 0.1·m·ln s + 1.
double yarn_get_mscale(double s, double m) { return s <= 1.0 ? 1.0 : 0.1 * m * std::log(s) + 1.0; }

// The dimension index whose wavelength makes `rotations` turns in M positions.
double yarn_correction_dim(double rotations, int64_t d, double base, int64_t M) {
  return double(d) * std::log(double(M) / (rotations * 2.0 * M_PI)) / (2.0 * std::log(base));
}

}  // namespace

RopeFrequencies yarn_frequencies(const RopeScalingConfig& sc, const RopeInputs& in) {
  const double s = sc.factor, base = in.theta;
  const int64_t d = in.rotary_dim, M = in.original_context;
  RopeFrequencies out;
  if (sc.attention_factor > 0) out.attention_factor = sc.attention_factor;
  else if (sc.mscale > 0 && sc.mscale_all_dim > 0)
    out.attention_factor = yarn_get_mscale(s, sc.mscale) / yarn_get_mscale(s, sc.mscale_all_dim);
  else out.attention_factor = yarn_get_mscale(s, 1.0);

  double low = yarn_correction_dim(sc.beta_fast, d, base, M);
  double high = yarn_correction_dim(sc.beta_slow, d, base, M);
  if (sc.truncate) {
    low = std::floor(low);
    high = std::ceil(high);
  }
  low = std::max(low, 0.0);
  high = std::min(high, double(d - 1));
  if (low == high) high += 0.001;  // avoid a division by zero in the ramp

  const std::vector<double> extrapolated = default_inv_freq(base, d);
  out.inv_freq.resize(extrapolated.size());
  for (size_t i = 0; i < extrapolated.size(); ++i) {
    const double ramp = std::clamp((double(i) - low) / (high - low), 0.0, 1.0);
    const double extrapolation_weight = 1.0 - ramp;
    out.inv_freq[i] = extrapolated[i] / s * (1.0 - extrapolation_weight) + extrapolated[i] * extrapolation_weight;
  }
  return out;
}

void check_yarn(const RopeScalingConfig& sc, int64_t, const std::string& path) {
  const std::string beta_slow = positive().violation(sc.beta_slow);
  if (!beta_slow.empty()) throw ConfigError(path + ".beta_slow: " + beta_slow);
  if (!(sc.beta_fast > sc.beta_slow) || !std::isfinite(sc.beta_fast))
    throw ConfigError(path + ".beta_fast: must be > beta_slow=" + shortest_number(sc.beta_slow) + ", found " +
                      shortest_number(sc.beta_fast));
}

}  // namespace ablate
