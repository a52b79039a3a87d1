// Passkey retrieval: the prompt built by hand (the key line at the asked depth, the exact length,
// the filler cut and repeated), the exact-match rule, greedy decoding against the model's own
// argmax of full forward passes, a random model at chance (0 for 5 digits), a constructed bigram
// "model" whose exact score is known, the config's errors and defaults, and the commands (run,
// passkey, a sweep config, extend's fine-tuned models shared, an evaluation-only change).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <sstream>
#include <string>
#include <vector>

#include "components/model/model.h"
#include "experiments/cli.h"
#include "experiments/passkey.h"
#include "harness/checkpoints/experiment_inputs.h"
#include "harness/config/experiment_config.h"
#include "harness/data/synthetic_corpus.h"
#include "harness/eval/passkey.h"
#include "tests/test_support.h"

namespace ablate {
namespace {

using json = nlohmann::json;
using ::testing::HasSubstr;
using testing::message_of;

std::vector<int32_t> bytes_of(const std::string& s) { return std::vector<int32_t>(s.begin(), s.end()); }

const std::string kInstruction =
    "There is an important info hidden inside a lot of irrelevant text. Find it and memorize them. I will quiz you "
    "about the important information there.";
const std::string kQuestion = "What is the pass key? The pass key is";

// ---- the prompt ----------------------------------------------------------------------------------

TEST(PasskeyPrompt, ByteLevelPromptIsExactlyTheLengthWithTheKeyLineAtTheDepth) {
  const ByteTokenizer bytes;
  const std::string filler = "abcdefghijklmnopqrstuvwxyz0123456789";  // 36 tokens, repeated where it runs out
  const std::string key_line = "The pass key is 04217. Remember it. 04217 is the pass key.";
  // 148 + 1 (instruction line), 1 ("\n" after the first part), 58 + 1 (key line), 1 + 37 (question):
  // 247 tokens without filler, so 300 tokens leave n = 53 for filler.
  ASSERT_EQ(kInstruction.size() + 1 + 1 + key_line.size() + 1 + 1 + kQuestion.size(), 247u);
  EXPECT_EQ(passkey_prompt_overhead(bytes, 5, true), 247);
  EXPECT_EQ(passkey_prompt_overhead(bytes, 5, false), 98);
  auto cycled = [&](int64_t from, int64_t to) {
    std::string s;
    for (int64_t i = from; i < to; ++i) s += filler[static_cast<size_t>(i % 36)];
    return s;
  };
  for (const double depth : {0.0, 0.25, 0.5, 1.0}) {
    const int64_t offset = 30;  // the filler wraps: tokens 30..35, then 0.. again
    const PasskeyPrompt p = build_passkey_prompt(bytes, bytes_of(filler), offset, "04217", 300, depth, true);
    const int64_t n = 53, a = depth == 0 ? 0 : depth == 0.25 ? 13 : depth == 0.5 ? 27 : 53;  // round(depth * 53)
    const std::string want = kInstruction + "\n" + cycled(offset, offset + a) + "\n" + key_line + "\n" +
                             cycled(offset + a, offset + n) + "\n" + kQuestion;
    EXPECT_EQ(p.text, want) << depth;
    EXPECT_EQ(p.tokens, bytes_of(want)) << depth;
    EXPECT_EQ(p.tokens.size(), 300u) << depth;
    EXPECT_EQ(p.filler_tokens, n);
    EXPECT_EQ(p.filler_before, a) << depth;
    EXPECT_EQ(p.key_line_at, kInstruction.size() + 1 + static_cast<size_t>(a) + 1) << depth;
    EXPECT_EQ(p.text.compare(p.key_line_at, key_line.size(), key_line), 0);
    EXPECT_EQ(p.answer_tokens, 6);  // " 04217": the space the question leaves, then 5 digits
  }
  // Without the instruction line the prompt starts with the filler.
  const PasskeyPrompt p = build_passkey_prompt(bytes, bytes_of(filler), 0, "04217", 100, 0.5, false);
  EXPECT_EQ(p.text, "a\n" + key_line + "\nb\n" + kQuestion);  // n = 2, a = round(1.0) = 1
  // No room for filler.
  EXPECT_THAT(message_of([&] { build_passkey_prompt(bytes, bytes_of(filler), 0, "04217", 98, 0.5, false); }),
              HasSubstr("the prompt without filler takes 98 tokens, leaving none of 98 for filler"));
}

TEST(PasskeyPrompt, TrialsDependOnTheirPointAloneAndKeysHaveEveryDigit) {
  const PasskeyTrial t = passkey_trial(11, 256, 0.5, 3, 5, 1000);
  EXPECT_EQ(t.key.size(), 5u);
  EXPECT_EQ(t.key.find_first_not_of("0123456789"), std::string::npos);
  EXPECT_LT(t.offset, 1000);
  EXPECT_EQ(passkey_trial(11, 256, 0.5, 3, 5, 1000).key, t.key);  // deterministic
  EXPECT_EQ(passkey_trial(11, 256, 0.5, 3, 5, 1000).offset, t.offset);
  std::vector<int> first_digit(10, 0);
  for (int trial = 0; trial < 2000; ++trial) ++first_digit[passkey_trial(11, 256, 0.5, trial, 5, 1000).key[0] - '0'];
  for (int d = 0; d < 10; ++d) EXPECT_GT(first_digit[d], 140) << d;  // ~200 each, leading zeros included
  EXPECT_NE(passkey_trial(12, 256, 0.5, 3, 5, 1000).key + std::to_string(passkey_trial(11, 512, 0.5, 3, 5, 1000).offset),
            t.key + std::to_string(t.offset));
}

TEST(PasskeyScoring, ExactMatchOfEveryDigit) {
  EXPECT_TRUE(passkey_answer_correct(" 71432", "71432"));
  EXPECT_TRUE(passkey_answer_correct("71432", "71432"));
  EXPECT_TRUE(passkey_answer_correct("\n 71432.", "71432"));
  EXPECT_FALSE(passkey_answer_correct(" 714321", "71432"));  // more digits: another number
  EXPECT_FALSE(passkey_answer_correct(" 7143", "71432"));
  EXPECT_FALSE(passkey_answer_correct(" 71433", "71432"));
  EXPECT_FALSE(passkey_answer_correct(" x71432", "71432"));
  EXPECT_FALSE(passkey_answer_correct("", "71432"));
}

// ---- decoding ----------------------------------------------------------------------------------

ModelConfig tiny_model(bool tied = true) {
  ModelConfig c;
  c.vocab_size = 256;
  c.d_model = 32;
  c.n_layers = 2;
  c.context = 64;
  c.attention.n_heads = 4;
  c.attention.n_kv_heads = 4;
  c.tie_embeddings = tied;
  c.resolve("model");
  return c;
}

TEST(PasskeyScoring, GreedyDecodingEqualsTheArgmaxOfFullForwardPassesStepByStep) {
  Model<float> model(tiny_model(), 5);
  const int64_t B = 3, T = 11, steps = 6, V = 256;
  std::vector<int32_t> prompts;
  Rng rng(9);
  for (int64_t i = 0; i < B * T; ++i) prompts.push_back(static_cast<int32_t>(rng.below(V)));
  const std::vector<std::vector<int32_t>> got = greedy_continuations(model, prompts, B, T, steps);
  ASSERT_EQ(got.size(), 3u);
  for (int64_t b = 0; b < B; ++b) {
    std::vector<int32_t> seq(prompts.begin() + b * T, prompts.begin() + (b + 1) * T);
    for (int64_t s = 0; s < steps; ++s) {
      const Tensor<float>& logits = model.forward(seq.data(), 1, static_cast<int64_t>(seq.size()));
      const float* last = logits.ptr() + (static_cast<int64_t>(seq.size()) - 1) * V;
      int32_t best = 0;
      for (int32_t v = 1; v < V; ++v)
        if (last[v] > last[best]) best = v;
      ASSERT_EQ(got[static_cast<size_t>(b)][static_cast<size_t>(s)], best) << "sequence " << b << " step " << s;
      seq.push_back(best);
    }
  }
}

ExperimentConfig parse(const std::string& yaml) {
  return parse_experiment(load_config_tree_text(yaml, "passkey.yaml"), "pk", experiment_inputs_from_files());
}

const std::string kTinyModel =
    "model: {d_model: 32, n_layers: 1, context: 32, tie_embeddings: false, attention: {n_heads: 4}}\n";

TEST(PasskeyScoring, ARandomModelScoresChance) {
  const ExperimentConfig config =
      parse(kTinyModel + "passkey: {lengths: [128, 160], depths: [0, 0.5, 1], trials: 4, instruction: false, "
                         "methods: [{type: none}, {type: linear, factor: auto}]}\n");
  Model<float> model(config.model, 3);
  PasskeyInputs in;
  in.trained = &model;
  std::ostringstream log;
  in.log = &log;
  const json r = run_passkey(config, in);
  EXPECT_EQ(r["digits"], 5);
  EXPECT_EQ(r["trials"], 4);
  EXPECT_EQ(r["filler"], "synthetic");
  EXPECT_DOUBLE_EQ(r["chance"].get<double>(), 1e-5);
  EXPECT_EQ(r["lengths"], json({128, 160}));
  EXPECT_EQ(r["depths"], json({0.0, 0.5, 1.0}));
  ASSERT_EQ(r["methods"].size(), 2u);
  for (const json& m : r["methods"]) {
    EXPECT_EQ(m["finetuned_steps"], 0);
    ASSERT_EQ(m["points"].size(), 6u);
    for (const json& p : m["points"]) {
      EXPECT_EQ(p["trials"], 4);
      EXPECT_EQ(p["correct"], 0) << p;  // 5 digits: a model that has not seen the key cannot name it
      EXPECT_EQ(p["accuracy"], 0.0);
      EXPECT_EQ(p["prompt_tokens"]["max"], p["length"]);
      EXPECT_EQ(p["prompt_tokens"]["min"], p["length"]);
    }
  }
  EXPECT_EQ(r["methods"][1]["scaling"]["factor"], "auto");
  EXPECT_DOUBLE_EQ(r["methods"][1]["points"][3]["factor"].get<double>(), 5.0);  // 160 / 32
  EXPECT_THAT(log.str(), HasSubstr("pk: passkey linear @ 160: accuracy 0.000 (0/12 over 3 depths"));
}

// A bigram "model": the blocks add nothing (o_proj, down_proj zero), so the logits depend on the
// last token only; after 's' it predicts ' ', after ' ' the digit '7'. The prompt ends "... is", so
// its answer is always " 7": correct exactly on the trials whose 1-digit key is 7.
void make_bigram(Model<float>& model) {
  for (auto& p : model.parameters()) {
    if (p.name.find("o_proj") != std::string::npos || p.name.find("down_proj") != std::string::npos) p.param->value.zero();
  }
  for (auto& p : model.parameters()) {
    Tensor<float>& w = p.param->value;
    const int64_t C = model.config().d_model;
    if (p.name == "model.embed_tokens.weight") {
      w.zero();
      for (int64_t t = 0; t < 256; ++t) w.ptr()[t * C + (t == ' ' ? 0 : t == 's' ? 1 : 2)] = 1;
    } else if (p.name == "lm_head.weight") {
      w.zero();
      w.ptr()['7' * C + 0] = 10;
      w.ptr()[' ' * C + 1] = 10;
    }
  }
}

TEST(PasskeyScoring, AConstructedModelScoresExactlyTheTrialsItCanAnswer) {
  const ExperimentConfig config =
      parse(kTinyModel + "passkey: {lengths: [100, 130], depths: [0, 1], trials: 30, digits: 1, seed: 4, "
                         "instruction: false, methods: [{type: none}, {type: yarn, factor: auto}]}\n");
  Model<float> model(config.model, 3);
  make_bigram(model);
  PasskeyInputs in;
  in.trained = &model;
  const json r = run_passkey(config, in);
  const size_t filler_tokens = r["filler_tokens"].get<size_t>();
  int64_t total = 0;
  for (const json& m : r["methods"]) {
    for (const json& p : m["points"]) {
      int64_t sevens = 0;
      for (int64_t t = 0; t < 30; ++t)
        sevens += passkey_trial(4, p["length"], p["depth"], t, 1, filler_tokens).key == "7";
      EXPECT_EQ(p["correct"], sevens) << m["name"] << " " << p;
      total += sevens;
    }
  }
  EXPECT_GT(total, 0);  // the test would pass vacuously with no 7 among the keys
  EXPECT_DOUBLE_EQ(r["chance"].get<double>(), 0.1);
}

// The built-in corpus holds passkey lines of its own (synthetic_corpus.h, part 6); the passkey
// task's synthetic filler is generated without them, so the prompt's key is its only one.
TEST(PasskeyPrompt, SyntheticFillerHoldsNoOtherPassKey) {
  ExperimentConfig c = parse(kTinyModel + "passkey: {lengths: [256, 4096], seed: 3}\n");
  const ByteTokenizer bytes;
  const std::vector<int32_t> filler = passkey_filler(c, bytes);
  const std::string text = bytes.decode(filler);
  EXPECT_GE(text.size(), 2u * 4096);
  EXPECT_EQ(text.find("pass key"), std::string::npos);
  EXPECT_NE(generate_corpus(3, static_cast<int64_t>(text.size())).find("pass key"), std::string::npos);
}

// ---- the config ----------------------------------------------------------------------------------

TEST(PasskeyConfig, DefaultsAndMethodsFromExtend) {
  ExperimentConfig c = parse(kTinyModel + "passkey: {lengths: [256]}\n");
  EXPECT_TRUE(c.passkey.enabled);
  EXPECT_EQ(c.passkey.depths, (std::vector<double>{0, 0.25, 0.5, 0.75, 1}));
  EXPECT_EQ(c.passkey.trials, 10);
  EXPECT_EQ(c.passkey.digits, 5);
  EXPECT_EQ(c.passkey.filler, "synthetic");
  EXPECT_TRUE(c.passkey.instruction);
  ASSERT_EQ(c.passkey.methods.size(), 1u);
  EXPECT_EQ(c.passkey.methods[0].name, "none");
  c = parse(kTinyModel + "extend: {lengths: [32, 64], methods: [{type: none}, {type: linear, factor: auto, name: pi}]}\n"
                         "passkey: {lengths: [256]}\n");
  ASSERT_EQ(c.passkey.methods.size(), 2u);
  EXPECT_EQ(c.passkey.methods[1].name, "pi");
  EXPECT_TRUE(c.passkey.methods[1].factor_auto);
  // The resolved config reads back as itself.
  const json j = experiment_to_json(c);
  EXPECT_EQ(j["passkey"]["methods"][1]["factor"], "auto");
  EXPECT_EQ(experiment_to_json(experiment_from_json(j, "saved", experiment_inputs_from_files())), j);
  EXPECT_FALSE(experiment_to_json(parse(kTinyModel)).contains("passkey"));
}

TEST(PasskeyConfig, BadValuesNameTheKey) {
  const std::pair<std::string, std::string> cases[] = {
      {"passkey: {lengths: [256], depths: [0, 1.5]}", "passkey.depths[1]: must be in [0, 1], found 1.5"},
      {"passkey: {lengths: [256], depths: [-0.1]}", "passkey.depths[0]: must be in [0, 1], found -0.1"},
      {"passkey: {lengths: [256], digits: 0}", "passkey.digits: must be >= 1, found 0"},
      {"passkey: {lengths: [256], trials: 0}", "passkey.trials: must be >= 1, found 0"},
      {"passkey: {lengths: []}", "passkey.lengths: expected a non-empty list of context lengths"},
      {"passkey: {depths: [0]}", "passkey.lengths: expected a non-empty list of context lengths"},
      {"passkey: {lengths: [256], depths: []}", "passkey.depths: expected a non-empty list of fractions"},
      {"passkey: {lengths: [512, 256]}", "passkey.lengths[1]: lengths must increase, found 256 after 512"},
      {"passkey: {lengths: [256], methods: [{type: warp}]}", "passkey.methods[0].type: unknown 'warp'"},
      {"passkey: {lengths: [256], keys: 3}", "passkey.keys"},
      {"passkey: {lengths: [200, 400]}",
       "passkey.lengths[0]: 200 tokens leave no room for filler: the prompt without filler (instruction, key line, "
       "question) takes 247 byte tokens; instruction: false takes 98"},
      {"passkey: {lengths: [98], instruction: false}",
       "passkey.lengths[0]: 98 tokens leave no room for filler: the prompt without filler (key line, question) takes 98 "
       "byte tokens"},
  };
  for (const auto& [section, message] : cases)
    EXPECT_THAT(message_of([&] { parse(kTinyModel + section + "\n"); }), HasSubstr(message)) << section;
  EXPECT_THAT(message_of([&] { parse(kTinyModel + "passkey: {lengths: [256], depths: [0, 1.5]}\n"); }),
              HasSubstr("passkey.yaml:2:"));  // located at its line
}

// ---- the commands ----------------------------------------------------------------------------------

class PasskeyCliTest : public testing::TempDirTest {
 protected:
  int cli(const std::vector<std::string>& args) {
    out_.str("");
    err_.str("");
    return run_cli(args, out_, err_);
  }
  std::string config(const std::string& extra, const std::string& name = "tiny.yaml") {
    const std::string path = file(name);
    testing::write_bytes(path,
                         "name: tiny\nseed: 3\nthreads: 2\n"
                         "model: {d_model: 32, n_layers: 1, context: 32, attention: {n_heads: 4}}\n"
                         "data: {type: synthetic, bytes: 40000, seed: 5}\n"
                         "train: {steps: 6, batch_size: 4, warmup: 2, eval_every: 0, eval_tokens: 256, checkpoint_every: 0}\n"
                         "eval: {max_tokens: 1000}\n" + extra);
    return path;
  }
  std::ostringstream out_, err_;
};

const std::string kPasskey = "passkey: {lengths: [110, 140], depths: [0, 1], trials: 2, instruction: false}\n";

TEST_F(PasskeyCliTest, RunAndPasskeyWriteTheSameScores) {
  ASSERT_EQ(cli({"run", config(kPasskey), "-o", file("out")}), 0) << err_.str();
  EXPECT_THAT(out_.str(), HasSubstr("tiny: passkey: none 0.000 (2 lengths x 2 depths x 2 trials, chance 1e-05)"));
  const json r = json::parse(testing::read_bytes(file("out/result.json")));
  ASSERT_TRUE(r.contains("passkey"));
  EXPECT_EQ(r["config"]["passkey"]["methods"], json::parse(R"([{"type": "none", "name": "none"}])"));
  ASSERT_EQ(cli({"passkey", config(kPasskey), "-o", file("out")}), 0) << err_.str();
  EXPECT_THAT(err_.str(), HasSubstr("tiny: passkey none @ 140: accuracy"));
  const json p = json::parse(testing::read_bytes(file("out/passkey.json")));
  EXPECT_EQ(p["kind"], "passkey");
  EXPECT_EQ(p["checkpoint_step"], 6);
  EXPECT_EQ(p["passkey"]["methods"], r["passkey"]["methods"]);
  EXPECT_TRUE(p["metrics"]["parameters"].is_number());
}

// Learned positions cannot go past their table: a prompt of the table's length plus its answer
// is not applicable (not a crash in the middle of decoding).
TEST_F(PasskeyCliTest, LearnedPositionsPastTheirTableAreNotApplicable) {
  const std::string path = file("learned.yaml");
  testing::write_bytes(path,
                       "name: learned\nthreads: 2\n"
                       "model: {d_model: 32, n_layers: 1, context: 128, position: {type: learned}, attention: {n_heads: 4}}\n"
                       "data: {type: synthetic, bytes: 40000, seed: 5}\n"
                       "train: {steps: 2, batch_size: 2, warmup: 1, eval_every: 0, eval_tokens: 256, checkpoint_every: 0}\n"
                       "eval: {max_tokens: 1000}\n"
                       "passkey: {lengths: [120, 128], depths: [0.5], trials: 2, instruction: false}\n");
  ASSERT_EQ(cli({"run", path, "-o", file("out")}), 0) << err_.str();
  const json points = json::parse(testing::read_bytes(file("out/result.json")))["passkey"]["methods"][0]["points"];
  ASSERT_EQ(points.size(), 2u);
  EXPECT_EQ(points[0]["applicable"], true);  // 120 + 6 - 1 positions fit in 128
  EXPECT_EQ(points[1]["applicable"], false);
  EXPECT_THAT(points[1]["reason"].get<std::string>(),
              HasSubstr("the prompt and its answer need 133 positions; the learned position table holds 128"));
}

TEST_F(PasskeyCliTest, AddingThePasskeySectionToAFinishedRunScoresWithoutTraining) {
  ASSERT_EQ(cli({"run", config(""), "-o", file("out")}), 0) << err_.str();
  const std::string checkpoint = testing::read_bytes(file("out/checkpoint.safetensors"));
  ASSERT_EQ(cli({"run", config(kPasskey), "-o", file("out")}), 0) << err_.str();
  EXPECT_THAT(out_.str(), HasSubstr("evaluating what changed (passkey) from its checkpoint, without training"));
  EXPECT_EQ(testing::read_bytes(file("out/checkpoint.safetensors")), checkpoint);
  const json r = json::parse(testing::read_bytes(file("out/result.json")));
  EXPECT_EQ(r["passkey"]["methods"][0]["points"].size(), 4u);
  EXPECT_EQ(r["reevaluated"][0]["sections"], json({"passkey"}));
}

TEST_F(PasskeyCliTest, ExtendAndPasskeyShareTheFineTunedModels) {
  const std::string sections =
      "extend: {lengths: [32, 64], methods: [{type: none}, {type: linear, factor: auto}], finetune: {steps: 2}}\n" + kPasskey;
  ASSERT_EQ(cli({"run", config(sections), "-o", file("out")}), 0) << err_.str();
  const std::string log = err_.str();
  size_t fine_tunings = 0;
  for (size_t at = log.find(": fine-tuning "); at != std::string::npos; at = log.find(": fine-tuning ", at + 1)) ++fine_tunings;
  EXPECT_EQ(fine_tunings, 2u) << log;  // once per method, for both sections
  const json r = json::parse(testing::read_bytes(file("out/result.json")));
  const json& methods = r["passkey"]["methods"];
  ASSERT_EQ(methods.size(), 4u);  // each method as trained and fine-tuned
  EXPECT_EQ(methods[0]["label"], "none");
  EXPECT_EQ(methods[1]["label"], "none fine-tuned 2 steps");
  EXPECT_EQ(methods[1]["finetuned_steps"], 2);
  EXPECT_EQ(methods[3]["name"], "linear");
  EXPECT_DOUBLE_EQ(methods[3]["points"][0]["factor"].get<double>(), 2.0);  // fixed at the fine-tuning context 64
  EXPECT_DOUBLE_EQ(methods[2]["points"][2]["factor"].get<double>(), 140.0 / 32);  // auto at each length
  // `ablate passkey` alone fine-tunes for itself.
  ASSERT_EQ(cli({"passkey", config(sections), "-o", file("out")}), 0) << err_.str();
  EXPECT_THAT(err_.str(), HasSubstr("tiny: fine-tuning linear for 2 steps at context 64"));
  const json p = json::parse(testing::read_bytes(file("out/passkey.json")));
  EXPECT_EQ(p["passkey"]["methods"], methods);
}

TEST_F(PasskeyCliTest, ASweepConfigScoresEveryTrainedPoint) {
  const std::string sweep = "sweep:\n  variants: {rms: {}, ln: {model.norm.type: layernorm}}\n";
  ASSERT_EQ(cli({"run", config(sweep), "-o", file("s"), "--point", "rms"}), 0) << err_.str();
  ASSERT_EQ(cli({"passkey", config(kPasskey + sweep), "-o", file("s")}), 0) << err_.str();
  EXPECT_THAT(err_.str(), HasSubstr("ln: not trained yet"));
  EXPECT_THAT(err_.str(), HasSubstr("tiny: passkey of 1 of 2 points in " + file("s")));
  const json r = json::parse(testing::read_bytes(file("s/rms/passkey.json")));
  EXPECT_EQ(r["sweep"]["point"], "rms");
  EXPECT_EQ(r["passkey"]["methods"][0]["points"].size(), 4u);
  EXPECT_FALSE(std::filesystem::exists(file("s/ln/passkey.json")));
}

TEST_F(PasskeyCliTest, CommandErrors) {
  ASSERT_EQ(cli({"train", config(""), "-o", file("out")}), 0) << err_.str();
  EXPECT_EQ(cli({"passkey", config(""), "-o", file("out")}), 1);
  EXPECT_THAT(err_.str(), HasSubstr("passkey: the config has no `passkey:` section"));
  EXPECT_EQ(cli({"passkey", config("passkey: {lengths: [256], filler: " + file("missing.txt") + "}\n"), "-o", file("out")}), 1);
  EXPECT_THAT(err_.str(), HasSubstr("passkey.filler: " + file("missing.txt")));
  EXPECT_EQ(cli({"passkey", "--help"}), 0);
  EXPECT_THAT(out_.str(), HasSubstr("Passkey retrieval accuracy"));
}

}  // namespace
}  // namespace ablate
