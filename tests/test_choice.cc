// Multiple-choice scoring (choice_task.h, choice_scoring.h, choice_command.h): exact accuracies on
// a bigram model whose log-probabilities are known by construction, llama.cpp's HellaSwag score
// against plain forward passes over BOS + context + ending (with and without "+docs"), the KV-reuse
// path against plain forward passes (left truncation included), thread-count independence, every
// data format and its errors (llama.cpp's 6-line file and the same tasks in HellaSwag's JSONL give
// equal scores), lm-eval's results layout, the synthetic task, and `ablate run` / `ablate choice`
// end to end.
#include <gtest/gtest.h>
#include <gmock/gmock.h>

#include <oneapi/tbb/global_control.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

#include "components/core/random.h"
#include "experiments/choice.h"
#include "experiments/cli.h"
#include "harness/data/synthetic_corpus.h"
#include "harness/eval/choice_scoring.h"
#include "harness/eval/choice_task.h"
#include "harness/tokenizers/document_tokenizer.h"
#include "harness/tokenizers/python_text.h"
#include "harness/tokenizers/tokenizer.h"
#include "tests/test_support.h"

namespace ablate {
namespace {

using ::testing::HasSubstr;
using nlohmann::json;

// ---- a bigram model with known log-probabilities ------------------------------------------------
// Every block weight is zero, so each block adds nothing and the residual stream at position t is
// embed[token_t] = one-hot(token_t); with position "none" and RMSNorm, the logits at t are
// g · lm_head[:, token_t] with g = 1 / sqrt(1/C + eps). Setting lm_head[v][t] = logit / g makes
// the next-token logits after t exactly the table below (0 where unset): a bigram model.
class BigramModel {
 public:
  BigramModel() : model_(config()) {
    for (auto& p : model_.parameters()) {
      const bool head = p.name == "lm_head.weight", embed = p.name == "model.embed_tokens.weight";
      if (head || p.name.rfind("model.layers.", 0) == 0) p.param->value.zero();
      if (embed) {
        p.param->value.zero();
        for (int64_t t = 0; t < kV; ++t) p.param->value[t * kV + t] = 1.0f;
      }
    }
  }
  static ModelConfig config() {
    ModelConfig c;
    c.vocab_size = kV;
    c.d_model = kV;  // one-hot embeddings
    c.n_layers = 1;
    c.context = 64;
    c.tie_embeddings = false;
    c.norm.type = "rmsnorm";
    c.mlp.type = "swiglu";
    c.mlp.hidden = 8;
    c.position.type = "none";
    c.attention.n_heads = 4;
    c.resolve();
    return c;
  }
  // logit(next | prev) = value.
  void set(unsigned char prev, unsigned char next, double value) {
    table_[prev][next] = value;
    const double g = 1.0 / std::sqrt(1.0 / kV + config().norm.eps);
    for (auto& p : model_.parameters())
      if (p.name == "lm_head.weight") p.param->value[next * kV + prev] = static_cast<float>(value / g);
  }
  // log P(next | prev), computed from the table in double.
  double log_prob(unsigned char prev, unsigned char next) const {
    const auto it = table_.find(prev);
    double sum = 0;
    for (int v = 0; v < kV; ++v) {
      const double l = it == table_.end() || !it->second.count(v) ? 0.0 : it->second.at(v);
      sum += std::exp(l);
    }
    const double l = it == table_.end() || !it->second.count(next) ? 0.0 : it->second.at(next);
    return l - std::log(sum);
  }
  // Σ log P over the continuation bytes, each given the byte before it.
  double loglikelihood(const std::string& context, const std::string& continuation) const {
    const std::string all = context + continuation;
    double ll = 0;
    for (size_t i = context.size(); i < all.size(); ++i)
      ll += log_prob(static_cast<unsigned char>(all[i - 1]), static_cast<unsigned char>(all[i]));
    return ll;
  }
  Model<float>& model() { return model_; }

  static constexpr int64_t kV = 256;

