// Windowed perplexity (see perplexity.h).
#include "harness/eval/perplexity.h"

#include <algorithm>
#include <stdexcept>

#include "components/core/cross_entropy.h"
#include "harness/data/batch_loader.h"
#include "harness/eval/windowing.h"
#include "harness/tokenizers/python_text.h"

namespace ablate {
namespace {

[[noreturn]] void refuse(const std::string& what) { throw std::invalid_argument("perplexity: " + what); }

// disjoint: the validation windows of batch_loader.h, (start, end) = run [start, end − 1) + its label.
std::vector<ScoredWindow> disjoint_windows(int64_t n, int64_t T) {
  std::vector<ScoredWindow> windows;
  for (const auto& [start, end] : evaluation_windows(n, T)) windows.push_back({start, end - 1, start + 1, end});
  return windows;
}

// hf_strided: windows every `stride` tokens, each scoring what no earlier window scored.
std::vector<ScoredWindow> strided_windows(int64_t n, int64_t T, int64_t stride) {
  std::vector<ScoredWindow> windows;
  for (int64_t begin = 0, previous_end = 0; begin < n; begin += stride) {
    const int64_t end = std::min(begin + T, n);
    const int64_t score_from = std::max(begin + 1, previous_end);
    if (end > score_from) windows.push_back({begin, end, score_from, end});
    previous_end = end;
    if (end == n) break;
  }
  return windows;
}

// llamacpp: chunks of the token list L = [BOS] + stream (a = 1) or the stream (a = 0), L[i] =
// stream[i − a]. Chunk k is L[kT, kT + T) with L[kT] replaced by BOS, i.e. BOS + stream[kT + 1 − a,
// kT + T − a); it scores L[kT + T/2 + 1, kT + T).
std::vector<ScoredWindow> llamacpp_windows(const TokenSource& tokens, int64_t n, int64_t T, std::optional<int32_t> bos) {
  if (T - 1 - T / 2 < 1) refuse("llamacpp: the window must be >= 3 tokens (it scores tokens T/2 + 1 .. T − 1), found " + std::to_string(T));
  const int64_t a = bos && (n == 0 || tokens[0] != *bos) ? 1 : 0;
  const int64_t N = n + a;
  if (N < 2 * T)
    refuse("llamacpp: the text holds " + std::to_string(N) + " tokens" + (a ? " with its BOS" : "") +
           ", fewer than 2 * window = " + std::to_string(2 * T) + " (llama.cpp's perplexity refuses such a text)");
  std::vector<ScoredWindow> windows;
  const int64_t first = T / 2;
  for (int64_t k = 0; k < N / T; ++k) {
    const int64_t start = k * T - a;  // the stream position of L[kT]
    ScoredWindow w{start, start + T, start + first + 1, start + T};
    if (bos) {
      w.begin = start + 1;
      w.prefix = *bos;
    }
    windows.push_back(w);
  }
  return windows;
}

// lm_eval_rolling: get_rolling_token_windows(token_list, prefix, T, 1) + make_disjoint_window, in
// stream positions. s0 = 0: the prefix is outside the stream; s0 = 1: it is stream[0].
std::vector<ScoredWindow> rolling_windows(const TokenSource& tokens, int64_t n, int64_t T, const PerplexityOptions& o) {
  const std::optional<int32_t> prefix = o.bos ? o.bos : o.eos;
  const int64_t s0 = prefix && n > 0 && tokens[0] != *prefix ? 0 : 1;
  if (n - s0 < 1) refuse("lm_eval_rolling: the text holds no token to predict after its prefix");
  std::vector<ScoredWindow> windows;
  // The first window: [prefix] + token_list[: f − 1] predicts token_list[: f].
  const int64_t f = std::min(T, n - s0);
  ScoredWindow first{0, f - 1 + s0, s0, s0 + f};
  if (s0 == 0) first.prefix = *prefix;
  windows.push_back(first);
  // Later windows: the model runs on the T tokens before window_end and scores the last
  // window_pred_len of them shifted by one (make_disjoint_window; lm-eval's inp = (context +
  // continuation)[-(T + 1):][:-1]).
  for (int64_t predicted = s0 + f; predicted < n;) {
    const int64_t w = std::min(n - predicted, T);
    const int64_t end = predicted + w;
    windows.push_back({end - T - 1, end - 1, end - w, end});
    predicted = end;
  }
  return windows;
}

}  // namespace

int64_t resolved_stride(const PerplexityOptions& o) { return o.stride > 0 ? o.stride : std::max<int64_t>(1, o.window / 2); }

int64_t evaluated_length(int64_t n, const PerplexityOptions& o) {
  return o.max_tokens > 0 ? std::min(n, o.max_tokens + 1) : n;
}

std::vector<ScoredWindow> plan_windows(const TokenSource& tokens, const PerplexityOptions& o) {
  const int64_t T = o.window;
  const int64_t shortest = o.windowing == "disjoint" ? 1 : 2;  // a disjoint run of 1 token predicts the next
  if (T < shortest) refuse("window must be >= " + std::to_string(shortest) + ", found " + std::to_string(T));
  const std::vector<std::string>& names = windowing_names();
  if (std::find(names.begin(), names.end(), o.windowing) == names.end()) {
    std::string known;
    for (const std::string& name : names) known += (known.empty() ? "" : ", ") + name;
    refuse("unknown windowing '" + o.windowing + "' (known: " + known + ")");
  }
  const int64_t n = evaluated_length(tokens.size(), o);
  if (n < 2) refuse("a text of " + std::to_string(n) + " tokens has nothing to score (need at least 2)");
  if (o.windowing == "disjoint") return disjoint_windows(n, T);
  if (o.windowing == "llamacpp") return llamacpp_windows(tokens, n, T, o.bos);
  if (o.windowing == "lm_eval_rolling") return rolling_windows(tokens, n, T, o);
  const int64_t stride = resolved_stride(o);
  if (stride > T) refuse("stride " + std::to_string(stride) + " exceeds the window " + std::to_string(T));
  return strided_windows(n, T, stride);
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
  for (const ScoredWindow& w : windows) {
    const int64_t off = w.prefix >= 0 ? 1 : 0;
    if (w.begin < 0 || w.end < w.begin || w.end > tokens.size() || w.run_length() < 1 ||
        w.score_from < w.begin + 1 - off || w.score_to > std::min(w.end + 1, tokens.size()))
      refuse("window [" + std::to_string(w.begin) + ", " + std::to_string(w.end) + ") scoring [" +
             std::to_string(w.score_from) + ", " + std::to_string(w.score_to) + ") does not fit a stream of " +
             std::to_string(tokens.size()) + " tokens");
    longest = std::max(longest, w.run_length());
  }
  PerplexityResult r;
  r.position_nll.assign(longest + 1, 0.0);
  r.position_count.assign(longest + 1, 0);
  CrossEntropy<float> ce;
  std::vector<int32_t> inputs, targets, window;
  for (size_t w = 0; w < windows.size();) {
    // Runs of the same length go through one forward pass; unscored targets are −1 (ignored).
    const int64_t R = windows[w].run_length();
    size_t count = 1;
    while (count < static_cast<size_t>(std::max<int64_t>(1, batch)) && w + count < windows.size() &&
           windows[w + count].run_length() == R)
      ++count;
    inputs.resize(count * R);
    targets.resize(count * R);
    for (size_t j = 0; j < count; ++j) {
      const ScoredWindow& sw = windows[w + j];
      const int64_t off = sw.prefix >= 0 ? 1 : 0;
      const int64_t last = std::max(sw.end, sw.score_to);  // the run and its targets: stream [begin, last)
      window.resize(static_cast<size_t>(last - sw.begin));
      tokens.copy(sw.begin, last, window.data());
      for (int64_t t = 0; t < R; ++t) {
        inputs[j * R + t] = t < off ? sw.prefix : window[t - off];
        const int64_t target_pos = sw.begin - off + t + 1;  // what run position t predicts
        targets[j * R + t] =
            target_pos >= sw.score_from && target_pos < sw.score_to ? window[target_pos - sw.begin] : -1;
      }
    }
    const Tensor<float>& logits = model.forward(inputs.data(), static_cast<int64_t>(count), R);
    ce.forward(logits.ptr(), targets.data(), static_cast<int64_t>(count) * R, V);
    const std::vector<double>& nll = ce.token_nll();
    for (size_t j = 0; j < count; ++j)
      for (int64_t t = 0; t < R; ++t) {
        if (targets[j * R + t] < 0) continue;
        r.nll_sum += nll[j * R + t];
        r.position_nll[t + 1] += nll[j * R + t];
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
  PerplexityResult r = score_windows(model, tokens, plan_windows(tokens, options), options.batch);
  r.text_tokens = evaluated_length(tokens.size(), options);
  r.position_nll.resize(options.window + 1, 0.0);  // one entry per context length of the window, even if no run was full
  r.position_count.resize(options.window + 1, 0);
  return r;
}

TextSize text_size(const std::string& text) {
  return {python_whitespace_split_count(text), static_cast<int64_t>(text.size())};
}

TextMetrics text_metrics(double nll_sum, const TextSize& size) {
  TextMetrics m;
  m.word_perplexity = std::exp(nll_sum / static_cast<double>(size.words));
  if (size.bytes > 0) {
    m.byte_perplexity = std::exp(nll_sum / static_cast<double>(size.bytes));
    m.bits_per_byte = nll_sum / (static_cast<double>(size.bytes) * std::log(2.0));
  }
  return m;
}

}  // namespace ablate
