#include "components/position/scaling/longrope.h"

#include <cmath>

namespace ablate {

RopeFrequencies longrope_frequencies(const RopeScalingConfig& sc, const RopeInputs& in) {
  const double s = sc.factor, M = double(in.original_context);
  RopeFrequencies out{default_inv_freq(in.theta, in.rotary_dim), 1.0};
  const std::vector<double>& ext = in.seq_len > in.original_context ? sc.long_factor : sc.short_factor;
  if (!ext.empty())
    for (size_t i = 0; i < out.inv_freq.size(); ++i) out.inv_freq[i] /= ext[i];
  if (sc.attention_factor > 0) out.attention_factor = sc.attention_factor;
  else if (s > 1.0) out.attention_factor = std::sqrt(1.0 + std::log(s) / std::log(M));
  return out;
}

void check_longrope(const RopeScalingConfig& sc, int64_t rotary_dim, const std::string& path) {
  auto check_length = [&](const std::vector<double>& list, const char* key) {
    if (!list.empty() && int64_t(list.size()) != rotary_dim / 2)
      throw ConfigError(path + "." + key + ": expected rotary_dim / 2 = " + std::to_string(rotary_dim / 2) +
                        " numbers, found " + std::to_string(list.size()));
  };
  check_length(sc.short_factor, "short_factor");
  check_length(sc.long_factor, "long_factor");
}

}  // namespace ablate
