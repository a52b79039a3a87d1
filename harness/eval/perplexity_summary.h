// What `eval` (metrics.validation) and `extend` (each point) share of a perplexity evaluation:
// the options a windowing takes from the tokenizer (BOS, EOS), the text lm_eval_rolling's word and
// byte figures count, and the fields a result records (docs/results.md).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>

#include "harness/data/token_source.h"
#include "harness/eval/perplexity.h"
#include "harness/tokenizers/tokenizer.h"

namespace ablate {

// PerplexityOptions for `windowing` at `window` (batch: about 4096 tokens per forward pass), with
// the tokenizer's BOS and EOS.
PerplexityOptions windowing_options(const std::string& windowing, int64_t window, int64_t stride, int64_t max_tokens,
                                    const Tokenizer& tokenizer);

// lm_eval_rolling's denominators: the words and bytes of the text the stream's first
// evaluated_length tokens decode to (lm-eval counts them on the document string; Ablate holds
// tokens, so it counts their decoding). nullopt for the other windowings.
std::optional<TextSize> scored_text_size(const TokenSource& tokens, const PerplexityOptions& options,
                                         const Tokenizer& tokenizer);

// {"windowing", "loss", "perplexity", "tokens", "windows", "text_tokens"}, plus "stride" for
// hf_strided and, with a text size, {"words", "bytes", "word_perplexity", "byte_perplexity",
// "bits_per_byte"}.
nlohmann::json perplexity_summary(const PerplexityResult& result, const PerplexityOptions& options,
                                  const std::optional<TextSize>& text);

}  // namespace ablate
