// Validation loss over consecutive windows (see validation_loss.h).
#include "harness/eval/validation_loss.h"

#include "harness/eval/perplexity.h"

namespace ablate {

LossEstimate validation_loss(Model<float>& model, const TokenSource& tokens, int64_t T,
                             int64_t B, int64_t max_tokens) {
  PerplexityOptions o;
  o.window = T;
  o.max_tokens = max_tokens;
  o.batch = B;
  const PerplexityResult r = score_windows(model, tokens, plan_windows(tokens, o), B);
  return {r.loss(), r.tokens, r.windows};
}

}  // namespace ablate
