// Validation loss over consecutive windows (see validation_loss.h).
#include "harness/eval/validation_loss.h"

#include <algorithm>

#include "harness/data/batch_loader.h"
#include "harness/eval/perplexity.h"

namespace ablate {

LossEstimate validation_loss(Model<float>& model, const TokenSource& tokens, int64_t T,
                             int64_t B, int64_t max_tokens) {
  int64_t n = tokens.size();
  if (max_tokens > 0) n = std::min(n, max_tokens + 1);
  std::vector<ScoredWindow> windows;
  for (const auto& [start, end] : evaluation_windows(n, T)) windows.push_back({start, end, start + 1});
  const PerplexityResult r = score_windows(model, tokens, windows, B);
  return {r.loss(), r.tokens, r.windows};
}

nlohmann::json loss_summary(const LossEstimate& e, int64_t context) {
  return {{"loss", e.loss}, {"perplexity", e.perplexity()}, {"tokens", e.tokens},
          {"windows", e.windows}, {"context", context}};
}

}  // namespace ablate
