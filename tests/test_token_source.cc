// Token sources: a vector (borrowed or owned) and a memory-mapped shard give the same tokens,
// views and errors; the batch loader and validation loss give the same batches and losses over
// a mapped shard as over the tokens in a vector (seeds, seek, split views); training from a
// `data.type: shards` config equals training on the same tokens in memory; out-of-vocabulary ids
// in a mapped shard name the file; and a 64M-token shard loads under an RLIMIT_DATA far below the
// size of a copy of it (a heap copy counts against the limit, a read-only file map does not).
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <map>
#include <new>
#include <string>
#include <vector>

#include "components/model/model.h"
#include "harness/checkpoints/experiment_inputs.h"
#include "harness/config/config_tree.h"
#include "harness/config/experiment_config.h"
#include "harness/data/batch_loader.h"
#include "harness/data/token_shards.h"
#include "harness/data/token_source.h"
#include "harness/data/training_data.h"
#include "harness/eval/validation_loss.h"
#include "harness/train/trainer.h"
#include "tests/test_support.h"

namespace ablate {
namespace {

template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const DataError& e) {
    return e.what();
  }
  return "";
}

std::vector<int32_t> random_tokens(size_t n, uint64_t seed, int32_t vocab = 65536) {
  Rng rng(seed);
  std::vector<int32_t> v(n);
  for (auto& t : v) t = static_cast<int32_t>(rng.below(static_cast<uint64_t>(vocab)));
  return v;
}

class TokenSourceTest : public testing::TempDirTest {
 protected:
  // A shard of `tokens` in the temp dir, mapped.
  TokenSource mapped(const std::vector<int32_t>& tokens, const std::string& name = "tokens.bin") {
    write_token_shard(file(name), tokens);
    return TokenSource(MappedTokenShard(file(name)));
  }
};

