// The llamacpp and lm_eval_rolling windowings, exactly: on a constructed model (dynamic NTK past
// its 16 positions, so a run of the wrong length shows), the expected NLL is built here from the
// model's own per-position log-probs over windows written out the way llama.cpp's perplexity()
// and lm-eval's get_rolling_token_windows + make_disjoint_window write them, not through
// plan_windows. Also lm-eval's word / byte counts (values from Python's re.split), and dynamic
// NTK's seq_len = the tokens of a run.
#include <gtest/gtest.h>

#include <cmath>
#include <optional>
#include <stdexcept>
#include <utility>
#include <vector>

#include "harness/data/synthetic_corpus.h"
#include "harness/eval/perplexity.h"
#include "tests/test_support.h"

namespace ablate {
namespace {

using testing::message_of;

constexpr int32_t kBos = 1, kEos = 2;  // ids the corpus text (printable ASCII) never holds

std::vector<int32_t> corpus_tokens(int64_t n, uint64_t seed = 5) {
  const std::string text = generate_corpus(seed, n);
  return std::vector<int32_t>(text.begin(), text.begin() + n);
}

// Dynamic NTK (factor 2) over 16 trained positions: every run longer than 16 changes the base.
ModelConfig dynamic_model() {
  ModelConfig c = testing::tiny_config("llama");
  c.vocab_size = 256;
  c.context = 16;
  c.position.scaling.type = "dynamic_ntk";
  c.position.scaling.factor = 2;
  c.resolve();
  return c;
}

// −log p(target | run[0..t]) for every position t of one forward pass over `run` (double math).
struct RunLogProbs {
  std::vector<float> logits;
  int64_t V = 0;
  double nll(int64_t t, int32_t target) const {
    const float* z = logits.data() + t * V;
    double max = z[0], sum = 0;
    for (int64_t v = 1; v < V; ++v) max = std::max(max, double(z[v]));
    for (int64_t v = 0; v < V; ++v) sum += std::exp(double(z[v]) - max);
    return max + std::log(sum) - double(z[target]);
  }
};

RunLogProbs run_model(Model<float>& model, const std::vector<int32_t>& run) {
  return {model.forward(run.data(), 1, static_cast<int64_t>(run.size())).data, model.config().vocab_size};
}

struct Expected {
  double nll = 0;
  int64_t tokens = 0, windows = 0;
};

// llama.cpp perplexity(): tokens = BOS + text (add_bos), n_chunk = tokens / n_ctx; chunk i is
// tokens[i n_ctx, (i + 1) n_ctx) with its first token set to BOS; logits j = first .. n_ctx − 2
// score tokens[start + j + 1] (first = n_ctx / 2).
Expected llamacpp_reference(Model<float>& model, const std::vector<int32_t>& text, int64_t n_ctx,
                            std::optional<int32_t> bos) {
  std::vector<int32_t> tokens;
  if (bos && (text.empty() || text[0] != *bos)) tokens.push_back(*bos);  // common_tokenize(add_special) adds one BOS
  tokens.insert(tokens.end(), text.begin(), text.end());
  Expected e;
  const int64_t first = n_ctx / 2;
  for (int64_t i = 0; i < static_cast<int64_t>(tokens.size()) / n_ctx; ++i) {
    const int64_t start = i * n_ctx;
    std::vector<int32_t> chunk(tokens.begin() + start, tokens.begin() + start + n_ctx);
    if (bos) chunk[0] = *bos;
    const RunLogProbs lp = run_model(model, chunk);
    for (int64_t j = first; j < n_ctx - 1; ++j) {
      e.nll += lp.nll(j, tokens[start + j + 1]);
      e.tokens += 1;
    }
    e.windows += 1;
  }
  return e;
}

// lm_eval/utils.py get_rolling_token_windows(token_list, prefix_token, max_seq_len, context_len = 1).
std::vector<std::pair<std::vector<int32_t>, std::vector<int32_t>>> rolling_windows(const std::vector<int32_t>& token_list,
                                                                                   int32_t prefix_token, int64_t max_seq_len) {
  using V = std::vector<int32_t>;
  auto slice = [&](int64_t a, int64_t b) { return V(token_list.begin() + a, token_list.begin() + b); };
  std::vector<std::pair<V, V>> out;
  const int64_t n = static_cast<int64_t>(token_list.size());
  const int64_t pred_len = max_seq_len - 1 + 1;
  const int64_t first_seq_len = std::min(max_seq_len, n);
  V first = {prefix_token};
  const V head = slice(0, first_seq_len - 1);
  first.insert(first.end(), head.begin(), head.end());
  out.push_back({first, slice(0, first_seq_len)});
  int64_t predicted = first_seq_len;
  while (predicted < n) {
    const int64_t window_pred_len = std::min(n - predicted, pred_len);
    const int64_t window_end = predicted + window_pred_len;
    out.push_back({slice(window_end - max_seq_len - 1, window_end - 1), slice(window_end - window_pred_len, window_end)});
    predicted += window_pred_len;
  }
  return out;
}

// make_disjoint_window, then HFLM._loglikelihood_tokens: inp = (context + continuation)[-(max_length
// + 1):][:-1]; the continuation's log-probs are the last len(continuation) logits of inp.
Expected lm_eval_reference(Model<float>& model, const std::vector<int32_t>& token_list, int32_t prefix, int64_t max_length) {
  Expected e;
  for (auto [input, pred] : rolling_windows(token_list, prefix, max_length)) {
    std::vector<int32_t> context(input.begin(), input.begin() + (input.size() - (pred.size() - 1)));
    std::vector<int32_t> whole = context;
    whole.insert(whole.end(), pred.begin(), pred.end());
    if (static_cast<int64_t>(whole.size()) > max_length + 1) whole.erase(whole.begin(), whole.end() - (max_length + 1));
    whole.pop_back();
    const RunLogProbs lp = run_model(model, whole);
    const int64_t inplen = static_cast<int64_t>(whole.size()), contlen = static_cast<int64_t>(pred.size());
    for (int64_t i = 0; i < contlen; ++i) e.nll += lp.nll(inplen - contlen + i, pred[i]);
    e.tokens += contlen;
    e.windows += 1;
  }
  return e;
}

void expect_equal(const PerplexityResult& r, const Expected& e, const std::string& what) {
  EXPECT_EQ(r.tokens, e.tokens) << what;
  EXPECT_EQ(r.windows, e.windows) << what;
  EXPECT_NEAR(r.nll_sum, e.nll, 1e-10 * e.nll) << what;
}

PerplexityOptions options(const std::string& windowing, int64_t window, std::optional<int32_t> bos,
                          std::optional<int32_t> eos = std::nullopt) {
  PerplexityOptions o;
  o.windowing = windowing;
  o.window = window;
  o.bos = bos;
  o.eos = eos;
  return o;
}

TEST(PerplexityConventions, LlamacppChunksAsTheTool) {
  Model<float> model(dynamic_model(), 3);
  const std::vector<int32_t> text = corpus_tokens(200);
  // BOS prepended: 201 tokens, 6 chunks of 32 (9 dropped), 15 scored per chunk.
  const PerplexityResult with_bos = evaluate_perplexity(model, text, options("llamacpp", 32, kBos));
  EXPECT_EQ(with_bos.tokens, 6 * 15);
  expect_equal(with_bos, llamacpp_reference(model, text, 32, kBos), "BOS");
  // No BOS: chunks of the text itself, first tokens kept.
  expect_equal(evaluate_perplexity(model, text, options("llamacpp", 32, std::nullopt)),
               llamacpp_reference(model, text, 32, std::nullopt), "no BOS");
  // A stream that starts with BOS (a +docs stream) is not given a second one.
  std::vector<int32_t> docs = {kBos};
  docs.insert(docs.end(), text.begin(), text.end());
  expect_equal(evaluate_perplexity(model, docs, options("llamacpp", 32, kBos)), llamacpp_reference(model, docs, 32, kBos),
               "+docs");
  // Odd windows: first = 33 / 2 = 16, tokens 17..32 of each chunk; batched runs agree.
  PerplexityOptions odd = options("llamacpp", 33, kBos);
  odd.batch = 3;
  const PerplexityResult batched = evaluate_perplexity(model, text, odd);
  const Expected odd_expected = llamacpp_reference(model, text, 33, kBos);
  EXPECT_EQ(batched.tokens, odd_expected.tokens);
  EXPECT_NEAR(batched.nll_sum, odd_expected.nll, 1e-6 * odd_expected.nll);
  // max_tokens cuts the text first: 99 + 1 tokens with BOS, 3 chunks.
  PerplexityOptions cut = options("llamacpp", 32, kBos);
  cut.max_tokens = 98;
  expect_equal(evaluate_perplexity(model, text, cut),
               llamacpp_reference(model, std::vector<int32_t>(text.begin(), text.begin() + 99), 32, kBos), "cut");
  // Like the tool, fewer than 2 * n_ctx tokens is refused.
  EXPECT_CONTAINS(message_of([&] { plan_windows(std::vector<int32_t>(text.begin(), text.begin() + 62), options("llamacpp", 32, kBos)); }),
                  "llamacpp: the text holds 63 tokens with its BOS, fewer than 2 * window = 64");
}

TEST(PerplexityConventions, LmEvalRollingWindowsAsTheHarness) {
  Model<float> model(dynamic_model(), 4);
  const std::vector<int32_t> text = corpus_tokens(100);
  // Prefix BOS: windows predict 32 + 32 + 32 + 4 tokens, every token of the text.
  const PerplexityResult bos = evaluate_perplexity(model, text, options("lm_eval_rolling", 32, kBos, kEos));
  EXPECT_EQ(bos.tokens, 100);
  expect_equal(bos, lm_eval_reference(model, text, kBos, 32), "BOS prefix");
  // No BOS: EOS is the prefix (lm-eval's prefix_token_id).
  expect_equal(evaluate_perplexity(model, text, options("lm_eval_rolling", 32, std::nullopt, kEos)),
               lm_eval_reference(model, text, kEos, 32), "EOS prefix");
  // Neither, or a stream already starting with the prefix: its first token is the prefix.
  const std::vector<int32_t> rest(text.begin() + 1, text.end());
  expect_equal(evaluate_perplexity(model, text, options("lm_eval_rolling", 32, std::nullopt)),
               lm_eval_reference(model, rest, text[0], 32), "first token as prefix");
  std::vector<int32_t> docs = {kBos};
  docs.insert(docs.end(), text.begin(), text.end());
  expect_equal(evaluate_perplexity(model, docs, options("lm_eval_rolling", 32, kBos)), lm_eval_reference(model, text, kBos, 32),
               "+docs");
  // A text shorter than one window is one window; the last window of a longer one runs a full window.
  const std::vector<int32_t> short_text(text.begin(), text.begin() + 20);
  expect_equal(evaluate_perplexity(model, short_text, options("lm_eval_rolling", 32, kBos)),
               lm_eval_reference(model, short_text, kBos, 32), "short");
  const std::vector<ScoredWindow> plan = plan_windows(text, options("lm_eval_rolling", 32, kBos));
  ASSERT_EQ(plan.size(), 4u);
  EXPECT_EQ(plan.back().run_length(), 32);
  EXPECT_EQ(plan.back().score_to - plan.back().score_from, 4);
}

TEST(PerplexityConventions, WordsAndBytesAsLmEvalCountsThem) {
  // len(re.split(r"\s+", s)) and len(s.encode("utf-8")), from /usr/bin/python3.
  const std::vector<std::pair<std::string, std::pair<int64_t, int64_t>>> cases = {
      {" a  b\tc\n", {5, 8}}, {"", {1, 0}},       {"x\u00a0y", {2, 4}},        {"x\u200by", {1, 5}},
      {"one", {1, 3}},        {"  ", {2, 2}},     {"a\u3000b\x1c" "c", {3, 7}},
  };
  for (const auto& [text, expected] : cases) {
    const TextSize size = text_size(text);
    EXPECT_EQ(size.words, expected.first) << text;
    EXPECT_EQ(size.bytes, expected.second) << text;
  }
  const TextMetrics m = text_metrics(12.0, {3, 8});
  EXPECT_DOUBLE_EQ(m.word_perplexity, std::exp(12.0 / 3));
  EXPECT_DOUBLE_EQ(m.byte_perplexity, std::exp(12.0 / 8));
  EXPECT_DOUBLE_EQ(m.bits_per_byte, 12.0 / (8 * std::log(2.0)));
}

// Hugging Face runs a window of T tokens through the model (seq_len = T, labels shifted inside), so
// dynamic NTK's base comes from T: every windowing's runs give the log-probs of a T-token forward pass.
TEST(PerplexityConventions, DynamicNtkSeesTheWholeWindow) {
  Model<float> model(dynamic_model(), 6);
  const std::vector<int32_t> text = corpus_tokens(32);
  const RunLogProbs lp = run_model(model, text);
  double expected = 0;
  for (int64_t t = 0; t + 1 < 32; ++t) expected += lp.nll(t, text[t + 1]);
  PerplexityOptions hf = options("hf_strided", 32, std::nullopt);
  hf.stride = 32;
  const PerplexityResult r = evaluate_perplexity(model, text, hf);
  EXPECT_EQ(r.tokens, 31);
  EXPECT_NEAR(r.nll_sum, expected, 1e-10 * expected);
  // The 31-token run of the old convention is a different model (base from 31, not 32).
  const RunLogProbs short_lp = run_model(model, std::vector<int32_t>(text.begin(), text.end() - 1));
  double shorter = 0;
  for (int64_t t = 0; t + 1 < 32; ++t) shorter += short_lp.nll(t, text[t + 1]);
  EXPECT_GT(std::abs(shorter - expected), 1e-6 * expected);
}

}  // namespace
}  // namespace ablate
