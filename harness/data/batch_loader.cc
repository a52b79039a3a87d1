// Train/validation split, the seeded random batch loader (over a TokenSource), and evaluation windows.
#include "harness/data/batch_loader.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "components/core/random.h"
#include "harness/common/format.h"

namespace ablate {
namespace {

constexpr uint64_t kGamma = 0x9E3779B97F4A7C15ull;  // SplitMix64's increment (as in Rng)

// The view of *tokens, checked for null first (before B and T, as the loader always has).
TokenSource borrow_corpus(const std::vector<int32_t>* tokens) {
  if (tokens == nullptr) throw DataError("BatchLoader: the token corpus is null");
  return TokenSource(*tokens);
}

}  // namespace

int64_t split_point(int64_t n, double validation_fraction) {
  if (!(validation_fraction >= 0.0 && validation_fraction < 1.0))
    throw DataError("validation fraction " + format_significant(validation_fraction, 6) + " is outside [0, 1)");
  const int64_t n_validation = static_cast<int64_t>(std::floor(validation_fraction * static_cast<double>(n)));
  return n - std::min(n_validation, n);
}

TokenSplit split_tokens(const std::vector<int32_t>& tokens, double validation_fraction) {
  const size_t n_train = static_cast<size_t>(split_point(static_cast<int64_t>(tokens.size()), validation_fraction));
  TokenSplit split;
  split.train.assign(tokens.begin(), tokens.begin() + static_cast<std::ptrdiff_t>(n_train));
  split.validation.assign(tokens.begin() + static_cast<std::ptrdiff_t>(n_train), tokens.end());
  return split;
}

BatchLoader::BatchLoader(const std::vector<int32_t>* tokens, int64_t B, int64_t T, uint64_t seed)
    : BatchLoader(borrow_corpus(tokens), B, T, seed) {}

BatchLoader::BatchLoader(TokenSource tokens, int64_t B, int64_t T, uint64_t seed)
    : tokens_(std::move(tokens)), B_(B), T_(T), seed_(seed), stream_(Rng(seed).next_u64()) {
  if (B < 1) throw DataError("BatchLoader: batch size B must be >= 1, found " + std::to_string(B));
  if (T < 1) throw DataError("BatchLoader: context T must be >= 1, found " + std::to_string(T));
  if (B > std::numeric_limits<int64_t>::max() / T)
    throw DataError("BatchLoader: B·T = " + std::to_string(B) + "·" + std::to_string(T) + " overflows int64");
  const int64_t n = tokens_.size();
  if (n - 1 < T)
    throw DataError("corpus of " + std::to_string(n) + " tokens is shorter than one context of T+1 = " +
                    std::to_string(static_cast<uint64_t>(T) + 1) + " tokens");
}

std::vector<int64_t> BatchLoader::offsets(int64_t batch_index) const {
  const int64_t n = tokens_.size();  // >= T + 1, checked on construction
  if (batch_index < 0) throw DataError("BatchLoader: batch index " + std::to_string(batch_index) + " is negative");
  const uint64_t starts = static_cast<uint64_t>(n - T_);  // positions where T+1 tokens fit
  // Rng(stream_ + k·γ) yields the (k+1)-th value of Rng(stream_): k = b·B + j (mod 2^64).
  const uint64_t first = static_cast<uint64_t>(batch_index) * static_cast<uint64_t>(B_);
  Rng rng(stream_ + first * kGamma);
  std::vector<int64_t> out(static_cast<size_t>(B_));
  for (auto& start : out) start = static_cast<int64_t>(rng.below(starts));
  return out;
}

void BatchLoader::next(std::vector<int32_t>& inputs, std::vector<int32_t>& targets) {
  const std::vector<int64_t> starts = offsets(batch_);
  inputs.resize(static_cast<size_t>(B_ * T_));
  targets.resize(static_cast<size_t>(B_ * T_));
  for (int64_t b = 0; b < B_; ++b) {
    const int64_t start = starts[static_cast<size_t>(b)];
    tokens_.copy(start, start + T_, inputs.data() + b * T_);
    tokens_.copy(start + 1, start + T_ + 1, targets.data() + b * T_);
  }
  ++batch_;
}

void BatchLoader::seek(int64_t batches_drawn) {
  if (batches_drawn < 0) throw DataError("BatchLoader: cannot seek to batch " + std::to_string(batches_drawn));
  batch_ = batches_drawn;
}

std::vector<std::pair<int64_t, int64_t>> evaluation_windows(int64_t n_tokens, int64_t T) {
  if (T < 1) throw DataError("evaluation windows: context T must be >= 1, found " + std::to_string(T));
  if (n_tokens < 2)
    throw DataError("evaluation windows: a stream of " + std::to_string(n_tokens) +
                    " tokens has nothing to score (need at least 2)");
  std::vector<std::pair<int64_t, int64_t>> windows;
  for (int64_t start = 0;; start += T) {
    const bool last = T >= n_tokens - 1 - start;  // start + T + 1 >= n_tokens, without overflow
    windows.emplace_back(start, last ? n_tokens : start + T + 1);
    if (last) break;
  }
  return windows;
}

}  // namespace ablate
