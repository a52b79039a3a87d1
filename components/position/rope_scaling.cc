#include "components/position/rope_scaling.h"

#include <algorithm>
#include <cmath>

namespace ablate {
namespace {

std::vector<double> default_inv_freq(double base, int64_t d) {
  std::vector<double> inv(static_cast<size_t>(d / 2));
  for (int64_t i = 0; i < d / 2; ++i) inv[i] = 1.0 / std::pow(base, double(2 * i) / double(d));
  return inv;
}

// YaRN's mscale: 1 for s <= 1, else 0.1·m·ln s + 1.
double yarn_get_mscale(double s, double m) { return s <= 1.0 ? 1.0 : 0.1 * m * std::log(s) + 1.0; }

// The dimension index whose wavelength makes `rotations` turns in M positions.
double yarn_correction_dim(double rotations, int64_t d, double base, int64_t M) {
  return double(d) * std::log(double(M) / (rotations * 2.0 * M_PI)) / (2.0 * std::log(base));
}

RopeFrequencies yarn(double base, int64_t d, const RopeScalingConfig& sc, int64_t M) {
  const double s = sc.factor;
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

}  // namespace

RopeFrequencies rope_frequencies(double theta, int64_t rotary_dim, const RopeScalingConfig& scaling,
                                 int64_t original_context, int64_t seq_len) {
  const int64_t d = rotary_dim;
  const double s = scaling.factor;
  const double exponent = double(d) / double(d - 2);
  const std::string& type = scaling.type;
  RopeFrequencies out;
  if (type == "none") {
    out.inv_freq = default_inv_freq(theta, d);
  } else if (type == "linear") {
    out.inv_freq = default_inv_freq(theta, d);
    for (double& f : out.inv_freq) f /= s;
  } else if (type == "ntk") {
    out.inv_freq = default_inv_freq(theta * std::pow(s, exponent), d);
  } else if (type == "dynamic_ntk") {
    const double M = double(original_context);
    const double L = std::max(double(seq_len), M);
    out.inv_freq = default_inv_freq(theta * std::pow(s * L / M - (s - 1.0), exponent), d);
  } else if (type == "yarn") {
    out = yarn(theta, d, scaling, original_context);
  } else {
    throw ConfigError("model.position.scaling.type: unknown '" + type + "'");
  }
  return out;
}

}  // namespace ablate
