// Validation loss of a token stream: the mean next-token NLL under perplexity.h's `disjoint`
// windowing (the windows of evaluation_windows, batch_loader.h): runs of T tokens, so every token
// after the first is scored exactly once, each with 1..T tokens of context from its run. Token-weighted:
//   loss = Σ NLL / tokens scored,   perplexity = exp(loss).
// The stream is a TokenSource (a vector or a memory-mapped shard); windows are copied one at a time.
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

#include "components/model/model.h"
#include "harness/data/token_source.h"

namespace ablate {

struct LossEstimate {
  double loss = 0;
  int64_t tokens = 0;   // targets scored
  int64_t windows = 0;  // forward passes of length <= T
  double perplexity() const { return std::exp(loss); }
};

// tokens: the stream (at least 2); T: window length (<= what the model's positions allow);
// B: windows per forward pass; max_tokens > 0 scores only the first max_tokens targets
// (the stream is cut to max_tokens + 1 tokens). Deterministic: sums in a fixed order.
LossEstimate validation_loss(Model<float>& model, const TokenSource& tokens, int64_t T,
                             int64_t B, int64_t max_tokens = 0);

}  // namespace ablate
