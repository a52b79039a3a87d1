// Windowed perplexity and the extension experiment: window plans score each token once, strided
// with stride = window equals disjoint, uniform logits give perplexity = vocabulary size, scaling
// factor 1 equals no scaling, learned positions past their table are "not applicable", bad extend
// sections name their key, and a 32k-token evaluation runs under an address-space limit far below
// one T×T matrix.
#include <gtest/gtest.h>
#include <gmock/gmock.h>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sstream>

#include "experiments/cli.h"
#include "experiments/extend.h"
#include "harness/checkpoints/experiment_inputs.h"
#include "harness/config/experiment_config.h"
#include "harness/data/synthetic_corpus.h"
#include "harness/eval/perplexity.h"
#include "tests/test_support.h"

namespace ablate {
namespace {

using ::testing::HasSubstr;
using nlohmann::json;

std::vector<int32_t> corpus_tokens(int64_t n) {
  const std::string text = generate_corpus(11, n);
  return std::vector<int32_t>(text.begin(), text.begin() + n);
}

ModelConfig small_rope_model() {
  ModelConfig c = testing::tiny_config("llama");
  c.vocab_size = 256;
  c.context = 16;
  c.resolve();
  return c;
}

TEST(Perplexity, WindowPlansScoreEveryTokenOnce) {
  for (int64_t n : {2, 3, 50, 64, 65, 1000}) {
    for (int64_t stride : {1, 3, 8, 16}) {
      PerplexityOptions o;
      o.windowing = "hf_strided";
      o.window = 16;
      o.stride = stride;
      std::vector<int> scored(n, 0);
      for (const auto& w : plan_windows(std::vector<int32_t>(n), o)) {
        ASSERT_LE(w.end - w.begin, 16);
        ASSERT_GE(w.score_from, w.begin + 1);
        for (int64_t t = w.score_from; t < w.end; ++t) scored[t]++;
      }
      EXPECT_EQ(scored[0], 0);
      for (int64_t t = 1; t < n; ++t) {
        if (stride < 16) {
          ASSERT_EQ(scored[t], 1) << "n " << n << " stride " << stride << " token " << t;
        } else {
          ASSERT_EQ(scored[t], t % 16 == 0 ? 0 : 1) << "stride = window: window starts are context only";
        }
      }
    }
  }
  // Both run the model on [16k, 16k + 16); HF's stride = window leaves each window's first token
  // unscored, disjoint scores it as the previous run's last target.
  PerplexityOptions disjoint;
  disjoint.window = 16;
  PerplexityOptions strided = disjoint;
  strided.windowing = "hf_strided";
  strided.stride = 16;
  const std::vector<int32_t> hundred(100);
  const auto a = plan_windows(hundred, disjoint), b = plan_windows(hundred, strided);
  ASSERT_EQ(a.size(), 7u);
  ASSERT_EQ(b.size(), 7u);
  for (int64_t i = 0; i < 7; ++i) {
    EXPECT_EQ(a[i].begin, 16 * i);
    EXPECT_EQ(b[i].begin, 16 * i);
    EXPECT_EQ(a[i].end, std::min<int64_t>(16 * i + 16, 99));  // the last run ends before the last target
    EXPECT_EQ(b[i].end, std::min<int64_t>(16 * i + 16, 100));
    EXPECT_EQ(a[i].score_from, 16 * i + 1);
    EXPECT_EQ(b[i].score_from, 16 * i + 1);
    EXPECT_EQ(a[i].score_to, std::min<int64_t>(16 * i + 17, 100));
    EXPECT_EQ(b[i].score_to, b[i].end);
  }
  disjoint.max_tokens = 20;  // the text is cut to 21 tokens: runs [0, 16) and [16, 20), 16 + 4 targets
  const auto cut = plan_windows(std::vector<int32_t>(1000), disjoint);
  ASSERT_EQ(cut.size(), 2u);
  EXPECT_EQ(cut[1].end, 20);
  EXPECT_EQ(cut[1].score_to, 21);
}

TEST(Perplexity, DisjointScoresEveryTokenAndStrideEqualToWindowSkipsWindowStarts) {
  Model<float> model(small_rope_model(), 5);
  const auto tokens = corpus_tokens(700);
  PerplexityOptions disjoint;
  disjoint.window = 16;
  disjoint.batch = 4;
  PerplexityOptions strided = disjoint;
  strided.windowing = "hf_strided";
  strided.stride = 16;
  const auto a = evaluate_perplexity(model, tokens, disjoint);
  const auto b = evaluate_perplexity(model, tokens, strided);
  EXPECT_EQ(a.tokens, 699);       // every token after the first
  EXPECT_EQ(a.windows, 44);       // runs of 16 (the last one 11 tokens)
  EXPECT_EQ(b.tokens, 700 - 44);  // 44 windows (the last one 12 tokens), each start unscored
  EXPECT_EQ(b.windows, 44);
  EXPECT_EQ(a.text_tokens, 700);
  // The runs are the same; disjoint adds each run's next token, predicted with all 16 before it.
  EXPECT_EQ(a.position_count[16], 43);
  EXPECT_EQ(b.position_count[16], 0);
  for (int64_t c = 1; c < 16; ++c) EXPECT_NEAR(a.position_nll[c], b.position_nll[c], 1e-6 * a.position_nll[c]) << c;
  // Batching windows changes only the order of float sums.
  strided.batch = 1;
  EXPECT_NEAR(evaluate_perplexity(model, tokens, strided).perplexity(), b.perplexity(), 1e-6 * b.perplexity());
  strided.stride = 4;
  EXPECT_EQ(evaluate_perplexity(model, tokens, strided).tokens, 699);
}

TEST(Perplexity, UniformLogitsGiveTheVocabularySize) {
  ModelConfig c = small_rope_model();
  Model<float> model(c, 1);
  for (auto& p : model.parameters()) p.param->value.zero();  // every logit 0
  PerplexityOptions o;
  o.window = 16;
  const auto r = evaluate_perplexity(model, corpus_tokens(300), o);
  EXPECT_NEAR(r.perplexity(), 256.0, 1e-9 * 256);
  for (double v : r.loss_by_position(4)) EXPECT_NEAR(v, std::log(256.0), 1e-9);
  EXPECT_EQ(r.loss_by_position(4).size(), 4u);  // offsets 1..15 in buckets of 4
}

// A config whose model is small_rope_model-like, with an extend section.
ExperimentConfig extend_config(const std::string& model, const std::string& extend) {
  const std::string text = "model: " + model + "\ndata: {type: synthetic, bytes: 20000}\ntrain: {steps: 1, warmup: 0}\n" + extend;
  return parse_experiment(load_config_tree_text(text, "x.yaml"), "x", experiment_inputs_from_files());
}

TEST(Perplexity, ScalingFactorOneEqualsNoScalingAndLearnedStopsAtItsTable) {
  const char* model = "{d_model: 32, n_layers: 1, context: 16, attention: {n_heads: 2}}";
  const ExperimentConfig c = extend_config(model,
      "extend: {lengths: [8, 16, 32], max_tokens: 200, methods: [{type: none}, {name: pi1, type: linear, factor: 1},"
      " {name: ntk1, type: ntk, factor: 1}, {type: yarn, factor: auto}]}\n");
  Model<float> trained(c.model, 3);
  const TokenSource text = corpus_tokens(2000);
  ExtensionInputs in;
  in.trained = &trained;
  in.text = &text;
  const json r = run_extension(c, in);
  EXPECT_EQ(r["trained_context"], 16);
  ASSERT_EQ(r["methods"].size(), 4u);
  for (int m = 1; m <= 2; ++m)
    for (int i = 0; i < 3; ++i)
      EXPECT_EQ(r["methods"][m]["points"][i]["perplexity"].get<double>(),
                r["methods"][0]["points"][i]["perplexity"].get<double>()) << r["methods"][m]["name"] << " " << i;
  // yarn with factor auto is factor 1 up to L, and differs past it.
  EXPECT_EQ(r["methods"][3]["points"][1]["factor"].get<double>(), 1.0);
  EXPECT_EQ(r["methods"][3]["points"][2]["factor"].get<double>(), 2.0);
  EXPECT_NE(r["methods"][3]["points"][2]["perplexity"].get<double>(), r["methods"][0]["points"][2]["perplexity"].get<double>());
  const json& p = r["methods"][0]["points"][2];
  EXPECT_EQ(p["tokens"].get<int64_t>(), 200);     // the text cut at 201 tokens, every length
  EXPECT_EQ(r["methods"][0]["points"][0]["tokens"].get<int64_t>(), 200);
  EXPECT_EQ(p["windowing"], "disjoint");
  EXPECT_EQ(p["loss_by_position"].size(), 32u);  // bucket 1 (32 / 64 rounds up to 1): contexts 1..32

  const ExperimentConfig learned = extend_config(
      "{d_model: 32, n_layers: 1, context: 16, attention: {n_heads: 2}, position: {type: learned}}",
      "extend: {lengths: [16, 32], methods: [{type: none}, {type: yarn, factor: 2}]}\n");
  Model<float> lm(learned.model, 3);
  in.trained = &lm;
  const json lr = run_extension(learned, in);
  EXPECT_EQ(lr["methods"][0]["points"][0]["applicable"], true);
  EXPECT_EQ(lr["methods"][0]["points"][1]["applicable"], false);
  EXPECT_THAT(lr["methods"][0]["points"][1]["reason"].get<std::string>(), HasSubstr("learned position table holds 16"));
  EXPECT_EQ(lr["methods"][1]["points"][0]["applicable"], false);
  EXPECT_THAT(lr["methods"][1]["points"][0]["reason"].get<std::string>(),
              HasSubstr("scaling applies to rope positions only; this model uses learned"));
}

TEST(Perplexity, BadExtendSectionsNameTheirKey) {
  const char* model = "{d_model: 32, n_layers: 1, context: 16, attention: {n_heads: 2}}";
  const std::vector<std::pair<std::string, std::string>> rows = {
      {"extend: {methods: [{type: none}]}", "extend.lengths: expected a non-empty list"},
      {"extend: {lengths: [32, 16], methods: [{type: none}]}", "extend.lengths[1]: lengths must increase"},
      {"extend: {lengths: [16], methods: [{type: warp}]}", "extend.methods[0].type: unknown"},
      {"extend: {lengths: [16], methods: [{type: yarn, factor: 0.5}]}", "extend.methods[0].factor"},
      {"extend: {lengths: [16], methods: [{factor: 2}]}", "extend.methods[0].type: required"},
      {"extend: {lengths: [16], methods: [{type: none}, {type: none}]}", "'none' names two methods"},
      {"extend: {lengths: [16], methods: [{type: none}], windowing: sliding}", "extend.windowing: unknown windowing 'sliding'"},
      {"extend: {lengths: [16], methods: [{type: none}], stride: 8}", "extend.stride: only used by windowing: hf_strided"},
      {"extend: {lengths: [16], methods: [{type: none}], spacing: 2}", "extend.spacing: unknown key"},
  };
  for (const auto& [extend, message] : rows) {
    try {
      extend_config(model, extend + "\n");
      ADD_FAILURE() << "no error for " << extend;
    } catch (const ConfigError& e) {
      EXPECT_THAT(e.what(), HasSubstr(message)) << extend;
    }
  }
}

class LongContextTest : public testing::TempDirTest {};

TEST_F(LongContextTest, A32kTokenEvaluationFitsFarBelowOneTxTMatrix) {
  ABLATE_SKIP_UNDER_ASAN();
  // One T×T float matrix at T = 32768 is 4 GiB; the whole process gets 1.5 GiB of address space.
  testing::write_bytes(file("text.txt"), generate_corpus(3, 40000));
  testing::write_bytes(file("long.yaml"),
                       "model: {d_model: 16, n_layers: 1, context: 32, attention: {n_heads: 1}}\n"
                       "data: {type: text, path: " + file("text.txt") + "}\n"
                       "train: {steps: 1, warmup: 0, batch_size: 2, eval_tokens: 64}\n"
                       "extend: {lengths: [32768], max_tokens: 32767, methods: [{type: yarn, factor: auto}], text: " + file("text.txt") + "}\n");
  std::ostringstream out, err;
  ASSERT_EQ(run_cli({"train", file("long.yaml"), "-o", file("out")}, out, err), 0) << err.str();
  const pid_t child = testing::spawn_ablate({"extend", file("long.yaml"), "-o", file("out"), "--threads", "2"},
                                            size_t(1536) << 20);
  ASSERT_EQ(testing::wait_for_child(child), 0) << "extend failed under a 1.5 GiB address-space limit";
  const json r = json::parse(testing::read_bytes(file("out/extend.json")));
  const json& point = r["extend"]["methods"][0]["points"][0];
  EXPECT_EQ(point["applicable"], true);
  EXPECT_EQ(point["tokens"], 32767);
  EXPECT_EQ(point["windows"], 1);
  EXPECT_EQ(point["factor"].get<double>(), 1024.0);
  EXPECT_LT(r["metrics"]["peak_rss_bytes"].get<int64_t>(), int64_t(1) << 30);
}

}  // namespace
}  // namespace ablate