 private:
  Model<float> model_;
  std::map<int, std::map<int, double>> table_;
};

ChoiceItem item(const std::string& context, std::vector<std::string> choices, int gold) {
  ChoiceItem it;
  it.context = context;
  it.choices = std::move(choices);
  it.gold = gold;
  return it;
}

TEST(ChoiceScoring, AccAndAccNormOnABigramModelAreExact) {
  BigramModel bigram;
  // ' ' -> 'u' -> 'v' -> 'w' is very likely; everything else is near uniform.
  bigram.set(' ', 'u', 12);
  bigram.set('u', 'v', 12);
  bigram.set('v', 'w', 12);
  const std::vector<ChoiceItem> items = {
      // 1. acc and acc_norm disagree: " a" has the higher LL, " bcdefg" the higher LL per character
      //    (gold), so acc 0 and acc_norm 1.
      item("Q:", {" a", " bcdefg"}, 1),
      // 2. they agree on the likely " uvw" (gold).
      item("Q:", {" x", " uvw"}, 1),
      // 3. a tie: " p" and " q" score the same; numpy's argmax takes the first, gold is the second.
      item("Z", {" p", " q"}, 1),
      // 4. the context's trailing space moves into the continuation (and is scored).
      item("Q: ", {"uvw", "a"}, 0),
  };
  ByteTokenizer tokenizer;
  std::vector<KVCache<float>> caches;
  std::vector<ItemScore> scores;
  for (const auto& it : items) scores.push_back(score_item(bigram.model(), caches, tokenizer, it, 64));

  for (size_t k = 0; k < items.size(); ++k) {
    const ChoiceItem& it = items[k];
    ASSERT_EQ(scores[k].loglikelihoods.size(), it.size());
    for (size_t i = 0; i < it.size(); ++i) {
      std::string ctx = it.context, cont = it.choices[i];
      while (!ctx.empty() && ctx.back() == ' ') {
        cont = " " + cont;
        ctx.pop_back();
      }
      EXPECT_NEAR(scores[k].loglikelihoods[i], bigram.loglikelihood(ctx, cont), 1e-4) << "item " << k << " choice " << i;
      EXPECT_EQ(scores[k].tokens[i], static_cast<int64_t>(cont.size()));
    }
  }
  // Item 1: LL(" a") = 2 log(1/256) > LL(" bcdefg") = 7 log(1/256), but per character −11.1 < −6.5.
  EXPECT_EQ(scores[0].pred, 0);
  EXPECT_EQ(scores[0].pred_norm, 1);
  EXPECT_EQ(scores[0].chars, (std::vector<int64_t>{1, 6}));  // the delimiter is not counted
  EXPECT_EQ(scores[1].pred, 1);
  EXPECT_EQ(scores[1].pred_norm, 1);
  EXPECT_EQ(scores[2].loglikelihoods[0], scores[2].loglikelihoods[1]);
  EXPECT_EQ(scores[2].pred, 0);
  EXPECT_EQ(scores[2].pred_norm, 0);
  EXPECT_EQ(scores[3].tokens, (std::vector<int64_t>{4, 2}));  // " uvw", " a"
  EXPECT_EQ(scores[3].pred, 0);

  const json m = choice_metrics(scores);
  EXPECT_EQ(m["items"], 4);
  EXPECT_DOUBLE_EQ(m["acc"].get<double>(), 0.5);       // items 2 and 4
  EXPECT_DOUBLE_EQ(m["acc_norm"].get<double>(), 0.75);  // items 1, 2 and 4
  // lm-eval's mean_stderr: sample std / sqrt(n) = sqrt(p(1 − p)/(n − 1)).
  EXPECT_NEAR(m["acc_stderr"].get<double>(), std::sqrt(0.25 / 3), 1e-12);
  EXPECT_NEAR(m["acc_norm_stderr"].get<double>(), std::sqrt(0.75 * 0.25 / 3), 1e-12);
}

TEST(ChoiceScoring, LlamaCppScoreAveragesAfterTheCommonPrefix) {
  BigramModel bigram;
  bigram.set('k', 'y', 5);
  // Choices " kx" and " ky" share " k": llama.cpp's score is the log-prob of the last token alone.
  ByteTokenizer tokenizer;
  std::vector<KVCache<float>> caches;
  const ItemScore s = score_item(bigram.model(), caches, tokenizer, item("Q:", {" kx", " ky"}, 1), 64);
  EXPECT_NEAR(s.llamacpp[0], bigram.log_prob('k', 'x'), 1e-5);
  EXPECT_NEAR(s.llamacpp[1], bigram.log_prob('k', 'y'), 1e-5);
  EXPECT_EQ(s.pred_llamacpp, 1);
}

// ---- the KV-reuse path against plain forward passes -----------------------------------------------

// lm-eval's loglikelihood for one request with a byte tokenizer, from a plain forward pass:
// input = (ctx + cont)[-(W+1):][:-1], the last |cont| rows scored.
double reference_loglikelihood(Model<float>& model, std::string ctx, std::string cont, int64_t window) {
  while (!ctx.empty() && ctx.back() == ' ') {
    cont = " " + cont;
    ctx.pop_back();
  }
  const std::string all = ctx + cont;
  std::vector<int32_t> tokens;
  for (unsigned char c : all) tokens.push_back(c);
  const size_t keep = std::min(tokens.size(), static_cast<size_t>(window + 1));
  const std::vector<int32_t> kept(tokens.end() - static_cast<std::ptrdiff_t>(keep), tokens.end());
  const std::vector<int32_t> input(kept.begin(), kept.end() - 1);
  const int64_t T = static_cast<int64_t>(input.size()), V = model.config().vocab_size;
  const Tensor<float>& logits = model.forward(input.data(), 1, T);
  double ll = 0;
  for (size_t j = 0; j < cont.size(); ++j) {
    const int64_t row = T - static_cast<int64_t>(cont.size()) + static_cast<int64_t>(j);
    const float* r = logits.ptr() + row * V;
    double max = r[0], sum = 0;
    for (int64_t v = 0; v < V; ++v) max = std::max(max, double(r[v]));
    for (int64_t v = 0; v < V; ++v) sum += std::exp(double(r[v]) - max);
    ll += double(r[kept[row + 1]]) - max - std::log(sum);
  }
  return ll;
}

std::string random_text(Rng& rng, size_t n) {
  static const std::string letters = "abcdefgh ,.";
  std::string s;
  for (size_t i = 0; i < n; ++i) s += letters[rng.below(letters.size())];
  return s;
}

// Random items: contexts of 1..60 bytes (many longer than the window), 2-5 choices of 1-8 bytes,
// some sharing a prefix beyond the delimiter, some contexts ending in spaces; a few partial-scoring items.
std::vector<ChoiceItem> random_items(uint64_t seed, size_t n) {
  Rng rng(seed);
  std::vector<ChoiceItem> items;
  for (size_t k = 0; k < n; ++k) {
    ChoiceItem it;
    const size_t n_choices = 2 + rng.below(4);
    if (k % 5 == 4) {  // partial scoring: contexts differ, one continuation
      const std::string head = "x" + random_text(rng, rng.below(50));
      for (size_t i = 0; i < n_choices; ++i) it.contexts.push_back(head + random_text(rng, 1 + rng.below(6)));
      it.choices = {" " + random_text(rng, 1 + rng.below(6))};
    } else {
      it.context = "x" + random_text(rng, rng.below(60));
      if (k % 7 == 3) it.context += "  ";
      const std::string shared = rng.below(2) ? random_text(rng, 2) : "";
      for (size_t i = 0; i < n_choices; ++i) it.choices.push_back(" " + shared + random_text(rng, 1 + rng.below(6)));
    }
    it.gold = static_cast<int>(rng.below(n_choices));
    items.push_back(std::move(it));
  }
  return items;
}

ModelConfig byte_config(const std::string& family) {
  ModelConfig c = testing::tiny_config(family);
  c.vocab_size = 256;
  c.context = 32;
  c.resolve();
  return c;
}

TEST(ChoiceScoring, KvReuseEqualsPlainForwardPassesWithLeftTruncation) {
  for (const std::string family : {"gpt2", "llama"}) {
    SCOPED_TRACE(family);
    Model<float> model(byte_config(family), 11);
    Model<float> reference(byte_config(family), 11);  // same seed, same weights
    const int64_t window = 24;
    const std::vector<ChoiceItem> items = random_items(5, 40);
    const std::vector<ItemScore> scores = score_items(model, ByteTokenizer(), items, window);
    int truncated = 0;
    for (size_t k = 0; k < items.size(); ++k) {
      const ChoiceItem& it = items[k];
      bool cut = false;
      for (size_t i = 0; i < it.size(); ++i) {
        const double want = reference_loglikelihood(reference, it.context_of(i), it.continuation_of(i), window);
        EXPECT_NEAR(scores[k].loglikelihoods[i], want, 1e-5 * std::abs(want)) << "item " << k << " choice " << i;
        cut = cut || it.context_of(i).size() + it.continuation_of(i).size() > static_cast<size_t>(window) + 1;
      }
      EXPECT_EQ(scores[k].truncated, cut) << "item " << k;
      truncated += cut;
    }
    EXPECT_GE(truncated, 10);  // the truncation path was exercised
    EXPECT_LE(truncated, 35);  // and so was the untruncated one
  }
}

TEST(ChoiceScoring, ResultsDoNotDependOnTheThreadCount) {
  Model<float> model(byte_config("llama"), 3);
  const std::vector<ChoiceItem> items = random_items(9, 30);
  auto run = [&](int threads) {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
    std::vector<std::vector<double>> lls;
    for (const auto& s : score_items(model, ByteTokenizer(), items, 24)) lls.push_back(s.loglikelihoods);
    return lls;
  };
  const auto one = run(1), two = run(2), four = run(4);
  EXPECT_EQ(one, two);
  EXPECT_EQ(one, four);
}

TEST(ChoiceScoring, ContinuationLongerThanTheWindowIsAnError) {
  Model<float> model(byte_config("llama"), 3);
  const std::vector<ChoiceItem> items = {item("ab", {" c", " d"}, 0), item("ab", {" c", " defghijk"}, 0)};
  try {
    score_items(model, ByteTokenizer(), items, 8);
    FAIL() << "no error";
  } catch (const DataError& e) {
    EXPECT_THAT(e.what(), HasSubstr("item 1: choice 1: the continuation is 9 tokens, more than the window of 8"));
  }
  const std::vector<ChoiceItem> empty_context = {item("", {" c"}, 0)};
  EXPECT_THROW(score_items(model, ByteTokenizer(), empty_context, 8), DataError);  // no BOS to stand in
}

TEST(ChoiceScoring, EncodeRequestMovesTrailingWhitespaceToTheContinuation) {
  ByteTokenizer tok;
  const EncodedRequest e = encode_request(tok, "Answer:\t ", "yes");
  EXPECT_EQ(tok.decode(e.context), "Answer:");
  EXPECT_EQ(tok.decode(e.continuation), "\t yes");
  const EncodedRequest plain = encode_request(tok, "Answer:", " yes");
  EXPECT_EQ(tok.decode(plain.continuation), " yes");
  EXPECT_EQ(first_argmax({1.0, 3.0, 3.0, 2.0}), 1);
}

// ---- llama.cpp's HellaSwag score with a BOS token --------------------------------------------------

// Bytes 0..255 plus a BOS token 256, as a llama2.c or SentencePiece tokenizer has one.
class ByteTokenizerWithBos : public ByteTokenizer {
 public:
  int64_t vocab_size() const override { return 257; }
  std::string name() const override { return "byte_bos"; }
  std::optional<int32_t> bos_id() const override { return 256; }
};

// log P(seq[q] | seq[:q]) for every q >= 1, from one plain forward pass over seq[:-1] (no cache).
std::vector<double> plain_logprobs(Model<float>& model, const std::vector<int32_t>& seq) {
  const std::vector<int32_t> input(seq.begin(), seq.end() - 1);
  const int64_t T = static_cast<int64_t>(input.size()), V = model.config().vocab_size;
  const Tensor<float>& logits = model.forward(input.data(), 1, T);
  std::vector<double> lp(seq.size(), 0.0);
  for (int64_t row = 0; row < T; ++row) {
    const float* r = logits.ptr() + row * V;
    double max = r[0], sum = 0;
    for (int64_t v = 0; v < V; ++v) max = std::max(max, double(r[v]));
    for (int64_t v = 0; v < V; ++v) sum += std::exp(double(r[v]) - max);
    lp[row + 1] = double(r[seq[row + 1]]) - max - std::log(sum);
  }
  return lp;
}

std::vector<int32_t> bos_and_bytes(const std::string& text) {
  std::vector<int32_t> seq = {256};
  for (unsigned char c : text) seq.push_back(c);
  return seq;
}

TEST(ChoiceScoring, LlamaCppScoreIsTheMeanLogProbAfterTheCommonPrefixOfBosSequences) {
  ModelConfig c = testing::tiny_config("llama");
  c.vocab_size = 257;
  c.context = 64;
  c.resolve();
  Model<float> model(c, 21), reference(c, 21);
  // Sequences BOS + "The cat" + ending: the four share BOS + "The cat sa" (11 tokens), so the
  // tokens from position 11 on are scored: "t.", "ng.", "w it.", "nk.".
  const ChoiceItem it = item("The cat", {" sat.", " sang.", " saw it.", " sank."}, 2);
  const size_t prefix = 11;
  std::vector<double> want;
  for (size_t i = 0; i < it.size(); ++i) {
    const std::vector<int32_t> seq = bos_and_bytes(it.context + it.choices[i]);
    const std::vector<double> lp = plain_logprobs(reference, seq);
    double sum = 0;
    for (size_t q = prefix; q < seq.size(); ++q) sum += lp[q];
    want.push_back(sum / static_cast<double>(seq.size() - prefix));
  }
  ByteTokenizerWithBos plain;
  const DocumentTokenizer documents(std::make_unique<ByteTokenizerWithBos>());
  std::vector<KVCache<float>> caches;
  const ItemScore s = score_item(model, caches, plain, it, 64);
  const ItemScore d = score_item(model, caches, documents, it, 64);
  ASSERT_EQ(s.llamacpp.size(), 4u);
  for (size_t i = 0; i < 4; ++i) EXPECT_NEAR(s.llamacpp[i], want[i], 1e-5 * std::abs(want[i])) << "choice " << i;
  // "+docs" changes lm-eval's requests (its context starts with BOS), not llama.cpp's sequences.
  EXPECT_EQ(d.llamacpp, s.llamacpp);
  EXPECT_NE(d.loglikelihoods, s.loglikelihoods);
  EXPECT_EQ(s.pred_llamacpp, first_argmax(want));
  // lm-eval's requests have no BOS (the context is not empty): LL from the bytes alone.
  for (size_t i = 0; i < 4; ++i) {
    const double ll = reference_loglikelihood(reference, it.context, it.choices[i], 64);
    EXPECT_NEAR(s.loglikelihoods[i], ll, 1e-5 * std::abs(ll)) << "choice " << i;
  }

  // A window shorter than the sequences: each keeps its last window + 1 tokens, and the scored
  // tokens are those of the kept window at positions >= the prefix.
  const ChoiceItem long_item = item("A long context that the window cuts", {" sat.", " sang.", " saw it.", " sank."}, 0);
  const int64_t window = 16;
  const ItemScore t = score_item(model, caches, plain, long_item, window);
  EXPECT_TRUE(t.truncated);
  const size_t long_prefix = 1 + long_item.context.size() + 3;  // BOS + context + " sa"
  for (size_t i = 0; i < 4; ++i) {
    const std::vector<int32_t> seq = bos_and_bytes(long_item.context + long_item.choices[i]);
    const std::vector<int32_t> kept(seq.end() - (window + 1), seq.end());
    const std::vector<double> lp = plain_logprobs(reference, kept);
    const size_t from = long_prefix - (seq.size() - kept.size());
    double sum = 0;
    for (size_t q = from; q < kept.size(); ++q) sum += lp[q];
    const double expected = sum / static_cast<double>(kept.size() - from);
    EXPECT_NEAR(t.llamacpp[i], expected, 1e-5 * std::abs(expected)) << "choice " << i;
  }
  // With partial scoring the contexts differ early, so llama.cpp's scored tokens can outnumber
  // the window: the score averages those the window keeps.
  ChoiceItem partial;
  partial.contexts = {"xa", "xb"};
  partial.choices = {" cdefghi"};  // 8 tokens: lm-eval's continuation fits a window of 8
  const ItemScore u = score_item(model, caches, plain, partial, 8);
  EXPECT_TRUE(u.truncated);
  for (size_t i = 0; i < 2; ++i) {
    const std::vector<int32_t> seq = bos_and_bytes(partial.contexts[i] + partial.choices[0]);  // 11 tokens, prefix 2
    const std::vector<int32_t> kept(seq.end() - 9, seq.end());
    const std::vector<double> lp = plain_logprobs(reference, kept);
    double sum = 0;
    for (size_t q = 1; q < kept.size(); ++q) sum += lp[q];  // kept[0] (full position 2) has no predictor
    EXPECT_NEAR(u.llamacpp[i], sum / 8, 1e-5 * std::abs(sum / 8)) << "choice " << i;
  }
}

// ---- formats ---------------------------------------------------------------------------------------

TEST(ChoiceTask, Generic) {
  const auto items = parse_choice_jsonl(
      "{\"context\": \"The sky is\", \"choices\": [\"blue\", \"green\"], \"label\": 0}\n"
      "\n"
      "{\"context\": \"Two plus two is\", \"choices\": [\"three\", \"four\", \"five\"], \"label\": \"1\"}\n",
      "generic", "g.jsonl");
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].context, "The sky is");
  EXPECT_EQ(items[0].choices, (std::vector<std::string>{" blue", " green"}));
  EXPECT_EQ(items[0].gold, 0);
  EXPECT_EQ(items[1].gold, 1);
  EXPECT_EQ(items[1].normalization_text(2), "five");
  EXPECT_EQ(parse_choice_jsonl("{\"context\": \"a\", \"choices\": [\"b\"], \"label\": 0}\n"
                               "{\"context\": \"a\", \"choices\": [\"b\"], \"label\": 0}\n",
                               "generic", "g", 1).size(), 1u);
}

