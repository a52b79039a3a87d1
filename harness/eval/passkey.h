// Passkey retrieval (Mohtashami & Jaggi 2023, "Landmark Attention", arXiv 2305.16300, whose prompt the
// PI paper, Chen et al. 2023, arXiv 2306.15595 §3.3, and YaRN, Peng et al. 2023, arXiv 2309.00071,
// use verbatim): a random k-digit key is stated once inside long filler text and asked for at the
// end; the answer counts when the greedy continuation reproduces every digit.
//
// The prompt (landmark-attention's run_test.py generate_prompt: its lines joined by "\n"):
//   INSTRUCTION                 "There is an important info hidden inside a lot of irrelevant text.
//                                Find it and memorize them. I will quiz you about the important
//                                information there."  (left out with instruction = false)
//   FILLER[0, a)
//   KEY LINE                    "The pass key is 71432. Remember it. 71432 is the pass key."
//   FILLER[a, n)
//   QUESTION                    "What is the pass key? The pass key is"
// The paper's filler repeats "The grass is green. The sky is blue. The sun is yellow. Here we go.
// There and back again."; here it is any token stream (the built-in corpus, a text file), read
// from a trial's own offset and repeated from its start where it runs out.
//
// Length. The prompt is tokenized as one text (BOS first when the tokenizer has one); n, the
// filler tokens, is what makes the whole prompt exactly `length` tokens: n = length − the tokens
// of the prompt without filler, for this key (a BPE tokenizer may split two keys into different
// numbers of tokens). The filler's two parts are the decoded filler tokens [o, o + a) and
// [o + a, o + n), a = round(depth · n): depth 0 puts the key line right after the instruction,
// depth 1 right before the question. With a byte-level tokenizer the prompt is always exactly
// `length` tokens; with another, where the text re-tokenizes differently across a cut, n is
// corrected (up to 8 times) and the longest prompt of at most `length` tokens is kept.
//
// Scoring. The model decodes greedily (argmax, the first maximum on ties) as many tokens as the
// tokenizer gives " " + KEY after the prompt (byte-level: k + 1, the space and the k digits) from
// one prefill of the prompt and a KV cache; correct = the decoded text, leading whitespace
// removed, starts with a run of digits equal to the key (exact match of all k digits, no more).
// Keys are k uniform digits (leading zeros allowed), so guessing scores 10^-k.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "components/core/random.h"
#include "components/model/model.h"
#include "harness/tokenizers/tokenizer.h"

namespace ablate {

extern const char* const kPasskeyInstruction;
extern const char* const kPasskeyQuestion;

// "The pass key is KEY. Remember it. KEY is the pass key."
std::string passkey_key_line(const std::string& key);

// k digits, each uniform in 0..9.
std::string random_passkey(Rng& rng, int64_t digits);

// The key and the filler offset (in [0, filler_tokens)) of trial `trial` at (length, depth):
// drawn from a generator seeded by (seed, length, depth, trial) alone, so every scaling method,
// and any list of lengths or depths holding this point, sees the same prompt there.
struct PasskeyTrial {
  std::string key;
  int64_t offset = 0;
};
PasskeyTrial passkey_trial(int64_t seed, int64_t length, double depth, int64_t trial, int64_t digits,
                           size_t filler_tokens);

struct PasskeyPrompt {
  std::string key;
  std::string text;             // the prompt as text (without BOS)
  std::vector<int32_t> tokens;  // its tokens, BOS first when the tokenizer has one
  int64_t filler_tokens = 0;    // n
  int64_t filler_before = 0;    // a: filler tokens before the key line
  size_t key_line_at = 0;       // where the key line begins in `text`
  int64_t answer_tokens = 0;    // tokens to decode: those of " " + key after the prompt
};

// The prompt of `key` at `length` tokens with the key line at `depth` of the filler, the filler
// read from token `offset` of `filler` (repeated where it runs out). std::invalid_argument when
// the prompt without filler already exceeds `length` tokens, or `filler` is empty.
PasskeyPrompt build_passkey_prompt(const Tokenizer& tokenizer, const std::vector<int32_t>& filler, int64_t offset,
                                   const std::string& key, int64_t length, double depth, bool instruction);

// Tokens of the prompt without filler for the longest key text of `digits` digits ("999..."):
// the shortest usable length is this + 1.
int64_t passkey_prompt_overhead(const Tokenizer& tokenizer, int64_t digits, bool instruction);

// Whether `decoded` (the continuation's text) answers `key`: leading whitespace skipped, then a
// run of digits equal to key.
bool passkey_answer_correct(const std::string& decoded, const std::string& key);

// Greedy continuations of B prompts of T tokens each (prompts: B × T, row-major): one
// forward_cached of the prompts, then steps - 1 single-token steps. Returns B rows of `steps`
// token ids.
std::vector<std::vector<int32_t>> greedy_continuations(Model<float>& model, const std::vector<int32_t>& prompts,
                                                       int64_t B, int64_t T, int64_t steps);

}  // namespace ablate
