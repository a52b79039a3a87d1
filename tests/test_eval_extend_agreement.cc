// `ablate eval` and `ablate extend` on one checkpoint: eval with window L and extend at length L
// give the same loss bit for bit under every windowing, every length of a curve scores the same
// text, a text shorter than one training window is evaluated (only training needs that window),
// a model.from checkpoint's notes are printed as `ablate convert` prints them, and bad eval.windowing /
// stride values name their key.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "experiments/cli.h"
#include "harness/checkpoints/experiment_inputs.h"
#include "harness/checkpoints/hf/hf_checkpoint.h"
#include "harness/config/experiment_config.h"
#include "harness/data/synthetic_corpus.h"
#include "tests/test_support.h"

namespace ablate {
namespace {

using nlohmann::json;
using testing::read_bytes;
using testing::write_bytes;

class EvalExtendTest : public testing::TempDirTest {
 protected:
  const std::string model_ = "model: {d_model: 32, n_layers: 1, context: 32, attention: {n_heads: 2}}\n";

  // Trains the model on a 6000-byte text for two steps into DIR/trained.
  void train() {
    write_bytes(file("text.txt"), generate_corpus(3, 6000));
    write_bytes(file("train.yaml"), model_ + "data: {type: text, path: " + file("text.txt") + "}\n" +
                                        "train: {steps: 2, warmup: 0, batch_size: 2, eval_tokens: 64}\n");
    std::ostringstream out, err;
    ASSERT_EQ(run_cli({"train", file("train.yaml"), "-o", file("trained"), "--threads", "1"}, out, err), 0) << err.str();
  }