TEST(ChoiceTask, HellaSwagPreprocessing) {
  EXPECT_EQ(hellaswag_preprocess("[header] Making a cake [title] Mix."), " Making a cake. Mix.");
  EXPECT_EQ(hellaswag_preprocess("  then bakes it. "), "then bakes it.");
  EXPECT_EQ(hellaswag_preprocess("adds   sugar [step] now"), "adds  sugar now");  // one pass of "  " -> " "
  EXPECT_EQ(hellaswag_preprocess("a [b\nc] d [e]f"), "a [b\nc] d f");            // '.' does not cross '\n'
  EXPECT_EQ(hellaswag_preprocess("x [unclosed"), "x [unclosed");
  const auto items = parse_choice_jsonl(
      R"({"ind": 4, "activity_label": "Baking cookies", "ctx_a": "A man is in a kitchen.", )"
      R"("ctx_b": "he MIXES the flour [step] slowly", "endings": ["[header] Making a cake [title] Mix.", )"
      R"("  then bakes it. ", "sings.", "runs."], "label": "1"})",
      "hellaswag", "h.jsonl");
  ASSERT_EQ(items.size(), 1u);
  // Expected strings computed with lm-eval's preprocess in Python.
  EXPECT_EQ(items[0].context, "Baking cookies: A man is in a kitchen. He mixes the flour slowly");
  EXPECT_EQ(items[0].choices,
            (std::vector<std::string>{"  Making a cake. Mix.", " then bakes it.", " sings.", " runs."}));
  EXPECT_EQ(items[0].gold, 1);
  EXPECT_EQ(items[0].normalization_text(1), "then bakes it.");
}

