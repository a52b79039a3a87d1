// RoPE inverse frequencies and attention factor for each context-extension method. Each method
// is one pair of files in components/position/scaling/ (its equation, and the Hugging Face
// transformers modeling_rope_utils.py function it equals) and one registry row (registry.cc).
// Notation there: base b = theta, d = rotary_dim, s = factor, M = original context, L = seq_len;
// θ_i = b^(−2i/d) are the unscaled frequencies (default_inv_freq).
#pragma once

#include <cstdint>
#include <vector>

#include "components/model/model_config.h"

namespace ablate {

struct RopeFrequencies {
  std::vector<double> inv_freq;   // (rotary_dim / 2)
  double attention_factor = 1.0;  // multiplies cos and sin (so attention logits scale by its square)
};

// What a method's frequencies are computed from, besides its own keys.
struct RopeInputs {
  double theta = 10000.0;        // b
  int64_t rotary_dim = 0;        // d
  int64_t original_context = 0;  // M (resolved: never 0)
  int64_t seq_len = 0;           // L: the tokens the model runs on (dynamic methods)
};

// A scaling method's entry in its registry row.
struct RopeScalingMethod {
  RopeFrequencies (*frequencies)(const RopeScalingConfig& scaling, const RopeInputs& in) = nullptr;
};

// θ_i = base^(−2i/d), i < d/2: the unscaled frequencies every method starts from.
std::vector<double> default_inv_freq(double base, int64_t d);

// The registered method `scaling.type` (registry.h) applied to the inputs.
RopeFrequencies rope_frequencies(double theta, int64_t rotary_dim, const RopeScalingConfig& scaling,
                                 int64_t original_context, int64_t seq_len);

}  // namespace ablate
