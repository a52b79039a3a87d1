// Perplexity of a token stream under a fixed window T, by the windowing conventions users quote.
// The stream is first cut to its first max_tokens + 1 tokens (max_tokens > 0), so every window
// length and every convention scores the same text. A run of the model is the R tokens it sees
// (dynamic NTK's seq_len is R: the tokens the model actually runs on); each target is predicted
// from the run's positions before it.
//
//   disjoint         runs [kT, kT + T) predict tokens kT + 1 .. kT + T (the token after a run is its
//                    last target): every token after the stream's first is scored exactly once, with
//                    1..T tokens of context. The training/validation convention (nanoGPT, llm.c;
//                    evaluation_windows, batch_loader.h), and lm-eval's rolling windows without the
//                    prefix token; a text of n tokens scores n − 1 at every length.
//   hf_strided       Hugging Face's "Perplexity of fixed-length models" (transformers docs): windows
//                    begin every `stride` tokens, end = min(begin + T, n); the model runs on all of
//                    a window's tokens (seq_len = end − begin, labels shifted inside) and only the
//                    targets not scored by an earlier window count (trg_len = end − previous end; the
//                    window's first token is never a target). stride = T scores each window's tokens
//                    2..T; stride < T scores every token after the first once, each with ≥ T − stride
//                    tokens of context.
//   llamacpp         llama.cpp's perplexity tool (tools/perplexity/perplexity.cpp, perplexity()): the
//                    text as one token list with BOS first when the tokenizer has one (not doubled
//                    when the stream already starts with it), cut into ⌊N / T⌋ chunks of T tokens
//                    (the rest is dropped), the first token of each chunk replaced by BOS (when the
//                    tokenizer has one); the logits at chunk positions first = T/2 .. T − 2 score
//                    the chunk's tokens first + 1 .. T − 1 (T − 1 − first per chunk). Like the tool,
//                    it refuses a text of fewer than 2·T tokens.
//   lm_eval_rolling  lm-evaluation-harness loglikelihood_rolling (lm_eval/utils.py
//                    get_rolling_token_windows + make_disjoint_window, max_seq_len = T, context_len
//                    = 1): the text is one document; the first window runs [prefix] + tokens 0..T−2
//                    and predicts tokens 0..T−1; each later window predicts the next
//                    min(T, remaining) tokens from a run of the T tokens before each of them ending
//                    where its targets end. The prefix is the tokenizer's BOS, else its EOS (lm-eval's
//                    prefix_token_id); when the stream already starts with it (a +docs stream), or the
//                    tokenizer has neither, the stream's first token is the prefix and is not scored.
//                    Its word and byte figures: text_metrics below.
//
//   perplexity = exp(Σ NLL / tokens scored)   (token-weighted, as README.md's "Context extension" defines it)
//
// Loss by position: the NLL of the targets by how many tokens of the run precede them (1..R),
// summed over windows (the raw data of "does it break past L?" plots).
//
// The stream is a TokenSource (a vector or a memory-mapped shard); only one window at a time is
// copied out of it.
#pragma once

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "components/model/model.h"
#include "harness/data/token_source.h"

namespace ablate {

struct PerplexityOptions {
  std::string windowing = "disjoint";  // windowing_names() (windowing.h)
  int64_t window = 0;                  // T >= 2 (disjoint: >= 1)
  int64_t stride = 0;                  // hf_strided: 1..T (0 = T / 2)
  int64_t max_tokens = 0;              // cut the stream to max_tokens + 1 tokens (0 = all)
  int64_t batch = 1;                   // runs of equal length per forward pass
  std::optional<int32_t> bos, eos;     // the tokenizer's special tokens (llamacpp, lm_eval_rolling)
};

// One run of the model: (prefix when >= 0) + tokens [begin, end) of the stream; it scores the
// targets at stream positions [score_from, score_to), each predicted from the run position before
// it (so score_to <= end + 1: the token after the run may be the last target).
struct ScoredWindow {
  int64_t begin = 0, end = 0, score_from = 0, score_to = 0;
  int32_t prefix = -1;  // a token the run starts with before stream[begin] (BOS, lm-eval's prefix)
  int64_t run_length() const { return end - begin + (prefix >= 0 ? 1 : 0); }
};

// hf_strided's step: stride, or T / 2 (at least 1) when 0.
int64_t resolved_stride(const PerplexityOptions& options);

// The stream length the options score: min(n, max_tokens + 1), or n.
int64_t evaluated_length(int64_t n, const PerplexityOptions& options);

// The runs that score `tokens` (cut to evaluated_length) under `options`. std::invalid_argument,
// saying why, for bad options or a text the convention cannot score (fewer than 2 tokens; for
// llamacpp fewer than 2·T with its BOS).
std::vector<ScoredWindow> plan_windows(const TokenSource& tokens, const PerplexityOptions& options);

struct PerplexityResult {
  double nll_sum = 0;
  int64_t tokens = 0;       // targets scored
  int64_t windows = 0;      // runs of the model
  int64_t text_tokens = 0;  // the stream's tokens after the max_tokens cut
  std::vector<double> position_nll;     // (R + 1) Σ NLL of targets with c tokens of the run before them
  std::vector<int64_t> position_count;  // (R + 1) how many
  double loss() const { return tokens > 0 ? nll_sum / static_cast<double>(tokens) : NAN; }
  double perplexity() const { return std::exp(loss()); }
  // Mean NLL per bucket of `bucket` consecutive context lengths (1..R; empty buckets skipped).
  std::vector<double> loss_by_position(int64_t bucket) const;
};

// Scores `windows` of `tokens` with `model` (its positions must allow each run's length), `batch`
// runs of equal length per forward pass. Sums run in a fixed order: the result does not depend on
// the thread count. position_nll/position_count have one entry per context length of the longest run.
PerplexityResult score_windows(Model<float>& model, const TokenSource& tokens,
                               const std::vector<ScoredWindow>& windows, int64_t batch);

// score_windows over plan_windows(tokens, options); position arrays of window + 1 entries.
PerplexityResult evaluate_perplexity(Model<float>& model, const TokenSource& tokens,
                                     const PerplexityOptions& options);

// lm-eval's figures for a rolling-loglikelihood text (lm_eval/api/task.py count_words /
// count_bytes; the wikitext task's process_results and weighted_perplexity / bits_per_byte):
//   words = len(re.split(r"\s+", text))   (Python's whitespace; leading/trailing runs count)
//   bytes = len(text.encode("utf-8"))
//   word_perplexity = exp(−ΣLL / words), byte_perplexity = exp(−ΣLL / bytes),
//   bits_per_byte = −ΣLL / (bytes · ln 2),   ΣLL = −nll_sum over every token of the text.
struct TextSize {
  int64_t words = 0, bytes = 0;
};
TextSize text_size(const std::string& text);

struct TextMetrics {
  double word_perplexity = NAN, byte_perplexity = NAN, bits_per_byte = NAN;
};
TextMetrics text_metrics(double nll_sum, const TextSize& size);

}  // namespace ablate
