// A linear map's three products with its weight parameter W (N, K), in W's precision: fp32 (or
// double) products of the values, or bf16 operands with fp32 accumulation (precision: bf16; W's
// bf16 copy, the activations rounded per call). Used by Linear and by the model's LM head.
#pragma once

#include <cstdint>

#include "components/core/parameter.h"

namespace ablate {

// y (M, N) = x (M, K) · Wᵀ, or y += ... when accumulate.
template <typename S>
void weight_forward(const S* x, const Parameter<S>& w, S* y, int64_t M, bool accumulate);

// dx (M, K) = dy (M, N) · W (or += when accumulate; skipped when dx is null); W.grad += dyᵀ · x.
template <typename S>
void weight_backward(const S* x, const S* dy, Parameter<S>& w, S* dx, int64_t M, bool accumulate_dx);

}  // namespace ablate
