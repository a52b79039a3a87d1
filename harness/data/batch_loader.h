// Training and validation data: the train/validation split of a token stream, the seeded random
// batch loader (exact resume by seek, no replay), and the windows that validation loss walks.
// The loader draws from a TokenSource (token_source.h): an in-memory vector or a memory-mapped
// llm.c shard, copying only the windows of each batch. Includes tokenizer.h (tokenize_file),
// token_shards.h (read_token_shard, MappedTokenShard; DataError, from harness/common/errors.h) and
// token_source.h, so this one header reaches the whole data layer.
//
// Shapes: B = sequences per batch, T = context length. A window is T+1 consecutive tokens;
// inputs = window[0:T], targets = window[1:T+1].
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "harness/data/token_shards.h"
#include "harness/data/token_source.h"
#include "harness/tokenizers/tokenizer.h"

namespace ablate {

struct TokenSplit {
  std::vector<int32_t> train, validation;
};

// validation = the last floor(validation_fraction * n) tokens (contiguous, so no window straddles
// the boundary), train = the rest. The fraction must be in [0, 1); 0 gives an empty validation set.
TokenSplit split_tokens(const std::vector<int32_t>& tokens, double validation_fraction);
// The size of the train part of that split of n tokens (the same point; DataError as above), for
// splitting a TokenSource into two views with range(): [0, split) and [split, n).
int64_t split_point(int64_t n, double validation_fraction);

// Draws batches of B random windows. Window j of batch b starts at
//   Rng(s + (b·B + j)·γ).below(n − T),   s = Rng(seed).next_u64(), γ = 0x9E3779B97F4A7C15
// i.e. the (b·B + j)-th draw of one SplitMix64 stream seeded by s, so the offsets depend only on
// (seed, b, j): seek(k) puts the loader exactly where k calls of next() would, in O(1). Starts are
// uniform over the n − T positions where a whole window fits (modulo bias < n / 2^64).
class BatchLoader {
 public:
  // tokens: the corpus (a view; a borrowed vector must outlive the loader and not change size).
  // DataError if B or T < 1, or the corpus is shorter than T + 1 tokens.
  BatchLoader(TokenSource tokens, int64_t B, int64_t T, uint64_t seed);
  // Borrows *tokens; also DataError if tokens is null.
  BatchLoader(const std::vector<int32_t>* tokens, int64_t B, int64_t T, uint64_t seed);

  // Fills inputs (B, T) and targets (B, T), row-major (both resized to B·T), and advances.
  void next(std::vector<int32_t>& inputs, std::vector<int32_t>& targets);
  // Start offsets (B) of the windows of batch `batch_index`; does not move the loader.
  std::vector<int64_t> offsets(int64_t batch_index) const;

  int64_t position() const { return batch_; }  // batches drawn so far
  void seek(int64_t batches_drawn);            // the state after that many next() calls
  int64_t batch_size() const { return B_; }
  int64_t context() const { return T_; }
  uint64_t seed() const { return seed_; }
  const TokenSource& tokens() const { return tokens_; }

 private:
  TokenSource tokens_;
  int64_t B_, T_;
  uint64_t seed_;
  uint64_t stream_;  // s above
  int64_t batch_ = 0;
};

// Windows [start, end) over a stream of n_tokens for validation loss: start = 0, T, 2T, ..., each
// end = min(start + T + 1, n_tokens), as llm.c's sequential loader reads them. Consecutive windows
// share one token (the last target of one is the first input of the next), so the targets are
// disjoint and score every token 1..n_tokens-1 exactly once; only the last window may be short
// (end − start − 1 tokens scored). DataError if T < 1 or n_tokens < 2.
std::vector<std::pair<int64_t, int64_t>> evaluation_windows(int64_t n_tokens, int64_t T);

}  // namespace ablate
