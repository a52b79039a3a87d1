// longrope: LongRoPE's per-frequency factors (Ding et al. 2024, arXiv 2402.13753; Phi-3;
// HF _compute_longrope_parameters). θ_i / ext_i with ext = long_factor when seq_len > M, else
// short_factor (HF's dynamic_rope_update switches at M); empty lists stand for 1 everywhere. The
// attention factor is sqrt(1 + ln s / ln M) for s > 1 (else 1) unless attention_factor is given.
#pragma once

#include <string>

#include "components/position/rope_scaling.h"

namespace ablate {

RopeFrequencies longrope_frequencies(const RopeScalingConfig& scaling, const RopeInputs& in);

// short_factor and long_factor hold rotary_dim / 2 numbers each (or none).
void check_longrope(const RopeScalingConfig& scaling, int64_t rotary_dim, const std::string& path);

}  // namespace ablate
