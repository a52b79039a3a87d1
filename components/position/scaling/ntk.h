// ntk: NTK-aware scaled RoPE, base b·s^(d/(d−2)) (bloc97 2023, reddit r/LocalLLaMA
// "NTK-Aware Scaled RoPE"). Static: the base does not depend on the sequence length.
#pragma once

#include "components/position/rope_scaling.h"

namespace ablate {

RopeFrequencies ntk_frequencies(const RopeScalingConfig& scaling, const RopeInputs& in);

}  // namespace ablate