TEST(ChoiceTask, ArcWithLetterAndDigitAnswerKeys) {
  const auto items = parse_choice_jsonl(
      R"({"id": "a", "question": "Which is a metal?", "choices": {"text": ["wood", "iron", "glass"], "label": ["A", "B", "C"]}, "answerKey": "B"})"
      "\n"
      R"({"id": "b", "question": "Pick four.", "choices": {"text": ["1", "2", "3", "4"], "label": ["1", "2", "3", "4"]}, "answerKey": "4"})",
      "arc", "arc.jsonl");
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].context, "Question: Which is a metal?\nAnswer:");
  EXPECT_EQ(items[0].choices, (std::vector<std::string>{" wood", " iron", " glass"}));
  EXPECT_EQ(items[0].gold, 1);
  EXPECT_EQ(items[1].gold, 3);
  try {
    parse_choice_jsonl(R"({"question": "q", "choices": {"text": ["x"], "label": ["A"]}, "answerKey": "E"})", "arc",
                       "arc.jsonl");
    FAIL();
  } catch (const DataError& e) {
    EXPECT_STREQ(e.what(), "arc.jsonl:1: answerKey 'E' is not among the labels A");
  }
}

TEST(ChoiceTask, Piqa) {
  const auto items = parse_choice_jsonl(
      R"({"goal": "Open a jar", "sol1": "Twist the lid.", "sol2": "Eat the lid.", "label": 0})", "piqa", "p");
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].context, "Question: Open a jar\nAnswer:");
  EXPECT_EQ(items[0].choices, (std::vector<std::string>{" Twist the lid.", " Eat the lid."}));
  EXPECT_EQ(items[0].gold, 0);
}

TEST(ChoiceTask, WinograndePartialScoring) {
  const auto items = parse_choice_jsonl(
      R"({"sentence": "Sarah was a much better surgeon than Maria so _ always got the easier cases.", )"
      R"("option1": "Sarah", "option2": "Maria", "answer": "2"})",
      "winogrande", "w");
  ASSERT_EQ(items.size(), 1u);
  const ChoiceItem& it = items[0];
  ASSERT_TRUE(it.partial());
  ASSERT_EQ(it.size(), 2u);
  EXPECT_EQ(it.context_of(0), "Sarah was a much better surgeon than Maria so Sarah");
  EXPECT_EQ(it.context_of(1), "Sarah was a much better surgeon than Maria so Maria");
  EXPECT_EQ(it.continuation_of(0), " always got the easier cases.");
  EXPECT_EQ(it.continuation_of(1), " always got the easier cases.");
  EXPECT_EQ(it.gold, 1);
  // lm-eval divides acc_norm by len(doc_to_choice(doc)[i]), which here is the partial context.
  EXPECT_EQ(it.normalization_text(1), it.contexts[1]);
}

void expect_data_error(const std::string& text, const std::string& format, const std::string& message) {
  try {
    parse_choice_jsonl(text, format, "data.jsonl");
    ADD_FAILURE() << "no error for " << text;
  } catch (const DataError& e) {
    EXPECT_THAT(e.what(), HasSubstr(message)) << text;
  }
}

TEST(ChoiceTask, ErrorsNameTheFileAndLine) {
  const std::string good = "{\"context\": \"a\", \"choices\": [\"b\", \"c\"], \"label\": 0}\n";
  expect_data_error(good + good + "{\"context\": \"a\", \"choices\": [\"b\"\n", "generic", "data.jsonl:3: not valid JSON (");
  expect_data_error(good + "{\"context\": \"a\", \"choices\": [\"b\", \"c\", \"d\", \"e\"], \"label\": 5}\n", "generic",
                    "data.jsonl:2: label 5 is out of range for 4 choices");
  expect_data_error("{\"context\": \"a\", \"choices\": [], \"label\": 0}\n", "generic", "data.jsonl:1: empty choice list");
  expect_data_error(R"({"activity_label": "x", "ctx_a": "a", "ctx_b": "b", "label": 0})", "hellaswag",
                    "data.jsonl:1: missing field 'endings'");
  expect_data_error(R"({"activity_label": "x", "ctx_a": "a", "ctx_b": "b", "endings": ["e"], "label": ""})",
                    "hellaswag", "data.jsonl:1: label '' is not a choice index");
  expect_data_error(R"({"goal": "g", "sol1": "a", "sol2": 3, "label": 0})", "piqa",
                    "data.jsonl:1: field 'sol2' must be a string, found number");
  expect_data_error(R"({"sentence": "no blank", "option1": "a", "option2": "b", "answer": "1"})", "winogrande",
                    "data.jsonl:1: sentence has no '_' blank");
  expect_data_error(R"({"sentence": "a _ b", "option1": "a", "option2": "b", "answer": "3"})", "winogrande",
                    "data.jsonl:1: answer 3 is out of range");
  // Found by tests/fuzz: a float label beyond int64 was cast (undefined behaviour).
  expect_data_error(R"({"context": "a", "choices": ["b"], "label": 1e300})", "generic",
                    "data.jsonl:1: label must be an integer or a string holding one, found number 1e+300");
  expect_data_error(R"({"context": "a", "choices": ["b"], "label": 0.5})", "generic",
                    "data.jsonl:1: label must be an integer or a string holding one, found number 0.5");
  expect_data_error("[1, 2]\n", "generic", "data.jsonl:1: expected a JSON object, found array");
  expect_data_error("", "generic", "data.jsonl: no items (empty file)");
  expect_data_error("\n  \n", "generic", "data.jsonl: no items (only blank lines)");
}

std::string data_path(const std::string& name) { return std::string(ABLATE_SOURCE_DIR) + "/tests/data/" + name; }

