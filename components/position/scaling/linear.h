// linear: position interpolation, θ_i / s (Chen et al. 2023, arXiv 2306.15595;
// HF _compute_linear_scaling_rope_parameters).
#pragma once

#include "components/position/rope_scaling.h"

namespace ablate {

RopeFrequencies linear_frequencies(const RopeScalingConfig& scaling, const RopeInputs& in);

}  // namespace ablate
