// Perplexity options and result fields shared by eval and extend (see perplexity_summary.h).
#include "harness/eval/perplexity_summary.h"

#include <algorithm>

namespace ablate {

PerplexityOptions windowing_options(const std::string& windowing, int64_t window, int64_t stride, int64_t max_tokens,
                                    const Tokenizer& tokenizer) {
  PerplexityOptions o;
  o.windowing = windowing;
  o.window = window;
  o.stride = stride;
  o.max_tokens = max_tokens;
  o.batch = std::max<int64_t>(1, 4096 / std::max<int64_t>(1, window));
  o.bos = tokenizer.bos_id();
  o.eos = tokenizer.eos_id();
  return o;
}

std::optional<TextSize> scored_text_size(const TokenSource& tokens, const PerplexityOptions& options,
                                         const Tokenizer& tokenizer) {
  if (options.windowing != "lm_eval_rolling") return std::nullopt;
  return text_size(tokenizer.decode(tokens.slice(0, evaluated_length(tokens.size(), options))));
}

nlohmann::json perplexity_summary(const PerplexityResult& r, const PerplexityOptions& options,
                                  const std::optional<TextSize>& text) {
  nlohmann::json j = {{"windowing", options.windowing}, {"loss", r.loss()},       {"perplexity", r.perplexity()},
                      {"tokens", r.tokens},             {"windows", r.windows}, {"text_tokens", r.text_tokens}};
  if (options.windowing == "hf_strided") j["stride"] = resolved_stride(options);
  if (text) {
    const TextMetrics m = text_metrics(r.nll_sum, *text);
    j["words"] = text->words;
    j["bytes"] = text->bytes;
    j["word_perplexity"] = m.word_perplexity;
    j["byte_perplexity"] = m.byte_perplexity;
    j["bits_per_byte"] = m.bits_per_byte;
  }
  return j;
}

}  // namespace ablate
