#include "components/position/scaling/llama3.h"

#include <cmath>

namespace ablate {

RopeFrequencies llama3_frequencies(const RopeScalingConfig& sc, const RopeInputs& in) {
  const double s = sc.factor, M = double(in.original_context);
  const double low_wavelength = M / sc.low_freq_factor, high_wavelength = M / sc.high_freq_factor;
  RopeFrequencies out{default_inv_freq(in.theta, in.rotary_dim), 1.0};
  for (double& f : out.inv_freq) {
    const double wavelength = 2.0 * M_PI / f;
    if (wavelength > low_wavelength) {
      f /= s;  // long wavelengths: interpolated
    } else if (wavelength >= high_wavelength) {
      const double g = (M / wavelength - sc.low_freq_factor) / (sc.high_freq_factor - sc.low_freq_factor);
      f = (1.0 - g) * f / s + g * f;
    }  // short wavelengths: kept
  }
  return out;
}

void check_llama3(const RopeScalingConfig& sc, int64_t, const std::string& path) {
  const std::string low = positive().violation(sc.low_freq_factor);
  if (!low.empty()) throw ConfigError(path + ".low_freq_factor: " + low);
  if (!(sc.high_freq_factor > sc.low_freq_factor) || !std::isfinite(sc.high_freq_factor))
    throw ConfigError(path + ".high_freq_factor: must be > low_freq_factor=" + shortest_number(sc.low_freq_factor) +
                      ", found " + shortest_number(sc.high_freq_factor));
}

}  // namespace ablate