TEST(ChoiceTask, LlamaCppHellaSwagFileHasSixLinesPerTask) {
  const auto items = parse_llamacpp_hellaswag("Ctx one\n2\na\nb\nc c\n d\nCtx two\n0\ne\n\ng\nh\n", "hs.txt");
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].context, "Ctx one");
  EXPECT_EQ(items[0].choices, (std::vector<std::string>{" a", " b", " c c", "  d"}));  // taken as written
  EXPECT_EQ(items[0].gold, 2);
  EXPECT_EQ(items[1].choices, (std::vector<std::string>{" e", " ", " g", " h"}));  // an empty ending is one
  EXPECT_EQ(items[1].gold, 0);
  EXPECT_FALSE(items[0].partial());
  EXPECT_EQ(parse_choice_text("C\n1\na\nb\nc\nd\nC\n1\na\nb\nc\nd", "hellaswag_llamacpp", "x", 1).size(), 1u);

  auto error = [](const std::string& text) {
    try {
      parse_choice_text(text, "hellaswag_llamacpp", "hs.txt");
    } catch (const DataError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::string task = "C\n1\na\nb\nc\nd\n";
  EXPECT_EQ(error(task + "C\n1\na\n"),
            "hs.txt: 9 lines, not a multiple of 6: the task from line 7 has 3 of its 6 lines (context, gold index, "
            "4 endings; llama.cpp's HellaSwag format)");
  EXPECT_EQ(error(task + "\n"), "hs.txt: 7 lines, not a multiple of 6: the task from line 7 has 1 of its 6 lines "
                                 "(context, gold index, 4 endings; llama.cpp's HellaSwag format)");
  EXPECT_EQ(error(task + "C\n4\na\nb\nc\nd\n"), "hs.txt:8: gold ending index '4' is not 0, 1, 2 or 3 (task 2)");
  EXPECT_EQ(error("C\n-1\na\nb\nc\nd\n"), "hs.txt:2: gold ending index '-1' is not 0, 1, 2 or 3 (task 1)");
  EXPECT_EQ(error("C\r\n1\r\na\r\nb\r\nc\r\nd\r\n"),
            "hs.txt:2: gold ending index '1\\r' is not 0, 1, 2 or 3 (task 1; the file has Windows line endings, "
            "llama.cpp's format splits at '\\n' only)");
  EXPECT_THAT(error("{\"ctx_a\": \"a\"}\n{\"ctx_a\": \"b\"}\n\n\n\n\n"),
              HasSubstr("hs.txt:2: gold ending index '{\"ctx_a\": \"b\"}' is not 0, 1, 2 or 3 (task 1; a JSONL file? "
                        "HellaSwag's own JSONL is format hellaswag)"));
  EXPECT_EQ(error(""), "hs.txt: no items (empty file)");
}

// The same three tasks (written for this test) as HellaSwag's JSONL and as llama.cpp's text file
// (the JSONL's contexts and endings through lm-eval's preprocess): equal items, equal scores.
TEST(ChoiceTask, LlamaCppHellaSwagFileScoresAsTheHellaSwagJsonl) {
  const auto jsonl = load_choice_file(data_path("hellaswag_tiny.jsonl"), "hellaswag");
  const auto text = load_choice_file(data_path("hellaswag_llamacpp_tiny.txt"), "hellaswag_llamacpp");
  ASSERT_EQ(jsonl.size(), 3u);
  ASSERT_EQ(text.size(), 3u);
  for (size_t k = 0; k < 3; ++k) {
    EXPECT_EQ(text[k].context, jsonl[k].context) << k;
    EXPECT_EQ(text[k].choices, jsonl[k].choices) << k;
    EXPECT_EQ(text[k].gold, jsonl[k].gold) << k;
  }
  EXPECT_EQ(text[1].context, "Baking cookies: A woman mixes flour and sugar in a bowl. She adds two eggs and");
  EXPECT_EQ(text[1].choices[2], "  Bake the cookies. Preheat the oven.");
  ModelConfig c = testing::tiny_config("llama");
  c.vocab_size = 257;
  c.context = 128;
  c.resolve();
  Model<float> model(c, 5);
  for (const bool bos : {false, true}) {
    SCOPED_TRACE(bos ? "tokenizer with BOS" : "byte tokenizer");
    const ByteTokenizer byte;
    const ByteTokenizerWithBos with_bos;
    const Tokenizer& tokenizer = bos ? static_cast<const Tokenizer&>(with_bos) : byte;
    const auto a = score_items(model, tokenizer, jsonl, 128), b = score_items(model, tokenizer, text, 128);
    for (size_t k = 0; k < 3; ++k) EXPECT_EQ(item_record(a[k], k), item_record(b[k], k)) << k;
    EXPECT_EQ(choice_metrics(a), choice_metrics(b));
  }
}

// ---- lm-eval's results layout ----------------------------------------------------------------------

ItemScore scored(int gold, int pred, int pred_norm) {
  ItemScore s;
  s.gold = gold;
  s.pred = pred;
  s.pred_norm = pred_norm;
  s.loglikelihoods = {-1, -2};
  s.tokens = {1, 1};
  return s;
}

TEST(ChoiceResults, LmEvalLayoutHoldsAccAndAccNormWithTheSampleStderr) {
  // acc: 3 of 4 right, acc_norm: 2 of 4.
  const std::vector<ItemScore> scores = {scored(0, 0, 0), scored(1, 1, 0), scored(0, 0, 1), scored(1, 0, 1)};
  const json summary = choice_metrics(scores);
  ChoiceConfig config;
  config.task = "data/hellaswag_val.jsonl";
  config.format = "hellaswag";
  const json r = lm_eval_results(summary, config);
  const json want_task = {{"alias", "hellaswag"},
                          {"acc,none", 0.75},
                          {"acc_stderr,none", std::sqrt(0.75 * 0.25 / 3)},  // = 0.25
                          {"acc_norm,none", 0.5},
                          {"acc_norm_stderr,none", std::sqrt(0.5 * 0.5 / 3)}};
  ASSERT_TRUE(r["results"].contains("hellaswag"));
  const json& t = r["results"]["hellaswag"];
  ASSERT_EQ(t.size(), want_task.size()) << t.dump();
  EXPECT_EQ(t["alias"], "hellaswag");
  for (const char* key : {"acc,none", "acc_stderr,none", "acc_norm,none", "acc_norm_stderr,none"})
    EXPECT_NEAR(t[key].get<double>(), want_task[key].get<double>(), 1e-15) << key;
  EXPECT_DOUBLE_EQ(t["acc_stderr,none"].get<double>(), 0.25);
  EXPECT_EQ(r["n-shot"], (json{{"hellaswag", 0}}));
  EXPECT_EQ(r["versions"], (json{{"hellaswag", "N/A"}}));
  EXPECT_EQ(r["group_subtasks"], (json{{"hellaswag", json::array()}}));
  EXPECT_EQ(r["higher_is_better"], (json{{"hellaswag", {{"acc", true}, {"acc_norm", true}}}}));
  EXPECT_EQ(r["n-samples"], (json{{"hellaswag", {{"original", 4}, {"effective", 4}}}}));

  // One item: lm-eval writes "N/A" for a stderr it cannot compute.
  const json one = lm_eval_results(choice_metrics({scored(0, 0, 1)}), config);
  EXPECT_EQ(one["results"]["hellaswag"]["acc,none"], 1.0);
  EXPECT_EQ(one["results"]["hellaswag"]["acc_stderr,none"], "N/A");
  EXPECT_EQ(one["results"]["hellaswag"]["acc_norm_stderr,none"], "N/A");

  // Task names: lm-eval's where the format is its task, else the file's stem.
  for (const auto& [format, task, name] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"hellaswag_llamacpp", "hellaswag_val_full.txt", "hellaswag"},
           {"piqa", "p.jsonl", "piqa"},
           {"winogrande", "dev.jsonl", "winogrande"},
           {"arc", "data/arc_easy.jsonl", "arc_easy"},
           {"generic", "mine.jsonl", "mine"},
           {"synthetic", "synthetic", "synthetic"}}) {
    config.format = format;
    config.task = task;
    EXPECT_EQ(lm_eval_task_name(config), name) << format;
  }
}

class ChoiceFileTest : public testing::TempDirTest {};

TEST_F(ChoiceFileTest, MissingAndEmptyFiles) {
  try {
    load_choice_file(file("absent.jsonl"), "generic");
    FAIL();
  } catch (const DataError& e) {
    EXPECT_THAT(e.what(), HasSubstr(file("absent.jsonl") + ": cannot open"));
  }
  testing::write_bytes(file("empty.jsonl"), "");
  EXPECT_THROW(load_choice_file(file("empty.jsonl"), "generic"), DataError);
  testing::write_bytes(file("one.jsonl"), "{\"context\": \"a\", \"choices\": [\"b\"], \"label\": 0}\n");
  EXPECT_EQ(load_choice_file(file("one.jsonl"), "generic").size(), 1u);
}

TEST(ChoiceTask, PythonStringConventions) {
  EXPECT_EQ(python_strip("\xc2\xa0x y\xe3\x80\x80 "), "x y");  // U+00A0 and U+3000 are whitespace
  EXPECT_EQ(python_rstrip("ab \t\n"), "ab");
  EXPECT_EQ(python_rstrip(" \n"), "");
  EXPECT_EQ(python_length("caf\xc3\xa9"), 4);  // code points, not bytes
}

TEST(ChoiceTask, PythonStringsReadEveryWellFormedSequenceAsOneCharacter) {
  // Overlong forms, surrogates and values beyond U+10FFFF count once (python_text.h), as they did
  // before the helpers shared utf8.h's decoder; other invalid bytes count one each.
  EXPECT_EQ(python_length("\xc0\x80"), 1);
  EXPECT_EQ(python_length("\xed\xa0\x80"), 1);
  EXPECT_EQ(python_length("\xf4\x90\x80\x80"), 1);
  EXPECT_EQ(python_length("\xe3\x80"), 2);
  EXPECT_EQ(python_length("\xff\x80" "a"), 3);
  // An overlong space (C0 A0) or U+00A0 (E0 82 A0) is whitespace to strip.
  EXPECT_EQ(python_strip("\xc0\xa0x\xe0\x82\xa0"), "x");
  EXPECT_EQ(python_rstrip("x \xc0\xa0"), "x");
  EXPECT_EQ(python_strip("\xa0x\xa0"), "\xa0x\xa0");  // a lone continuation byte is not U+00A0
}

// ---- the synthetic task ----------------------------------------------------------------------------

