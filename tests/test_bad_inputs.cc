// The bad-input table: each row is a bad config, data file, checkpoint, task file, results folder
// or command line given to the real CLI; it must get its exit code and its message, and the files
// of a finished run in the output folder stay byte for byte as they were. README.md's
// "Troubleshooting" section lists the same rows (checked below), so users can look a message up.
#include <gtest/gtest.h>
#include <gmock/gmock.h>

#include <filesystem>
#include <functional>
#include <map>
#include <sstream>

#include "experiments/cli.h"
#include "components/model/registry.h"
#include "harness/data/token_shards.h"
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

class BadInputsTest : public testing::TempDirTest {
 protected:
  // Writes the files the rows refer to (next to the finished run in DIR) and returns the rows.
  std::vector<BadInput> rows(const std::string& dir);
};

std::vector<BadInput> BadInputsTest::rows(const std::string& dir) {
  // Data files the rows refer to.
  testing::write_bytes(file("empty.txt"), "");
  testing::write_bytes(file("short.txt"), std::string(30, 'a'));
  // A sparse 1 TiB text: refused from its size, before a byte is read.
  testing::write_bytes(file("huge.txt"), "");
  std::filesystem::resize_file(file("huge.txt"), uintmax_t{1} << 40);
  write_token_shard(file("big_ids.bin"), std::vector<int32_t>(100, 300));
  const std::string checkpoint = dir + "/checkpoint.safetensors";
  const std::string ckpt_bytes = testing::read_bytes(checkpoint);
  testing::write_bytes(file("truncated.safetensors"), ckpt_bytes.substr(0, ckpt_bytes.size() / 2));
  testing::write_bytes(file("garbage.safetensors"), "hello");
  testing::write_bytes(file("random.bin"), std::string(2000, '\x5a'));
  testing::write_bytes(file("text.txt"), "hello world, a text to tokenize\n");
  testing::write_bytes(file("zeros.bin"), std::string(28, '\0'));
  testing::write_bytes(file("label.jsonl"), "{\"context\": \"a\", \"choices\": [\"x\", \"y\"], \"label\": 5}\n");
  testing::write_bytes(file("broken.jsonl"), "{\"context\": \"a\", \"choices\": [\"x\", \"y\"], \"label\": 0}\n{\"context\":\n");
  testing::write_bytes(file("hellaswag.jsonl"), "{\"ctx_a\": \"a\", \"endings\": [\"x\", \"y\"], \"label\": 0}\n");
  std::filesystem::create_directories(file("empty_results"));
  std::filesystem::create_directories(file("falcon"));
  testing::write_bytes(file("falcon/config.json"), "{\"architectures\": [\"FalconForCausalLM\"]}\n");

  const std::string M = kGoodModel, D = kGoodData, T = kGoodTrain;
  const std::vector<std::string> run = {"run", "CONFIG", "-o", "DIR", "--force"};
  const std::vector<BadInput> rows = {
      {"missing config file", "", {"run", file("nope.yaml"), "-o", "DIR"}, 1, "nope.yaml: cannot read"},
      {"YAML syntax error", "train: {steps: 4\nmodel: [", run, 1, "bad.yaml:2:"},
      {"unknown top-level key", M + D + T + "trian: {}\n", run, 1, "trian: unknown key (allowed: name, seed"},
      {"unknown key", M + D + "train: {learning_rate: 0.1}\n", run, 1,
       "train.learning_rate: unknown key (allowed: steps, batch_size"},
      {"wrong type", M + D + "train: {lr: fast}\n", run, 1, "train.lr: expected a number, found 'fast'"},
      {"unknown precision", M + D + T + "precision: fp16\n", run, 1,
       "precision: unknown precision 'fp16' (known: fp32, bf16)"},
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
      {"data path that is a device", M + "data: {type: text, path: /dev/zero}\n" + T, run, 1,
       "/dev/zero: is a character device, not a regular file"},
      {"corpus larger than memory", M + "data: {type: text, path: " + file("huge.txt") + "}\n" + T, run, 1,
       "huge.txt: is 1.0 TiB; reading it needs about 5.0 TiB, more than this machine's"},
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
      {"unknown command", "", {"frobnicate"}, 2, "unknown command 'frobnicate'"},
      // More config errors.
      {"duplicate key", M + "data: {type: synthetic}\ndata: {bytes: 100}\n" + T, run, 1, "data: duplicate key"},
      {"negative seed", M + D + T + "seed: -1\n", run, 1, "seed: must be >= 0, found -1"},
      {"unknown variant", "model: {norm: {type: batchnorm}}\n" + D + T, run, 1,
       "model.norm.type: unknown 'batchnorm' (known: " + joined_variant_names("norm") + ")"},
      {"heads do not divide the width", "model: {d_model: 30, attention: {n_heads: 4}}\n" + D + T, run, 1,
       "model.attention.n_heads: 4 does not divide d_model=30"},
      {"scaling factor below 1", "model: {position: {type: rope, scaling: {type: yarn, factor: 0.5}}}\n" + D + T, run,
       1, "model.position.scaling.factor: must be >= 1 (a scaling factor < 1 is an error), found 0.5"},
      {"validation fraction out of range", M + "data: {type: synthetic, bytes: 20000, validation_fraction: 1.5}\n" + T,
       run, 1, "data.validation_fraction: must be in (0, 1), found 1.5"},
      // Data and tokenizer files.
      {"not a token shard", M + "data: {type: shards, path: " + file("random.bin") + "}\n" + T, run, 1,
       "bad magic number"},
      {"missing GPT-2 tokenizer folder", M + "data: {type: text, path: " + file("text.txt") + ", tokenizer: 'gpt2:" +
       file("no_tokenizer") + "'}\n" + T, run, 1, "no_tokenizer: no such file or directory"},
      {"not a llama2.c tokenizer", M + "data: {type: text, path: " + file("text.txt") + ", tokenizer: 'llama2c:" +
       file("zeros.bin") + "'}\n" + T, run, 1, "zeros.bin: not a llama2.c tokenizer"},
      // Models built on a checkpoint (model.from).
      {"model.from a missing checkpoint", "model: {from: nowhere.bin}\n" + D + T, run, 1,
       "model.from: nowhere.bin: no such file or directory"},
      {"model.from with overrides that change shapes", "model: {from: " + dir + "/checkpoint.safetensors, d_model: 48}\n" + D,
       {"eval", "CONFIG", "-o", file("other")}, 1,
       "checkpoint.safetensors: tensor 'model.embed_tokens.weight' has shape [256, 32], expected [256, 48]"},
      // The output folder.
      {"finished run of a different config",
       "name: good\n" + M + D + "train: {steps: 5, batch_size: 2, warmup: 1, eval_every: 2, eval_tokens: 256, checkpoint_every: 2}\n",
       {"run", "CONFIG", "-o", "DIR"}, 1, "holds a finished run of a different config:\n  train.steps: result 4, config 5"},
      {"output folder inside a file", std::string("name: good\n") + M + D + T, {"run", "CONFIG", "-o", file("text.txt") + "/out"},
       1, "text.txt/out: cannot create the output folder: Not a directory"},
      // Sweeps.
      {"unknown key in a sweep variant", M + D + T + "sweep: {variants: {a: {model.norm.typo: x}}}\n", run, 1,
       "bad.yaml: model.norm.typo: unknown key (allowed: type, eps)"},
      {"empty sweep grid", M + D + T + "sweep: {grid: {seed: []}}\n", run, 1,
       "sweep.grid.seed: expected a non-empty list of values, found an empty sequence"},
      {"zip lists of different lengths", M + D + T + "sweep: {zip: {seed: [1, 2], model.norm.type: [rmsnorm]}}\n", run,
       1, "sweep.zip.model.norm.type: has 1 values, sweep.zip.seed has 2 (zip lists must have equal lengths)"},
      // Context extension.
      {"unknown scaling method", M + D + "extend: {lengths: [32, 64], methods: [{type: warp}]}\n",
       {"extend", "CONFIG", "-o", "DIR"}, 1, "extend.methods[0].type: unknown 'warp' (known: " + joined_variant_names("position.scaling") + ")"},
      {"no extension lengths", M + D + "extend: {lengths: [], methods: [{type: none}]}\n",
       {"extend", "CONFIG", "-o", "DIR"}, 1, "extend.lengths: expected a non-empty list of context lengths, found an empty sequence"},
      // Multiple-choice task files.
      {"missing task file", M + D + "choice: {task: " + file("missing.jsonl") + ", format: generic}\n",
       {"choice", "CONFIG", "-o", "DIR"}, 1, "missing.jsonl: cannot open: No such file or directory"},
      {"label out of range", M + D + "choice: {task: " + file("label.jsonl") + ", format: generic}\n",
       {"choice", "CONFIG", "-o", "DIR"}, 1, "label.jsonl:1: label 5 is out of range for 2 choices"},
      {"broken JSONL line", M + D + "choice: {task: " + file("broken.jsonl") + ", format: generic}\n",
       {"choice", "CONFIG", "-o", "DIR"}, 1, "broken.jsonl:2: not valid JSON"},
      {"HellaSwag line without ctx_b", M + D + "choice: {task: " + file("hellaswag.jsonl") + ", format: hellaswag}\n",
       {"choice", "CONFIG", "-o", "DIR"}, 1, "hellaswag.jsonl:1: missing field 'ctx_b'"},
      {"unknown task format", M + D + "choice: {task: " + file("label.jsonl") + ", format: mmlu}\n",
       {"choice", "CONFIG", "-o", "DIR"}, 1,
       "choice.format: unknown format 'mmlu' (known: synthetic, generic, hellaswag, hellaswag_llamacpp, arc, piqa, winogrande)"},
      {"built-in task with a file format", M + D + "choice: {task: animal_calls, format: generic}\n",
       {"choice", "CONFIG", "-o", "DIR"}, 1, "choice.format: task animal_calls takes format synthetic, found 'generic'"},
      {"recall limit on the animal-calls task", M + D + "choice: {task: animal_calls, max_sentences: 2}\n",
       {"choice", "CONFIG", "-o", "DIR"}, 1, "choice.max_sentences: only used by task: synthetic"},
      // Benchmarks.
      {"bench models not a mapping", M + "bench: {models: []}\n", {"bench", "CONFIG", "-o", "DIR"}, 1,
       "bench.models: expected a non-empty mapping of named models"},
      // Reports.
      {"report of a missing folder", "", {"report", file("no_results")}, 1,
       "no_results: not a directory (expected a results folder)"},
      {"report of a folder without results", "", {"report", file("empty_results")}, 1,
       "empty_results: no Ablate results found (no *.json file with \"format\": \"ablate-result/1\")"},
      // Foreign checkpoints.
      {"convert a missing file", "", {"convert", file("none.bin"), file("out.safetensors")}, 1,
       "none.bin: no such file or directory"},
      {"unsupported Hugging Face architecture", "", {"convert", file("falcon"), file("out.safetensors")}, 1,
       "falcon/config.json: architecture 'FalconForCausalLM' is not supported (supported: LlamaForCausalLM, "
       "MistralForCausalLM, Qwen2ForCausalLM, GPT2LMHeadModel)"},
      {"not a llama2.c checkpoint", "", {"convert", file("zeros.bin"), file("out.safetensors")}, 1,
       "zeros.bin: not a llama2.c checkpoint: header field dim = 0 (expected 1 .. 16777216)"},
      {"convert over an existing file", "", {"convert", file("zeros.bin"), file("text.txt")}, 1,
       "text.txt: exists (use --force to replace it)"},
  };
  return rows;
}

