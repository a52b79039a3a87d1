// Bad input to `ablate run/train/eval`: each row gets its expected message and exit code, and
// the files of a finished run in the output folder stay byte for byte as they were.
#include <gtest/gtest.h>
#include <gmock/gmock.h>

#include <filesystem>
#include <functional>
#include <map>
#include <sstream>

#include "harness/cli.h"
#include "harness/token_shards.h"
#include "tests/test_support.h"

namespace ablate {
namespace {

using ::testing::HasSubstr;

const char* kGoodModel = "model: {d_model: 32, n_layers: 1, context: 32, attention: {n_heads: 2}}\n";
const char* kGoodData = "data: {type: synthetic, bytes: 20000}\n";
const char* kGoodTrain = "train: {steps: 4, batch_size: 2, warmup: 1, eval_every: 2, eval_tokens: 256, checkpoint_every: 2}\n";

struct BadInput {
  std::string what;
  std::string config;  // the YAML written to bad.yaml ("" = do not write it)
  std::vector<std::string> command;  // "CONFIG" and "DIR" are replaced by the paths
  int exit_code;
  std::string message;
};

class ExperimentErrorsTest : public testing::TempDirTest {};

TEST_F(ExperimentErrorsTest, EachBadInputGetsItsMessageAndLeavesPreviousResultsIntact) {
  // A finished run whose files must survive every failure below.
  const std::string good = file("good.yaml");
  testing::write_bytes(good, std::string("name: good\n") + kGoodModel + kGoodData + kGoodTrain);
  const std::string dir = file("prev");
  std::ostringstream out, err;
  ASSERT_EQ(run_cli({"run", good, "-o", dir}, out, err), 0) << err.str();

  // Data files the rows refer to.
  testing::write_bytes(file("empty.txt"), "");
  testing::write_bytes(file("short.txt"), std::string(30, 'a'));
  write_token_shard(file("big_ids.bin"), std::vector<int32_t>(100, 300));
  const std::string checkpoint = dir + "/checkpoint.safetensors";
  const std::string ckpt_bytes = testing::read_bytes(checkpoint);
  testing::write_bytes(file("truncated.safetensors"), ckpt_bytes.substr(0, ckpt_bytes.size() / 2));
  testing::write_bytes(file("garbage.safetensors"), "hello");

  const std::string M = kGoodModel, D = kGoodData, T = kGoodTrain;
  const std::vector<std::string> run = {"run", "CONFIG", "-o", "DIR", "--force"};
  const std::vector<BadInput> rows = {
      {"missing config file", "", {"run", file("nope.yaml"), "-o", "DIR"}, 1, "nope.yaml: cannot read"},
      {"YAML syntax error", "train: {steps: 4\nmodel: [", run, 1, "bad.yaml:2:"},
      {"unknown top-level key", M + D + T + "trian: {}\n", run, 1, "trian: unknown key (allowed: name, seed"},
      {"unknown key", M + D + "train: {learning_rate: 0.1}\n", run, 1,
       "train.learning_rate: unknown key (allowed: steps, batch_size"},
      {"wrong type", M + D + "train: {lr: fast}\n", run, 1, "train.lr: expected a number, found 'fast'"},
      {"negative learning rate", M + D + "train: {lr: -0.001}\n", run, 1, "train.lr: must be > 0, found -0.001"},
      {"warmup longer than training", M + D + "train: {steps: 10, warmup: 11}\n", run, 1,
       "train.warmup: must be in [0, train.steps=10], found 11"},
      {"model constraint", "model: {attention: {type: gqa, n_heads: 4, n_kv_heads: 3}}\n" + D + T, run, 1,
       "model.attention.n_kv_heads: 3 does not divide n_heads=4"},
      {"vocabulary smaller than the tokenizer", "model: {vocab_size: 100}\n" + D + T, run, 1,
       "model.vocab_size: 100 is smaller than the byte tokenizer's 256 ids"},
      {"context beyond a learned table", "model: {context: 32, position: {type: learned}}\n" + D +
       "train: {context: 64}\n", run, 1, "train.context: 64 exceeds model.context=32"},
      {"unknown data type", M + "data: {type: json}\n" + T, run, 1,
       "data.type: unknown type 'json' (known: synthetic, text, shards)"},
      {"text data without a path", M + "data: {type: text}\n" + T, run, 1, "data.path: required when data.type is text"},
      {"path given to the synthetic corpus", M + "data: {path: a.txt}\n" + T, run, 1,
       "data.path: not used by data.type synthetic"},
      {"unknown tokenizer", M + "data: {tokenizer: gpt5}\n" + T, run, 1, "data.tokenizer: unknown tokenizer type 'gpt5' (known: byte)"},
      {"missing base file", "base: parent.yaml\n" + M, run, 1, "parent.yaml: cannot read"},
      {"missing corpus file", M + "data: {type: text, path: " + file("missing.txt") + "}\n" + T, run, 1,
       "missing.txt: cannot open"},
      {"empty corpus", M + "data: {type: text, path: " + file("empty.txt") + "}\n" + T, run, 1,
       "empty.txt: empty corpus (0 bytes)"},
      {"corpus shorter than one context", M + "data: {type: text, path: " + file("short.txt") + "}\n" + T, run, 1,
       "the training split holds 27 tokens, shorter than one training window (train.context + 1 = 33)"},
      {"token ids beyond the vocabulary", M + "data: {type: shards, path: " + file("big_ids.bin") + "}\n" + T, run,
       1, "token 0 = 300 is outside model.vocab_size=256"},
      {"checkpoint whose shapes do not match the config",
       "name: good\nmodel: {d_model: 48, n_layers: 1, context: 32, attention: {n_heads: 2}}\n" + D + T,
       {"eval", "CONFIG", "-o", "DIR"}, 1,
       "checkpoint.safetensors: tensor 'model.embed_tokens.weight' has shape [256, 32], expected [256, 48]"},
      {"checkpoint of a model with fewer layers", "name: good\nmodel: {d_model: 32, n_layers: 2, context: 32, attention: {n_heads: 2}}\n" + D + T,
       {"eval", "CONFIG", "-o", "DIR"}, 1, "no tensor 'model.layers.1.input_layernorm.weight'"},
      {"truncated checkpoint", std::string("name: good\n") + M + D + T,
       {"eval", "CONFIG", "-o", "DIR", "--checkpoint", file("truncated.safetensors")}, 1, "truncated"},
      {"not a checkpoint", std::string("name: good\n") + M + D + T,
       {"eval", "CONFIG", "-o", "DIR", "--checkpoint", file("garbage.safetensors")}, 1,
       "garbage.safetensors: file is 5 bytes, too short"},
      {"missing checkpoint", std::string("name: good\n") + M + D + T,
       {"eval", "CONFIG", "-o", "DIR", "--checkpoint", file("none.safetensors")}, 1, "none.safetensors: cannot open"},
      {"no config given", "", {"run"}, 2, "missing CONFIG.yaml"},
      {"unknown option", M, {"run", "CONFIG", "--fast"}, 2, "unknown option '--fast'"},
      {"bad thread count", M, {"run", "CONFIG", "--threads", "two"}, 2, "--threads: expected a count >= 0, found 'two'"},
  };

  auto snapshot = [&] {
    std::map<std::string, std::string> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir))
      files[entry.path().filename().string()] = testing::read_bytes(entry.path().string());
    return files;
  };
  const auto before = snapshot();
  ASSERT_EQ(before.size(), 2u);  // result.json, checkpoint.safetensors
  for (const BadInput& row : rows) {
    const std::string config = file("bad.yaml");
    std::filesystem::remove(config);
    if (!row.config.empty()) testing::write_bytes(config, row.config);
    std::vector<std::string> args = row.command;
    for (auto& a : args) {
      if (a == "CONFIG") a = config;
      if (a == "DIR") a = dir;
    }
    std::ostringstream o, e;
    EXPECT_EQ(run_cli(args, o, e), row.exit_code) << row.what << "\n" << e.str();
    EXPECT_THAT(e.str(), HasSubstr(row.message)) << row.what;
    EXPECT_EQ(snapshot(), before) << row.what << ": the previous run's files changed";
  }
}

}  // namespace
}  // namespace ablate