TEST(ChoiceTask, SyntheticItemsCanBeLimitedToFactsInsideTheWindow) {
  // max_distance 100: every kept item's fact (the answer without its space) lies in the last 100
  // bytes of its context; the unlimited task has items whose fact is further back.
  const auto near = synthetic_choice_items(7, 60, {/*max_distance=*/100}), any = synthetic_choice_items(7, 60);
  ASSERT_EQ(near.size(), 60u);
  for (const ChoiceItem& it : near) {
    const std::string answer = it.choices[it.gold].substr(1);
    const size_t from = it.context.size() > 100 ? it.context.size() - 100 : 0;
    EXPECT_NE(it.context.find(answer, from), std::string::npos) << answer;
  }
  size_t far = 0;
  for (const ChoiceItem& it : any) {
    const std::string answer = it.choices[it.gold].substr(1);
    const size_t from = it.context.size() > 100 ? it.context.size() - 100 : 0;
    far += it.context.find(answer, from) == std::string::npos;
  }
  EXPECT_GT(far, 20u);
  EXPECT_THROW(synthetic_choice_items(7, 5, {/*max_distance=*/3}), DataError);  // no fact is 3 bytes back: an error, not a hang
}

// The item's four choices are the answer (at gold) and its three distractors, in some order.
void expect_answer_and_distractors(const ChoiceItem& it, const std::string& answer,
                                   const std::vector<std::string>& distractors) {
  ASSERT_EQ(it.choices.size(), 4u);
  EXPECT_EQ(it.choices[it.gold], answer);
  std::multiset<std::string> want(distractors.begin(), distractors.end()), got(it.choices.begin(), it.choices.end());
  want.insert(answer);
  EXPECT_EQ(got, want);
}

TEST(ChoiceTask, SyntheticItemsComeFromTheCorpusRecalls) {
  const auto a = synthetic_choice_items(7, 40), b = synthetic_choice_items(7, 40), c = synthetic_choice_items(8, 40);
  ASSERT_EQ(a.size(), 40u);
  std::set<int> golds;
  for (size_t k = 0; k < a.size(); ++k) {
    EXPECT_EQ(a[k].context, b[k].context);
    EXPECT_EQ(a[k].choices, b[k].choices);
    EXPECT_EQ(a[k].gold, b[k].gold);
    golds.insert(a[k].gold);
  }
  EXPECT_NE(a[0].context, c[0].context);
  EXPECT_GE(golds.size(), 3u);  // the answer is not always in the same place

  Rng rng(7);
  size_t k = 0;
  while (k < a.size()) {
    const SyntheticDocument doc = generate_document(rng);
    for (const SyntheticFact& fact : doc.recalls) {
      if (k == a.size()) break;
      const ChoiceItem& it = a[k++];
      EXPECT_EQ(it.context, doc.text.substr(0, fact.recalled_at));
      EXPECT_EQ(it.context.substr(it.context.size() - fact.question_prefix.size()), fact.question_prefix);
      expect_answer_and_distractors(it, fact.answer, fact.distractors);
    }
  }
}

TEST(ChoiceTask, SyntheticItemsFitTheirBytesAndHoldTheirFact) {
  constexpr int64_t kBytes = 128;
  const auto items = synthetic_choice_items(7, 300, {/*max_distance=*/0, /*max_sentences=*/0, kBytes});
  ASSERT_EQ(items.size(), 300u);
  // The same recalls, walked here: which ones fit, and where their contexts must start.
  Rng rng(7);
  size_t k = 0;
  std::set<int64_t> difficulties;
  while (k < items.size()) {
    const SyntheticDocument doc = generate_document(rng);
    const std::vector<size_t> starts = synthetic_sentence_starts(doc.text);
    for (const SyntheticFact& fact : doc.recalls) {
      if (k == items.size()) break;
      size_t longest = fact.answer.size();
      for (const std::string& d : fact.distractors) longest = std::max(longest, d.size());
      // The latest sentence start at or before the statement's: the context may not begin after it.
      if (fact.recalled_at - fact.statement_start + longest > static_cast<size_t>(kBytes)) continue;
      const ChoiceItem& it = items[k++];
      SCOPED_TRACE(doc.text + "\n  item: " + it.context + "|" + fact.answer);
      ASSERT_EQ(it.choices.size(), 4u);
      // Context + longest choice fit; one sentence more would not.
      size_t it_longest = 0;
      for (const std::string& c : it.choices) it_longest = std::max(it_longest, c.size());
      EXPECT_EQ(it_longest, longest);
      EXPECT_LE(it.context.size() + longest, static_cast<size_t>(kBytes));
      const size_t from = fact.recalled_at - it.context.size();
      EXPECT_EQ(it.context, doc.text.substr(from, it.context.size()));
      EXPECT_TRUE(std::binary_search(starts.begin(), starts.end(), from)) << from;
      const auto earlier = std::lower_bound(starts.begin(), starts.end(), from);
      if (earlier != starts.begin()) {
        EXPECT_GT(fact.recalled_at - *(earlier - 1) + longest, static_cast<size_t>(kBytes));
      }
      // The fact's statement is inside the context; the gold choice is its value.
      EXPECT_LE(from, fact.statement_start);
      EXPECT_EQ(it.context.compare(fact.stated_at - from, fact.answer.size() - 1, fact.answer, 1), 0);
      EXPECT_EQ(it.choices[it.gold], fact.answer);
      // Distractors: distinct, none the answer, of the answer's kind (first character class, and
      // for digits the same length).
      const std::set<std::string> distinct(it.choices.begin(), it.choices.end());
      EXPECT_EQ(distinct.size(), 4u);
      for (const std::string& c : it.choices) {
        EXPECT_EQ(c[0], ' ');
        EXPECT_EQ(std::isdigit(static_cast<unsigned char>(c[1])) != 0,
                  std::isdigit(static_cast<unsigned char>(fact.answer[1])) != 0) << c;
        EXPECT_EQ(std::isupper(static_cast<unsigned char>(c[1])) != 0,
                  std::isupper(static_cast<unsigned char>(fact.answer[1])) != 0) << c;
      }
      EXPECT_EQ(it.difficulty, fact.sentences_between);
      difficulties.insert(it.difficulty);
    }
  }
  EXPECT_GE(difficulties.size(), 3u);  // the axis has a range inside 128 bytes
  // Limits on the axis: no item beyond max_sentences.
  for (const ChoiceItem& it : synthetic_choice_items(7, 100, {0, /*max_sentences=*/1, kBytes})) EXPECT_LE(it.difficulty, 1);
  EXPECT_THROW(synthetic_choice_items(7, 5, {0, 0, /*item_bytes=*/20}), DataError);  // nothing fits: an error
}

TEST(ChoiceTask, AnimalCallItemsAreTheCorpusCallsCutToTheirBytes) {
  constexpr int64_t kBytes = 128;
  const auto items = animal_call_items(7, 300, kBytes);
  ASSERT_EQ(items.size(), 300u);
  Rng rng(7);  // the same calls, walked here
  size_t k = 0;
  std::map<int64_t, int64_t> by_difficulty;
  while (k < items.size()) {
    const SyntheticDocument doc = generate_document(rng);
    const std::vector<size_t> starts = synthetic_sentence_starts(doc.text);
    for (const SyntheticCall& call : doc.calls) {
      if (k == items.size()) break;
      const ChoiceItem& it = items[k++];
      SCOPED_TRACE(it.context + "|" + call.answer);
      expect_answer_and_distractors(it, call.answer, call.distractors);
      EXPECT_EQ(it.difficulty, call.phrases_between);
      ++by_difficulty[it.difficulty];
      // The context ends with the call's sentence up to the call, begins at a sentence start, and
      // with the longest choice fits kBytes; one sentence more would not.
      size_t longest = 0;
      for (const std::string& c : it.choices) longest = std::max(longest, c.size());
      EXPECT_LE(it.context.size() + longest, static_cast<size_t>(kBytes));
      const size_t from = call.called_at - it.context.size();
      EXPECT_EQ(it.context, doc.text.substr(from, it.context.size()));
      EXPECT_LE(from, call.sentence_start);
      EXPECT_TRUE(std::binary_search(starts.begin(), starts.end(), from)) << from;
      const auto earlier = std::lower_bound(starts.begin(), starts.end(), from);
      if (earlier != starts.begin()) {
        EXPECT_GT(call.called_at - *(earlier - 1) + longest, static_cast<size_t>(kBytes));
      }
    }
  }
  ASSERT_EQ(by_difficulty.size(), 3u);  // 0, 1 and 2 phrases, each common
  for (const auto& [d, n] : by_difficulty) EXPECT_GT(n, 60) << d;
  // The gold positions are balanced: a scorer that always picks one place is at chance.
  std::vector<int64_t> gold(4);
  for (const ChoiceItem& it : items) ++gold[static_cast<size_t>(it.gold)];
  for (int64_t g : gold) EXPECT_GT(g, 45);
  // Whole-document contexts, and the seed decides the items.
  for (const ChoiceItem& it : animal_call_items(7, 20)) EXPECT_GE(it.context.size(), 4u);
  EXPECT_NE(animal_call_items(8, 20)[0].context, animal_call_items(7, 20)[0].context);
  EXPECT_THROW(animal_call_items(7, 0), DataError);
  EXPECT_THROW(animal_call_items(7, 5, /*item_bytes=*/12), DataError);  // no call's sentence fits: an error
}

