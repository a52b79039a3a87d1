// RoPE inverse frequencies and attention factor for each context-extension method. Each method
// is one pair of files in components/position/scaling/ (its formula, with the Hugging Face
// transformers modeling_rope_utils.py function it equals) and one registry row (registry.cc).
// Notation: base b = theta, d = rotary_dim, s = factor, M = original context, L = seq_len.
//   none         θ_i = b^(−2i/d)                                            (RoFormer)
//   linear       θ_i / s                                                    (PI)
//   ntk          base b·s^(d/(d−2))                                         (NTK-aware)
//   dynamic_ntk  base b·((s·L/M) − (s−1))^(d/(d−2)), L = max(seq_len, M)    (HF dynamic)
//   yarn         NTK-by-parts ramp between θ_i and θ_i/s, attention factor 0.1·ln s + 1
//   llama3       wavelength bands: long ones θ_i/s, short ones θ_i, a smooth blend between
//   longrope     θ_i / ext_i, ext = long_factor past M else short_factor, attention
//                factor sqrt(1 + ln s / ln M)                              (Phi-3, LongRoPE)
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
