// Perplexity of a token stream under a fixed window, by the windowing conventions users quote:
//
//   disjoint     non-overlapping windows [kT, (k+1)T); each scores its tokens 2..T given the ones
//                before them in the window (the first token of a window is context only).
//   hf_strided   Hugging Face's "Perplexity of fixed-length models" (transformers docs): windows
//                begin every `stride` tokens, end = min(begin + T, n), and only the targets not
//                scored by an earlier window count (trg_len = end − previous end; the window's first
//                token is never a target). stride = T is exactly `disjoint`; stride < T scores
//                every token after the stream's first exactly once, each with ≥ T − stride context.
//
//   perplexity = exp(Σ NLL / tokens scored)   (token-weighted, as README.md's "Context extension" defines it)
//
// Loss by position: the mean NLL of the targets at each offset 1..T−1 inside their window (the
// raw data of "does it break past L?" plots), summed over windows.
//
// The stream is a TokenSource (a vector or a memory-mapped shard); only one window at a time is
// copied out of it.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "components/model/model.h"
#include "harness/data/token_source.h"

namespace ablate {

struct PerplexityOptions {
  std::string windowing = "disjoint";  // disjoint | hf_strided
  int64_t window = 0;                  // T >= 2
  int64_t stride = 0;                  // hf_strided: 1..T (0 = T / 2)
  int64_t max_tokens = 0;              // stop after the window that reaches this many targets (0 = all)
  int64_t batch = 1;                   // windows of equal length per forward pass
};

// One window: inputs tokens[begin, end − 1), targets at stream positions [score_from, end).
struct ScoredWindow {
  int64_t begin = 0, end = 0, score_from = 0;
};

// The windows of a stream of n tokens (std::invalid_argument for bad options); max_tokens applied.
std::vector<ScoredWindow> plan_windows(int64_t n, const PerplexityOptions& options);

struct PerplexityResult {
  double nll_sum = 0;
  int64_t tokens = 0;   // targets scored
  int64_t windows = 0;
  std::vector<double> position_nll;     // (T) Σ NLL of targets at each offset in the window
  std::vector<int64_t> position_count;  // (T) how many
  double loss() const { return tokens > 0 ? nll_sum / static_cast<double>(tokens) : NAN; }
  double perplexity() const { return std::exp(loss()); }
  // Mean NLL per bucket of `bucket` consecutive offsets (offsets 1..T−1; empty buckets skipped).
  std::vector<double> loss_by_position(int64_t bucket) const;
};

// Scores `windows` of `tokens` with `model` (its positions must allow each window's length),
// `batch` windows of equal length per forward pass. Sums run in a fixed order: the result does
// not depend on the thread count. position_nll/position_count have one entry per offset of the
// longest window.
PerplexityResult score_windows(Model<float>& model, const TokenSource& tokens,
                               const std::vector<ScoredWindow>& windows, int64_t batch);

// score_windows over plan_windows(tokens.size(), options).
PerplexityResult evaluate_perplexity(Model<float>& model, const TokenSource& tokens,
                                     const PerplexityOptions& options);

}  // namespace ablate