// With the byte tokenizer, items of at most `window` bytes keep every context token: none truncated.
TEST(ChoiceTask, SyntheticItemsOfTheWindowsBytesAreNotTruncated) {
  BigramModel bigram;
  ByteTokenizer bytes;
  const auto items = synthetic_choice_items(3, 60, {0, 0, /*item_bytes=*/64});
  const json m = choice_metrics(score_items(bigram.model(), bytes, items, 64), kSyntheticDifficultyAxis);
  EXPECT_EQ(m["truncated"], 0);
  const auto whole = synthetic_choice_items(3, 60);  // contexts from the document's start
  const json w = choice_metrics(score_items(bigram.model(), bytes, whole, 64), kSyntheticDifficultyAxis);
  int64_t longer = 0;
  for (const ChoiceItem& it : whole) longer += it.context.size() + 16 > 65;
  EXPECT_GT(longer, 30);
  EXPECT_GE(w["truncated"].get<int64_t>(), longer - 5);  // (a context of 49..64 bytes may fit with a short choice)
  EXPECT_EQ(w["truncated"], w["truncated_items"]);
}

// Scores `items` (600, byte-level, 128-byte window) with (a) a unigram prior over the corpus's bytes
// (P(next) = its frequency, whatever precedes it) and (b) an untrained model: a fair task leaves
// both at chance. Each summary is checked for its axis and passed to `check` too.
template <typename F>
void expect_chance_without_context(const std::vector<ChoiceItem>& items, const char* axis, F&& check) {
  ByteTokenizer bytes;
  BigramModel unigram;
  std::vector<double> count(256, 1.0);  // add-one
  for (unsigned char c : generate_corpus(1, 400000)) count[c] += 1;
  double total = 0;
  for (double c : count) total += c;
  for (int prev = 0; prev < 256; ++prev)
    for (int next = 0; next < 256; ++next)
      if (count[next] > 1) unigram.set(static_cast<unsigned char>(prev), static_cast<unsigned char>(next),
                                       std::log(count[next] / total));
  ModelConfig c = testing::tiny_config("llama");
  c.vocab_size = 256;
  c.context = 128;
  c.init_std = 0.02;
  c.resolve();
  Model<float> untrained(c, 5);
  for (Model<float>* model : {&unigram.model(), &untrained}) {
    const json m = choice_metrics(score_items(*model, bytes, items, 128), axis);
    EXPECT_EQ(m["difficulty"]["name"], axis);
    EXPECT_DOUBLE_EQ(m["chance"].get<double>(), 0.25);
    // 600 items at p = 0.25: stderr 0.018; 3 stderr either side.
    EXPECT_NEAR(m["acc"].get<double>(), 0.25, 0.054) << m.dump();
    EXPECT_NEAR(m["acc_norm"].get<double>(), 0.25, 0.054) << m.dump();
    check(m);
  }
}

// A fair task: without the context nothing beats chance.
TEST(ChoiceTask, SyntheticTaskIsAtChanceWithoutTheContext) {
  expect_chance_without_context(synthetic_choice_items(11, 600, {0, 0, /*item_bytes=*/128}),
                                kSyntheticDifficultyAxis, [](const json&) {});
}

// Which animal is named decides the answer: the unigram prior prefers the shortest, commonest-letter
// call whatever precedes it, and is at chance because each call is the answer a quarter of the time.
TEST(ChoiceTask, AnimalCallsAreAtChanceWithoutTheAnimal) {
  expect_chance_without_context(animal_call_items(11, 600, 128), kAnimalCallsDifficultyAxis,
                                [](const json& m) { EXPECT_EQ(m["truncated"], 0); });
}

// ---- the summary's chance, truncation and difficulty bins --------------------------------------------

ItemScore scored(int gold, int pred, int pred_norm, size_t n_choices, bool truncated, int64_t difficulty) {
  ItemScore s;
  s.gold = gold;
  s.pred = s.pred_bytes = s.pred_llamacpp = pred;
  s.pred_norm = pred_norm;
  s.loglikelihoods.assign(n_choices, -1.0);
  s.tokens.assign(n_choices, 2);
  s.truncated = truncated;
  s.difficulty = difficulty;
  return s;
}