  // Runs `ablate COMMAND CONFIG --checkpoint DIR/trained/checkpoint.safetensors -o DIR/OUT` and reads
  // DIR/OUT/COMMAND.json; {"rc", "err"} on failure. `err_text` receives stderr.
  json score(const std::string& command, const std::string& config, const std::string& out_dir,
             std::string* err_text = nullptr) {
    std::ostringstream out, err;
    const int rc = run_cli({command, file(config), "--checkpoint", file("trained/checkpoint.safetensors"), "-o",
                            file(out_dir), "--threads", "1"},
                           out, err);
    if (err_text) *err_text = err.str();
    if (rc != 0) return {{"rc", rc}, {"err", err.str()}};
    return json::parse(read_bytes(file(out_dir + "/" + command + ".json")));
  }
};

TEST_F(EvalExtendTest, EvalAtLengthLEqualsExtendAtLengthLUnderEveryWindowing) {
  train();
  for (const std::string windowing : {"disjoint", "hf_strided", "llamacpp", "lm_eval_rolling"}) {
    const std::string config = windowing + ".yaml";
    write_bytes(file(config), model_ + "data: {type: text, path: " + file("text.txt") + "}\n" +
                                  "eval: {context: 32, max_tokens: 300, windowing: " + windowing + "}\n" +
                                  "extend: {lengths: [16, 32, 64], max_tokens: 300, windowing: " + windowing +
                                  ", methods: [{type: none}]}\n");
    const json eval = score("eval", config, windowing);
    const json extend = score("extend", config, windowing);
    ASSERT_TRUE(eval.contains("metrics")) << eval.dump();
    ASSERT_TRUE(extend.contains("extend")) << extend.dump();
    const json& v = eval["metrics"]["validation"];
    const json& points = extend["extend"]["methods"][0]["points"];
    const json& at_32 = points[1];
    EXPECT_EQ(v["windowing"], windowing);
    EXPECT_EQ(at_32["windowing"], windowing);
    EXPECT_EQ(v["loss"].get<double>(), at_32["loss"].get<double>()) << windowing;  // bit for bit
    EXPECT_EQ(v["perplexity"].get<double>(), at_32["perplexity"].get<double>()) << windowing;
    EXPECT_EQ(v["tokens"], at_32["tokens"]) << windowing;
    EXPECT_EQ(v["text_tokens"], 301) << windowing;
    EXPECT_EQ(extend["extend"]["text_tokens"], 301) << windowing;
    for (const json& p : points) EXPECT_EQ(p["text_tokens"], 301) << windowing << " @ " << p["length"];
    // disjoint, hf_strided (stride < length) and lm_eval_rolling (its prefix: the first token, as
    // the byte tokenizer has no BOS or EOS) score every token of that text after the first at every length.
    if (windowing != "llamacpp") {
      for (const json& p : points) EXPECT_EQ(p["tokens"], 300) << windowing << " @ " << p["length"];
    }
    if (windowing == "lm_eval_rolling") {
      EXPECT_EQ(v["word_perplexity"].get<double>(), at_32["word_perplexity"].get<double>());
      EXPECT_EQ(v["bytes"], 301);  // byte tokens: the text is 301 bytes
      EXPECT_NEAR(v["bits_per_byte"].get<double>(),
                  v["loss"].get<double>() * v["tokens"].get<double>() / (301 * std::log(2.0)), 1e-12);
    }
  }
}

TEST_F(EvalExtendTest, AShortTextNeedsNoTrainingSplit) {
  train();
  write_bytes(file("short.txt"), "the cat sat on a mat");  // 20 tokens, fewer than train.context + 1 = 33
  write_bytes(file("short.yaml"), model_ + "data: {type: text, path: " + file("short.txt") +
                                      ", validation_path: " + file("short.txt") + "}\n" +
                                      "eval: {context: 16}\nextend: {lengths: [8, 16, 32], methods: [{type: none}]}\n");
  const json eval = score("eval", "short.yaml", "short");
  ASSERT_TRUE(eval.contains("metrics")) << eval.dump();
  EXPECT_EQ(eval["metrics"]["validation"]["tokens"], 19);
  const json extend = score("extend", "short.yaml", "short");
  ASSERT_TRUE(extend.contains("extend")) << extend.dump();
  const json& points = extend["extend"]["methods"][0]["points"];
  EXPECT_EQ(points[0]["tokens"], 19);
  EXPECT_EQ(points[1]["tokens"], 19);
  EXPECT_EQ(points[2]["applicable"], false);
  EXPECT_EQ(points[2]["reason"], "the text holds 20 tokens, fewer than one window");
  // A windowing that cannot score the text says so, naming the keys.
  write_bytes(file("short_llamacpp.yaml"), "base: short.yaml\neval: {windowing: llamacpp}\n");
  const json refused = score("eval", "short_llamacpp.yaml", "short_llamacpp");
  EXPECT_EQ(refused.value("rc", 0), 1);
  EXPECT_CONTAINS(refused.value("err", ""),
                  "eval.windowing llamacpp at eval.context 16 on the validation split: perplexity: llamacpp: the text "
                  "holds 20 tokens, fewer than 2 * window = 32");
  // Training still needs a whole training window.
  std::ostringstream out, err;
  EXPECT_EQ(run_cli({"train", file("short.yaml"), "-o", file("short_train"), "--threads", "1"}, out, err), 1);
  EXPECT_CONTAINS(err.str(), "shorter than one training window (train.context + 1 = 33)");
}

TEST(EvalWindowingKeys, BadValuesNameTheirKey) {
  const std::string head = "model: {d_model: 32, n_layers: 1, context: 32, attention: {n_heads: 2}}\n";
  const std::vector<std::pair<std::string, std::string>> rows = {
      {"eval: {windowing: sliding}",
       "eval.windowing: unknown windowing 'sliding' (known: disjoint, hf_strided, llamacpp, lm_eval_rolling)"},
      {"eval: {stride: 8}", "eval.stride: only used by windowing: hf_strided"},
      {"eval: {windowing: hf_strided, stride: 64, context: 32}", "eval.stride: 64 exceeds the window eval.context = 32"},
      {"extend: {lengths: [16], methods: [{type: none}], windowing: hf_strided, stride: 32}",
       "extend.stride: 32 exceeds the shortest length 16"},
  };
  for (const auto& [section, message] : rows)
    EXPECT_CONTAINS(testing::message_of([&] {
                      parse_experiment(load_config_tree_text(head + section + "\n", "x.yaml"), "x",
                                       experiment_inputs_from_files());
                    }),
                    message);
}

TEST_F(EvalExtendTest, ModelFromPrintsTheNotesConvertPrints) {
  // A yarn model whose factor (2) is not max_position_embeddings / original_max_position_embeddings (4).
  ModelConfig m = testing::tiny_config("llama");
  m.vocab_size = 256;
  m.context = 64;
  m.position.scaling.type = "yarn";
  m.position.scaling.factor = 2;
  m.position.scaling.original_context = 16;
  m.resolve();
  Model<float> model(m, 1);
  save_hf_checkpoint(file("hf"), model);
  write_bytes(file("text.txt"), generate_corpus(3, 3000));
  write_bytes(file("from.yaml"), "model: {from: " + file("hf") + "}\ndata: {type: text, path: " + file("text.txt") +
                                     "}\neval: {max_tokens: 100}\nextend: {lengths: [64], max_tokens: 100, methods: [{type: none}]}\n");
  std::ostringstream out, convert_err;
  ASSERT_EQ(run_cli({"convert", file("hf"), file("converted.safetensors")}, out, convert_err), 0) << convert_err.str();
  const std::string note = "note: yarn: factor 2 is used as given; some transformers versions derive it as "
                           "max_position_embeddings / original_max_position_embeddings = 4\n";
  EXPECT_CONTAINS(convert_err.str(), "ablate convert: " + note);
  for (const std::string command : {"eval", "extend"}) {
    std::ostringstream o, e;
    ASSERT_EQ(run_cli({command, file("from.yaml"), "-o", file("from_" + command), "--threads", "1"}, o, e), 0) << e.str();
    EXPECT_CONTAINS(e.str(), "ablate " + command + ": " + note);
  }
}

}  // namespace
}  // namespace ablate
