// Windowed perplexity (see perplexity.h).
#include "harness/eval/perplexity.h"

#include <algorithm>
#include <stdexcept>

#include "components/core/cross_entropy.h"

namespace ablate {

std::vector<ScoredWindow> plan_windows(int64_t n, const PerplexityOptions& o) {
  const int64_t T = o.window;
  if (T < 2) throw std::invalid_argument("perplexity: window must be >= 2, found " + std::to_string(T));
  if (o.windowing != "disjoint" && o.windowing != "hf_strided")
    throw std::invalid_argument("perplexity: unknown windowing '" + o.windowing + "' (known: disjoint, hf_strided)");
  const int64_t stride = o.windowing == "disjoint" ? T : (o.stride > 0 ? o.stride : std::max<int64_t>(1, T / 2));
  if (stride > T) throw std::invalid_argument("perplexity: stride " + std::to_string(stride) + " exceeds the window " + std::to_string(T));
  std::vector<ScoredWindow> windows;
  int64_t scored = 0, previous_end = 0;
  for (int64_t begin = 0; begin < n; begin += stride) {
    const int64_t end = std::min(begin + T, n);
    const int64_t score_from = std::max(begin + 1, previous_end);
    if (end - score_from >= 1) {
      windows.push_back({begin, end, score_from});
      scored += end - score_from;
    }
    previous_end = end;
    if (end == n || (o.max_tokens > 0 && scored >= o.max_tokens)) break;
  }
  return windows;
}

std::vector<double> PerplexityResult::loss_by_position(int64_t bucket) const {
  std::vector<double> out;
  bucket = std::max<int64_t>(1, bucket);
  for (size_t start = 1; start < position_nll.size(); start += bucket) {
    double sum = 0;
    int64_t count = 0;
    for (size_t p = start; p < std::min(position_nll.size(), start + bucket); ++p) {
      sum += position_nll[p];
      count += position_count[p];
    }
    if (count > 0) out.push_back(sum / static_cast<double>(count));
  }
  return out;
}

PerplexityResult score_windows(Model<float>& model, const TokenSource& tokens,
                               const std::vector<ScoredWindow>& windows, int64_t batch) {
  const int64_t V = model.config().vocab_size;
  int64_t longest = 0;
  for (const ScoredWindow& w : windows) longest = std::max(longest, w.end - w.begin);
  PerplexityResult r;
  r.position_nll.assign(longest, 0.0);
  r.position_count.assign(longest, 0);
  CrossEntropy<float> ce;
  std::vector<int32_t> inputs, targets, window;
  for (size_t w = 0; w < windows.size();) {
    // Windows of the same length go through one forward pass; unscored targets are −1 (ignored).
    const int64_t len = windows[w].end - windows[w].begin - 1;
    size_t count = 1;
    while (count < static_cast<size_t>(std::max<int64_t>(1, batch)) && w + count < windows.size() &&
           windows[w + count].end - windows[w + count].begin - 1 == len)
      ++count;
    inputs.resize(count * len);
    targets.resize(count * len);
    for (size_t j = 0; j < count; ++j) {
      const ScoredWindow& sw = windows[w + j];
      window.resize(static_cast<size_t>(len + 1));
      tokens.copy(sw.begin, sw.end, window.data());
      for (int64_t t = 0; t < len; ++t) {
        inputs[j * len + t] = window[t];
        const int64_t target_pos = sw.begin + t + 1;
        targets[j * len + t] = target_pos >= sw.score_from ? window[t + 1] : -1;
      }
    }
    const Tensor<float>& logits = model.forward(inputs.data(), static_cast<int64_t>(count), len);
    ce.forward(logits.ptr(), targets.data(), static_cast<int64_t>(count) * len, V);
    const std::vector<double>& nll = ce.token_nll();
    for (size_t j = 0; j < count; ++j)
      for (int64_t t = 0; t < len; ++t) {
        if (targets[j * len + t] < 0) continue;
        r.nll_sum += nll[j * len + t];
        r.position_nll[t + 1] += nll[j * len + t];
        r.position_count[t + 1] += 1;
        r.tokens += 1;
      }
    r.windows += static_cast<int64_t>(count);
    w += count;
  }
  return r;
}

PerplexityResult evaluate_perplexity(Model<float>& model, const TokenSource& tokens,
                                     const PerplexityOptions& options) {
  PerplexityResult r = score_windows(model, tokens, plan_windows(tokens.size(), options),
                                     options.batch);
  r.position_nll.resize(options.window, 0.0);  // one entry per offset of the window, even if no window was full
  r.position_count.resize(options.window, 0);
  return r;
}

}  // namespace ablate