// Runs every row against a finished run in DIR; each must fail with its message and leave the run's
// files byte for byte as they were.
TEST_F(BadInputsTest, EachBadInputGetsItsMessageAndLeavesPreviousResultsIntact) {
  // A finished run whose files must survive every failure below.
  const std::string good = file("good.yaml");
  testing::write_bytes(good, std::string("name: good\n") + kGoodModel + kGoodData + kGoodTrain);
  const std::string dir = file("prev");
  std::ostringstream out, err;
  ASSERT_EQ(run_cli({"run", good, "-o", dir}, out, err), 0) << err.str();
  const std::vector<BadInput> table = rows(dir);
  EXPECT_GE(table.size(), 30u);

  auto snapshot = [&] {
    std::map<std::string, std::string> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir))
      if (entry.path().filename() != ".lock")  // the folder's lock (harness/common/folder_lock.h)
        files[entry.path().filename().string()] = testing::read_bytes(entry.path().string());
    return files;
  };
  const auto before = snapshot();
  ASSERT_EQ(before.size(), 2u);  // result.json, checkpoint.safetensors
  for (const BadInput& row : table) {
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

// README.md's troubleshooting table must hold every row: its description and its message.
TEST_F(BadInputsTest, ReadmeTroubleshootingListsEveryRow) {
  const std::string readme = testing::read_bytes(std::string(ABLATE_SOURCE_DIR) + "/README.md");
  const size_t begin = readme.find("## Troubleshooting");
  ASSERT_NE(begin, std::string::npos) << "README.md has no Troubleshooting section";
  const size_t end = readme.find("\n## ", begin + 1);
  const std::string section = readme.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
  for (const BadInput& row : rows(file("prev"))) {
    // Lists of registered names ("(known: ...)") come from the registry; the README states the rest.
    std::string first_line = row.message.substr(0, row.message.find('\n'));
    if (first_line.find("unknown '") != std::string::npos) first_line = first_line.substr(0, first_line.find(" (known: "));
    EXPECT_NE(section.find("| " + row.what + " |"), std::string::npos) << row.what;
    EXPECT_NE(section.find(first_line), std::string::npos) << row.what << ": " << first_line;
  }
}

}  // namespace
}  // namespace ablate
