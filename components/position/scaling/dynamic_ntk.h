// dynamic_ntk: the NTK base recomputed from the length the model runs on,
// base b·((s·L/M) − (s−1))^(d/(d−2)) with L = max(seq_len, M) (HF _compute_dynamic_ntk_parameters;
// seq_len is the number of tokens of the forward pass).
#pragma once

#include "components/position/rope_scaling.h"

namespace ablate {

RopeFrequencies dynamic_ntk_frequencies(const RopeScalingConfig& scaling, const RopeInputs& in);

}  // namespace ablate
