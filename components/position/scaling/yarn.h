// yarn: NTK-by-parts (Peng et al. 2023, arXiv 2309.00071; HF _compute_yarn_parameters). θ_i is
// blended between θ_i (high frequencies, extrapolated) and θ_i/s (low frequencies, interpolated) by
// a linear ramp over the dims whose wavelength makes between β_fast and β_slow rotations in M
// positions; the attention factor 0.1·ln s + 1 (or mscale / mscale_all_dim, or as given)
// multiplies cos and sin.
#pragma once

#include <string>

#include "components/position/rope_scaling.h"

namespace ablate {

RopeFrequencies yarn_frequencies(const RopeScalingConfig& scaling, const RopeInputs& in);

// beta_slow > 0 and beta_fast > beta_slow; `path` is the scaling block's YAML path.
void check_yarn(const RopeScalingConfig& scaling, int64_t rotary_dim, const std::string& path);

}  // namespace ablate
