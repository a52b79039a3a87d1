// No position encoding ("NoPE"; Haviv et al. 2022, "Transformer Language Models without
// Positional Encodings Still Learn Positional Information"): the causal mask is the only
// source of order. Every Position hook keeps its default (do nothing).
// Recipe: no parameters to initialise or decay; token embeddings unscaled (embedding_scale auto = 1).
#pragma once

#include "components/position/position.h"

namespace ablate {

template <typename S>
class NoPosition final : public Position<S> {};

}  // namespace ablate
