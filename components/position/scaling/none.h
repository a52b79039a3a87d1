// none: plain RoPE, θ_i = b^(−2i/d) (Su et al. 2021, RoFormer; HF _compute_default_rope_parameters).
#pragma once

#include "components/position/rope_scaling.h"

namespace ablate {

RopeFrequencies none_frequencies(const RopeScalingConfig& scaling, const RopeInputs& in);

}  // namespace ablate
