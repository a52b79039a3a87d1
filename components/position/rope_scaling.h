// RoPE inverse frequencies and attention factor for each context-extension method. The formulas
// equal Hugging Face transformers' modeling_rope_utils.py, with base b = theta, d = rotary_dim,
// s = factor, M = original context:
//   none         θ_i = b^(−2i/d)                                       (Su et al. 2021, RoFormer)
//   linear (PI)  θ_i / s                     (Chen et al. 2023; HF _compute_linear_scaling_rope_parameters)
//   ntk          base b·s^(d/(d−2))          (bloc97 2023, "NTK-aware scaled RoPE")
//   dynamic_ntk  base b·((s·L/M) − (s−1))^(d/(d−2)), L = max(seq_len, M)
//                                            (HF _compute_dynamic_ntk_parameters)
//   yarn         θ_i blended between θ_i (high frequencies, extrapolated) and θ_i/s (low
//                frequencies, interpolated) by a linear ramp over the dims whose wavelength falls
//                between β_fast and β_slow rotations in M positions; attention factor
//                0.1·ln s + 1 multiplies cos and sin   (Peng et al. 2023, YaRN; HF _compute_yarn_parameters)
#pragma once

#include <cstdint>
#include <vector>

#include "components/model/model_config.h"

namespace ablate {

struct RopeFrequencies {
  std::vector<double> inv_freq;   // (rotary_dim / 2)
  double attention_factor = 1.0;  // multiplies cos and sin (so attention logits scale by its square)
};

// seq_len matters only for dynamic_ntk (the sequence length seen so far).
RopeFrequencies rope_frequencies(double theta, int64_t rotary_dim, const RopeScalingConfig& scaling,
                                 int64_t original_context, int64_t seq_len);

}  // namespace ablate
