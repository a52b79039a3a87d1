// Validation loss over consecutive windows (see validation_loss.h).
#include "harness/validation_loss.h"

#include <algorithm>

#include "components/cross_entropy.h"
#include "harness/batch_loader.h"

namespace ablate {

LossEstimate validation_loss(Model<float>& model, const std::vector<int32_t>& tokens, int64_t T,
                             int64_t B, int64_t max_tokens) {
  int64_t n = static_cast<int64_t>(tokens.size());
  if (max_tokens > 0) n = std::min(n, max_tokens + 1);
  const auto windows = evaluation_windows(n, T);
  const int64_t V = model.config().vocab_size;
  CrossEntropy<float> ce;
  std::vector<int32_t> inputs, targets;
  LossEstimate est;
  double nll_sum = 0;
  // Full-length windows B at a time; the (possibly short) last window alone with its own length.
  for (size_t w = 0; w < windows.size();) {
    const int64_t len = windows[w].second - windows[w].first - 1;
    size_t count = 1;
    while (count < static_cast<size_t>(B) && w + count < windows.size() &&
           windows[w + count].second - windows[w + count].first - 1 == len)
      ++count;
    inputs.resize(count * len);
    targets.resize(count * len);
    for (size_t j = 0; j < count; ++j) {
      const int32_t* src = tokens.data() + windows[w + j].first;
      std::copy(src, src + len, inputs.begin() + j * len);
      std::copy(src + 1, src + 1 + len, targets.begin() + j * len);
    }
    const auto& logits = model.forward(inputs.data(), static_cast<int64_t>(count), len);
    const double mean = ce.forward(logits.ptr(), targets.data(), static_cast<int64_t>(count) * len, V);
    nll_sum += mean * static_cast<double>(ce.counted());
    est.tokens += ce.counted();
    est.windows += static_cast<int64_t>(count);
    w += count;
  }
  est.loss = nll_sum / static_cast<double>(est.tokens);
  return est;
}

nlohmann::json loss_summary(const LossEstimate& e, int64_t context) {
  return {{"loss", e.loss}, {"perplexity", e.perplexity()}, {"tokens", e.tokens},
          {"windows", e.windows}, {"context", context}};
}

}  // namespace ablate