TEST(ChoiceResults, ChanceTruncationAndDifficultyBinsOnConstructedScores) {
  // Choice counts 2, 4, 5, 4, 2: chance = (1/2 + 1/4 + 1/5 + 1/4 + 1/2) / 5 = 0.34.
  // Difficulties 0, 2, 0, 2, 2: bin 0 = items {0, 2}: acc [1, 0] = 0.5, acc_norm [1, 1] = 1;
  // bin 2 = items {1, 3, 4}: acc [1, 1, 0] = 2/3 (stderr sqrt(2/3 · 1/3 / 2) = 1/3), acc_norm [0, 1, 0].
  const std::vector<ItemScore> s = {scored(0, 0, 0, 2, false, 0), scored(1, 1, 0, 4, true, 2),
                                    scored(3, 1, 3, 5, true, 0), scored(2, 2, 2, 4, false, 2),
                                    scored(1, 0, 0, 2, true, 2)};
  const json m = choice_metrics(s, "distance (sentences)");
  EXPECT_DOUBLE_EQ(m["chance"].get<double>(), 0.34);
  EXPECT_EQ(m["truncated"], 3);
  EXPECT_EQ(m["truncated_items"], 3);
  EXPECT_DOUBLE_EQ(m["acc"].get<double>(), 0.6);
  const json& d = m["difficulty"];
  EXPECT_EQ(d["name"], "distance (sentences)");
  ASSERT_EQ(d["bins"].size(), 2u);
  const json& b0 = d["bins"][0];
  const json& b2 = d["bins"][1];
  EXPECT_EQ(b0["value"], 0);
  EXPECT_EQ(b0["items"], 2);
  EXPECT_DOUBLE_EQ(b0["acc"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(b0["acc_stderr"].get<double>(), std::sqrt(0.25 / 1));
  EXPECT_DOUBLE_EQ(b0["acc_norm"].get<double>(), 1.0);
  EXPECT_EQ(b2["value"], 2);
  EXPECT_EQ(b2["items"], 3);
  EXPECT_DOUBLE_EQ(b2["acc"].get<double>(), 2.0 / 3);
  EXPECT_NEAR(b2["acc_stderr"].get<double>(), 1.0 / 3, 1e-15);
  EXPECT_DOUBLE_EQ(b2["acc_norm"].get<double>(), 1.0 / 3);
  // A bin of one item has no stderr; items without a difficulty are in no bin; a task without any
  // has no "difficulty" at all.
  const json one = difficulty_bins({scored(0, 0, 0, 4, false, 5), scored(0, 0, 0, 4, false, -1)}, "x");
  ASSERT_EQ(one["bins"].size(), 1u);
  EXPECT_EQ(one["bins"][0]["items"], 1);
  EXPECT_TRUE(one["bins"][0]["acc_stderr"].is_null());
  EXPECT_FALSE(choice_metrics({scored(0, 0, 0, 3, false, -1)}).contains("difficulty"));
  EXPECT_DOUBLE_EQ(choice_metrics({scored(0, 0, 0, 3, false, -1)})["chance"].get<double>(), 1.0 / 3);
}

// ---- end to end --------------------------------------------------------------------------------------

class ChoiceCliTest : public testing::TempDirTest {
 protected:
  int cli(const std::vector<std::string>& args) {
    out_.str("");
    err_.str("");
    return run_cli(args, out_, err_);
  }
  std::string experiment(const std::string& extra) {
    const std::string path = file("tiny.yaml");
    testing::write_bytes(path,
                         "name: tiny\nseed: 3\nthreads: 2\n"
                         "model: {d_model: 32, n_layers: 1, context: 32, attention: {type: gqa, n_heads: 4, n_kv_heads: 2}}\n"
                         "data: {type: synthetic, bytes: 40000, seed: 5}\n"
                         "train: {steps: 20, batch_size: 4, lr: 3e-3, warmup: 5, eval_every: 10, eval_tokens: 512, "
                         "checkpoint_every: 10}\n"
                         "eval: {max_tokens: 2000}\n" + extra);
    return path;
  }
  std::ostringstream out_, err_;
};

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST_F(ChoiceCliTest, RunAndChoiceWriteTheScores) {
  const std::string config = experiment("choice: {items: 20}\n");
  ASSERT_EQ(cli({"run", config, "-o", file("out")}), 0) << err_.str();
  EXPECT_THAT(out_.str(), HasSubstr("acc_norm"));
  const json r = json::parse(testing::read_bytes(file("out/result.json")));
  ASSERT_TRUE(r.contains("choice"));
  const json& c = r["choice"];
  EXPECT_EQ(c["items"], 20);
  EXPECT_EQ(c["task"], "synthetic");
  EXPECT_EQ(c["format"], "synthetic");
  EXPECT_EQ(c["window"], 32);
  for (const char* key : {"acc", "acc_norm", "acc_bytes", "acc_llamacpp"}) {
    EXPECT_GE(c[key].get<double>(), 0.0) << key;
    EXPECT_LE(c[key].get<double>(), 1.0) << key;
    EXPECT_TRUE(c[std::string(key) + "_stderr"].is_number()) << key;
  }
  EXPECT_DOUBLE_EQ(c["choices_per_item"].get<double>(), 4.0);
  EXPECT_GT(c["truncated_items"].get<int64_t>(), 10);  // synthetic contexts are longer than 32 bytes
  EXPECT_EQ(c["truncated"], c["truncated_items"]);
  EXPECT_DOUBLE_EQ(c["chance"].get<double>(), 0.25);
  EXPECT_EQ(c["difficulty"]["name"], kSyntheticDifficultyAxis);
  int64_t binned = 0;
  for (const json& b : c["difficulty"]["bins"]) binned += b["items"].get<int64_t>();
  EXPECT_EQ(binned, 20);

  // `ablate choice` on the saved checkpoint reproduces the run's scores exactly.
  ASSERT_EQ(cli({"choice", config, "-o", file("out")}), 0) << err_.str();
  EXPECT_THAT(out_.str(), HasSubstr("tiny: acc "));
  const json e = json::parse(testing::read_bytes(file("out/choice.json")));
  EXPECT_EQ(e["kind"], "choice");
  EXPECT_EQ(e["checkpoint_step"], 20);
  EXPECT_EQ(e["choice"]["acc"], c["acc"]);
  EXPECT_EQ(e["choice"]["acc_norm"], c["acc_norm"]);
  const auto lines = lines_of(testing::read_bytes(file("out/choice_items.jsonl")));
  ASSERT_EQ(lines.size(), 20u);
  double acc = 0;
  for (size_t k = 0; k < lines.size(); ++k) {
    const json rec = json::parse(lines[k]);
    EXPECT_EQ(rec["index"], k);
    ASSERT_EQ(rec["scores"].size(), 4u);
    EXPECT_EQ(rec["lengths"].size(), 4u);
    for (const auto& ll : rec["scores"]) EXPECT_LT(ll.get<double>(), 0.0);
    acc += rec["pred"] == rec["gold"] ? 1 : 0;
  }
  EXPECT_DOUBLE_EQ(acc / 20, e["choice"]["acc"].get<double>());
}

TEST_F(ChoiceCliTest, ChoiceOnLlamaCppAndJsonlHellaSwagWritesEqualMetricsInBothLayouts) {
  const std::string trained = experiment("");
  ASSERT_EQ(cli({"train", trained, "-o", file("out")}), 0) << err_.str();
  std::map<std::string, json> results;
  for (const auto& [format, name] : std::vector<std::pair<std::string, std::string>>{
           {"hellaswag", "hellaswag_tiny.jsonl"}, {"hellaswag_llamacpp", "hellaswag_llamacpp_tiny.txt"}}) {
    std::string config_text = testing::read_bytes(experiment("choice: {task: " + data_path(name) + ", format: " + format + "}\n"));
    config_text.replace(config_text.find("eval: {max_tokens: 2000}"), 24, "eval: {max_tokens: 2000, context: 128}");
    const std::string config = file(format + ".yaml");
    testing::write_bytes(config, config_text);
    ASSERT_EQ(cli({"choice", config, "-o", file("out"), "--checkpoint", file("out/checkpoint.safetensors")}), 0)
        << err_.str();
    results[format] = json::parse(testing::read_bytes(file("out/choice.json")));
  }
  const json& a = results["hellaswag"];
  const json& b = results["hellaswag_llamacpp"];
  for (const char* key : {"items", "acc", "acc_stderr", "acc_norm", "acc_norm_stderr", "acc_bytes", "acc_bytes_stderr",
                          "acc_llamacpp", "acc_llamacpp_stderr", "choices_per_item", "scored_tokens_per_choice",
                          "truncated_items"})
    EXPECT_EQ(a["choice"][key], b["choice"][key]) << key;
  EXPECT_EQ(a["choice"]["items"], 3);
  // lm-eval's layout, beside Ablate's, with the same figures.
  EXPECT_EQ(a["results"], b["results"]);
  const json& t = a["results"]["hellaswag"];
  EXPECT_EQ(t["acc,none"], a["choice"]["acc"]);
  EXPECT_EQ(t["acc_norm_stderr,none"], a["choice"]["acc_norm_stderr"]);
  EXPECT_EQ(a["n-samples"]["hellaswag"]["effective"], 3);
  EXPECT_EQ(a["format"], "ablate-result/1");
}

TEST_F(ChoiceCliTest, ChoiceNeedsAChoiceSectionAndACheckpoint) {
  const std::string config = experiment("");
  EXPECT_EQ(cli({"choice", config, "-o", file("out")}), 1);
  EXPECT_THAT(err_.str(), HasSubstr("no `choice:` section"));
  const std::string with_choice = experiment("choice: {items: 5}\n");
  EXPECT_EQ(cli({"choice", with_choice, "-o", file("none")}), 1);
  EXPECT_THAT(err_.str(), HasSubstr("checkpoint.safetensors"));
  EXPECT_FALSE(std::filesystem::exists(file("none/choice.json")));
  EXPECT_EQ(cli({"choice"}), 2);
  EXPECT_THAT(err_.str(), HasSubstr("usage: ablate choice CONFIG.yaml"));
  const std::string bad_file = experiment("choice: {task: " + file("missing.jsonl") + ", format: arc}\n");
  EXPECT_EQ(cli({"run", bad_file, "-o", file("bad")}), 1);
  EXPECT_THAT(err_.str(), HasSubstr("missing.jsonl: cannot open"));
  EXPECT_FALSE(std::filesystem::exists(file("bad/checkpoint.safetensors")));  // failed before training
}

}  // namespace
}  // namespace ablate
