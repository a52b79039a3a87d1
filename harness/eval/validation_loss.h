// Validation loss of a token stream: the mean next-token NLL over the windows of
// evaluation_windows (batch_loader.h), so every token after the first is scored exactly once,
// each with up to T − 1 tokens of context from its own window. Token-weighted:
//   loss = Σ NLL / tokens scored,   perplexity = exp(loss).
// The stream is a TokenSource (a vector or a memory-mapped shard); windows are copied one at a time.
#pragma once

#include <nlohmann/json.hpp>

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

// {"loss", "perplexity", "tokens", "windows", "context"} for result files.
nlohmann::json loss_summary(const LossEstimate& estimate, int64_t context);

}  // namespace ablate