TEST_F(TokenSourceTest, VectorAndShardViewsHoldTheSameTokens) {
  std::vector<int32_t> tokens = random_tokens(10'000, 1);
  tokens[0] = 65535;
  const TokenSource shard = mapped(tokens);
  const TokenSource borrowed = tokens;
  const TokenSource owned = std::vector<int32_t>(tokens);
  EXPECT_TRUE(shard.mapped());
  EXPECT_FALSE(borrowed.mapped());
  EXPECT_FALSE(owned.mapped());
  for (const TokenSource* s : {&shard, &borrowed, &owned}) {
    ASSERT_EQ(s->size(), 10'000);
    EXPECT_EQ(s->to_vector(), tokens);
    EXPECT_EQ((*s)[0], 65535);
    std::vector<int32_t> window(7);
    s->copy(100, 107, window.data());
    EXPECT_EQ(window, std::vector<int32_t>(tokens.begin() + 100, tokens.begin() + 107));
    // A view of a view: indices are relative, the storage is shared.
    const TokenSource tail = s->range(9'000, 10'000).range(10, 20);
    EXPECT_EQ(tail.size(), 10);
    EXPECT_EQ(tail.to_vector(), std::vector<int32_t>(tokens.begin() + 9'010, tokens.begin() + 9'020));
    EXPECT_EQ(s->range(5, 5).size(), 0);
  }
  EXPECT_EQ(shard.range(9'000, 10'000).description(), file("tokens.bin") + " tokens [9000, 10000)");
  EXPECT_EQ(borrowed.range(0, 10).description(), "10 tokens in memory");
  // An owned vector and a map live as long as any view of them.
  TokenSource view, owned_view;
  {
    const TokenSource whole = mapped({4, 5, 6, 7}, "short.bin");
    view = whole.range(1, 3);
    owned_view = TokenSource(std::vector<int32_t>{4, 5, 6, 7}).range(2, 4);
  }
  EXPECT_EQ(view.to_vector(), (std::vector<int32_t>{5, 6}));
  EXPECT_EQ(owned_view.to_vector(), (std::vector<int32_t>{6, 7}));
}

TEST_F(TokenSourceTest, RangesOutsideTheViewAreDataErrors) {
  const TokenSource shard = mapped(random_tokens(100, 2)).range(10, 60);
  const std::string where = file("tokens.bin") + " tokens [10, 60): ";
  EXPECT_EQ(error_of([&] { shard.range(40, 51); }), where + "token range [40, 51) is outside the view's 50 tokens");
  EXPECT_EQ(error_of([&] { shard.slice(-1, 3); }), where + "token range [-1, 3) is outside the view's 50 tokens");
  int32_t out[4];
  EXPECT_EQ(error_of([&] { shard.copy(3, 2, out); }), where + "token range [3, 2) is outside the view's 50 tokens");
  const std::vector<int32_t> tokens = {1, 2, 3};
  EXPECT_EQ(error_of([&] { TokenSource(tokens).copy(0, 4, out); }),
            "3 tokens in memory: token range [0, 4) is outside the view's 3 tokens");
}

TEST_F(TokenSourceTest, FindOutsideFindsTheFirstOffender) {
  std::vector<int32_t> tokens = random_tokens(100'000, 3, 1000);
  EXPECT_EQ(TokenSource(tokens).find_outside(1000), -1);
  EXPECT_EQ(mapped(tokens).find_outside(1000), -1);
  tokens[70'001] = 1000;
  tokens[90'000] = 5000;
  const TokenSource shard = mapped(tokens);
  for (const TokenSource& s : {TokenSource(tokens), shard}) {
    EXPECT_EQ(s.find_outside(1000), 70'001);
    EXPECT_EQ(s.find_outside(1001), 90'000);
    EXPECT_EQ(s.find_outside(65536), -1);
    EXPECT_EQ(s.range(70'002, 100'000).find_outside(1001), 90'000 - 70'002);
  }
  tokens[5] = -1;
  EXPECT_EQ(TokenSource(tokens).find_outside(65536), 5);
}

TEST_F(TokenSourceTest, LoaderOverAMappedShardDrawsTheVectorsBatches) {
  const std::vector<int32_t> tokens = random_tokens(20'000, 4, 50257);
  const TokenSource shard = mapped(tokens);
  for (uint64_t seed : {0ull, 1ull, 99ull, 0xDEADBEEFull}) {
    BatchLoader from_vector(&tokens, 4, 64, seed), from_shard(shard, 4, 64, seed);
    const std::vector<testing::Batch> expected = testing::draw_batches(from_vector, 25);
    EXPECT_EQ(testing::draw_batches(from_shard, 25), expected) << "seed " << seed;
    for (int64_t k : {0, 3, 24}) {  // exact resume from a shard too
      BatchLoader resumed(shard, 4, 64, seed);
      resumed.seek(k);
      EXPECT_EQ(testing::draw_batches(resumed, 1)[0], expected[static_cast<size_t>(k)]) << "seed " << seed << " seek " << k;
    }
  }
  // Views split as split_tokens splits, and a loader over the train view draws what one over the
  // copied train vector draws.
  const TokenSplit split = split_tokens(tokens, 0.15);
  const int64_t n_train = split_point(shard.size(), 0.15);
  ASSERT_EQ(n_train, static_cast<int64_t>(split.train.size()));
  EXPECT_EQ(shard.range(n_train, shard.size()).to_vector(), split.validation);
  BatchLoader a(&split.train, 3, 100, 7), b(shard.range(0, n_train), 3, 100, 7);
  EXPECT_EQ(testing::draw_batches(a, 40), testing::draw_batches(b, 40));
  // The same messages as over a vector.
  EXPECT_EQ(error_of([&] { BatchLoader loader(shard.range(0, 16), 2, 16, 0); }),
            "corpus of 16 tokens is shorter than one context of T+1 = 17 tokens");
  EXPECT_EQ(error_of([&] { BatchLoader loader(shard, 0, 8, 0); }), "BatchLoader: batch size B must be >= 1, found 0");
}

TEST_F(TokenSourceTest, ValidationLossOverAMappedShardEqualsTheVectors) {
  const ModelConfig config = testing::tiny_config("llama");
  Model<float> model(config, 5);
  const std::vector<int32_t> tokens = random_tokens(1'001, 6, static_cast<int32_t>(config.vocab_size));
  const TokenSource shard = mapped(tokens);
  for (int64_t max_tokens : {0, 100}) {
    const LossEstimate a = validation_loss(model, tokens, 16, 4, max_tokens);
    const LossEstimate b = validation_loss(model, shard, 16, 4, max_tokens);
    EXPECT_EQ(a.loss, b.loss);
    EXPECT_EQ(a.tokens, b.tokens);
    EXPECT_EQ(a.windows, b.windows);
  }
}

// The tiny experiment of test_training.cc with its `data:` section replaced.
ExperimentConfig tiny_experiment(const std::string& data) {
  const std::string text =
      "name: tiny\nseed: 3\nthreads: 2\n"
      "model: {d_model: 32, n_layers: 1, context: 32, attention: {type: gqa, n_heads: 4, n_kv_heads: 2}}\n"
      "data: " + data + "\n"
      "train: {steps: 3, batch_size: 4, lr: 3e-3, warmup: 1, eval_every: 2, eval_tokens: 512, checkpoint_every: 0}\n";
  return parse_experiment(load_config_tree_text(text, "tiny.yaml"), "tiny", experiment_inputs_from_files());
}

TEST_F(TokenSourceTest, TrainingFromAShardEqualsTrainingOnTheSameTokensInMemory) {
  const ExperimentConfig synthetic = tiny_experiment("{type: synthetic, bytes: 40000, seed: 5, validation_fraction: 0.2}");
  const TrainingData in_memory = load_training_data(synthetic);
  std::vector<int32_t> all = in_memory.train.to_vector();
  const std::vector<int32_t> validation = in_memory.validation.to_vector();
  all.insert(all.end(), validation.begin(), validation.end());
  write_token_shard(file("corpus.bin"), all);
  const ExperimentConfig sharded =
      tiny_experiment("{type: shards, path: " + file("corpus.bin") + ", validation_fraction: 0.2}");
  const TrainingData from_shard = load_training_data(sharded);
  ASSERT_TRUE(from_shard.train.mapped());
  ASSERT_TRUE(from_shard.validation.mapped());
  EXPECT_EQ(from_shard.train.size(), in_memory.train.size());
  EXPECT_EQ(from_shard.validation.to_vector(), validation);

  auto train = [&](const ExperimentConfig& c, const TrainingData& data, const std::string& name) {
    Model<float> model(c.model, static_cast<uint64_t>(c.seed));
    TrainOptions options;
    options.checkpoint_path = file(name + ".safetensors");
    const nlohmann::json h = train_model(c, data, model, options).history;
    std::vector<double> curve;
    for (const auto& p : h["loss_curve"]) curve.push_back(p["loss"].get<double>());
    for (const auto& p : h["validation_curve"]) curve.push_back(p["loss"].get<double>());
    return curve;
  };
  const std::vector<double> expected = train(synthetic, in_memory, "memory");
  ASSERT_EQ(expected.size(), 5u);  // 3 steps, validation at steps 2 and 3
  EXPECT_EQ(train(sharded, from_shard, "shard"), expected);  // bit for bit
}

TEST_F(TokenSourceTest, TokensOutsideTheVocabularyInAMappedShardNameTheFile) {
  std::vector<int32_t> tokens = random_tokens(2'000, 8, 256);
  write_token_shard(file("train.bin"), tokens);
  tokens[1'500] = 300;
  write_token_shard(file("bad.bin"), tokens);
  EXPECT_EQ(error_of([&] { load_training_data(tiny_experiment("{type: shards, path: " + file("bad.bin") + "}")); }),
            "data.path " + file("bad.bin") + ": token 1500 = 300 is outside model.vocab_size=256");
  EXPECT_EQ(error_of([&] {
              load_training_data(tiny_experiment("{type: shards, path: " + file("train.bin") +
                                                 ", validation_path: " + file("bad.bin") + "}"));
            }),
            "data.validation_path " + file("bad.bin") + ": token 1500 = 300 is outside model.vocab_size=256");
  // A separate validation shard is mapped too.
  const TrainingData data = load_training_data(tiny_experiment(
      "{type: shards, path: " + file("train.bin") + ", validation_path: " + file("train.bin") + "}"));
  EXPECT_TRUE(data.validation.mapped());
  EXPECT_EQ(data.validation.size(), 2'000);
}

// VmData of this process (private writable memory: heap and anonymous maps), bytes; 0 if unknown.
int64_t data_bytes() {
  std::ifstream status("/proc/self/status");
  std::string key;
  while (status >> key) {
    if (key == "VmData:") {
      int64_t kb = 0;
      status >> kb;
      return kb * 1024;
    }
    std::getline(status, key);
  }
  return 0;
}

TEST_F(TokenSourceTest, A64MTokenShardTrainsWithoutACopyUnderALowDataLimit) {
  ABLATE_SKIP_UNDER_ASAN();
  // A sparse 128 MB shard (64M tokens, zero but for a few marked ones): instant to make, and its
  // int32 copy would need 256 MB of heap.
  constexpr int64_t n = int64_t{64} << 20;
  const std::string path = file("big.bin");
  {
    write_token_shard(path, {});  // the header, then grow the file and fix the count
    const int fd = ::open(path.c_str(), O_WRONLY);
    ASSERT_GE(fd, 0);
    const int32_t count = static_cast<int32_t>(n);
    ASSERT_EQ(::pwrite(fd, &count, 4, 8), 4);  // little-endian host (llm.c shards assume one too)
    ASSERT_EQ(::ftruncate(fd, kTokenShardHeaderBytes + 2 * n), 0);
    const std::map<int64_t, uint16_t> marks = {{12'345, 7}, {n / 2, 200}, {n - 3, 255}};
    for (const auto& [at, token] : marks)
      ASSERT_EQ(::pwrite(fd, &token, 2, static_cast<off_t>(kTokenShardHeaderBytes + 2 * at)), 2);
    ASSERT_EQ(::close(fd), 0);
  }
  const ExperimentConfig config = tiny_experiment("{type: shards, path: " + path + ", validation_fraction: 0.25}");

  // In a child: limit the data segment to what it uses now + 64 MB, check that the limit stops a
  // copy of the shard (else the kernel does not enforce RLIMIT_DATA on maps and the test says
  // nothing), then load, check the split views and draw batches.
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    int code = 0;
    try {
      const int64_t base = data_bytes();
      if (base <= 0) _exit(2);
      const rlim_t limit = static_cast<rlim_t>(base + (int64_t{64} << 20));
      struct rlimit rl = {limit, limit};
      if (setrlimit(RLIMIT_DATA, &rl) != 0) _exit(3);
      try {
        read_token_shard(path);
        _exit(10);  // the copy fitted: the limit does not bite
      } catch (const std::bad_alloc&) {
      }
      const TrainingData data = load_training_data(config);
      const int64_t n_train = n - n / 4;
      if (!data.train.mapped() || data.train.size() != n_train || data.validation.size() != n / 4) _exit(20);
      if (data.train.slice(12'344, 12'347) != std::vector<int32_t>{0, 7, 0}) code = 21;
      if (data.train[n / 2] != 200 || data.validation[n / 4 - 3] != 255) code = 22;
      BatchLoader loader(data.train, 8, 1024, batch_seed(config.seed));
      std::vector<int32_t> x, y;
      for (int i = 0; i < 10; ++i) loader.next(x, y);
      if (x.size() != 8 * 1024u) code = 23;
    } catch (const std::exception&) {
      code = 30;  // bad_alloc from a copy, or a DataError
    }
    _exit(code);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status)) << "child ended by signal " << WTERMSIG(status);
  if (WEXITSTATUS(status) == 10 || WEXITSTATUS(status) == 2)
    GTEST_SKIP() << "RLIMIT_DATA does not limit heap maps here (code " << WEXITSTATUS(status) << ")";
  EXPECT_EQ(WEXITSTATUS(status), 0) << "3: setrlimit failed; 20: not a mapped split of the right size; "
                                       "21, 22: wrong tokens; 23: wrong batch; 30: the load threw (a copy?)";
}

}  // namespace
}  // namespace ablate
