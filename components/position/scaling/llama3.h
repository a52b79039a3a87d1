// llama3: Llama 3.1's wavelength bands (Meta 2024, "The Llama 3 Herd of Models"; HF
// _compute_llama3_parameters). With λ_i = 2π/θ_i, λ_low = M/low_freq_factor, λ_high =
// M/high_freq_factor: λ_i > λ_low → θ_i/s; λ_i < λ_high → θ_i; between, the blend
// (1 − g)·θ_i/s + g·θ_i with g = (M/λ_i − low_freq_factor)/(high_freq_factor − low_freq_factor).
// Attention factor 1.
#pragma once

#include <string>

#include "components/position/rope_scaling.h"

namespace ablate {

RopeFrequencies llama3_frequencies(const RopeScalingConfig& scaling, const RopeInputs& in);

// 0 < low_freq_factor < high_freq_factor.
void check_llama3(const RopeScalingConfig& scaling, int64_t rotary_dim, const std::string& path);

}  // namespace ablate
