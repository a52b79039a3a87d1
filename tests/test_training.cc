// End-to-end training: determinism, exact resume after SIGKILL, gradient accumulation, the
// non-finite guard, and that `run` trains, checkpoints, evaluates and writes a falling loss curve.
#include <gtest/gtest.h>
#include <gmock/gmock.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <map>
#include <sstream>
#include <thread>

#include "experiments/cli.h"
#include "harness/checkpoints/checkpoint.h"
#include "harness/checkpoints/experiment_inputs.h"
#include "harness/config/experiment_config.h"
#include "harness/train/trainer.h"
#include "tests/test_support.h"

namespace ablate {
namespace {

using ::testing::HasSubstr;
using nlohmann::json;

// A small experiment on the built-in corpus: one layer, d=32, context 32, a checkpoint and a
// validation loss every 10 steps. `train` overrides or adds keys of the train section.
std::string tiny_experiment(int64_t steps, std::map<std::string, std::string> train = {}) {
  std::map<std::string, std::string> keys = {{"steps", std::to_string(steps)}, {"batch_size", "4"},
                                             {"lr", "3e-3"}, {"warmup", "5"}, {"eval_every", "10"},
                                             {"eval_tokens", "1024"}, {"checkpoint_every", "10"}};
  for (const auto& [k, v] : train) keys[k] = v;
  std::string train_yaml;
  for (const auto& [k, v] : keys) train_yaml += (train_yaml.empty() ? "" : ", ") + k + ": " + v;
  return "name: tiny\n"
         "seed: 3\n"
         "threads: 2\n"
         "model: {d_model: 32, n_layers: 1, context: 32, attention: {type: gqa, n_heads: 4, n_kv_heads: 2}}\n"
         "data: {type: synthetic, bytes: 40000, seed: 5}\n"
         "train: {" + train_yaml + "}\n";
}

class TrainingTest : public testing::TempDirTest {
 protected:
  std::string write_config(const std::string& name, const std::string& text) {
    const std::string path = file(name);
    testing::write_bytes(path, text);
    return path;
  }
  // ablate ARGS in this process; returns the exit code, keeps the streams.
  int cli(const std::vector<std::string>& args) {
    out_.str("");
    err_.str("");
    return run_cli(args, out_, err_);
  }
  json read_json(const std::string& path) { return json::parse(testing::read_bytes(path)); }
  std::ostringstream out_, err_;
};

// Every field of a loss curve that does not depend on timing.
std::vector<double> curve_values(const json& result) {
  std::vector<double> v;
  for (const auto& p : result["loss_curve"]) {
    v.push_back(p["loss"].get<double>());
    v.push_back(p["lr"].get<double>());
    v.push_back(p["grad_norm"].get<double>());
  }
  for (const auto& p : result["validation_curve"]) v.push_back(p["loss"].get<double>());
  return v;
}

TEST_F(TrainingTest, RunTrainsCheckpointsEvaluatesAndWritesAFallingLossCurve) {
  const std::string config = write_config("tiny.yaml", tiny_experiment(60));
  ASSERT_EQ(cli({"run", config, "-o", file("out")}), 0) << err_.str();
  EXPECT_THAT(out_.str(), HasSubstr("validation loss"));
  EXPECT_THAT(err_.str(), HasSubstr("step 60/60"));
  const json r = read_json(file("out/result.json"));
  EXPECT_EQ(r["format"], "ablate-result/1");
  EXPECT_EQ(r["kind"], "run");
  EXPECT_EQ(r["config"]["train"]["steps"], 60);
  EXPECT_EQ(r["config"]["model"]["attention"]["n_kv_heads"], 2);
  EXPECT_EQ(r["config"]["train"]["context"], 32);  // resolved from model.context
  for (const char* key : {"git", "machine", "libraries", "started_at", "finished_at"})
    EXPECT_TRUE(r.contains(key)) << key;
  ASSERT_EQ(r["loss_curve"].size(), 60u);
  ASSERT_EQ(r["validation_curve"].size(), 6u);
  const double first = r["loss_curve"][0]["loss"], last = r["loss_curve"][59]["loss"];
  EXPECT_NEAR(first, std::log(256.0), 0.3);  // untrained: about uniform over bytes
  EXPECT_LT(last, first - 1.5);
  EXPECT_LT(r["validation_curve"][5]["loss"].get<double>(), r["validation_curve"][0]["loss"].get<double>());
  const json& m = r["metrics"];
  EXPECT_GT(m["validation"]["tokens"].get<int64_t>(), 3000);
  EXPECT_NEAR(m["validation"]["perplexity"].get<double>(), std::exp(m["validation"]["loss"].get<double>()), 1e-9);

  // eval of the saved checkpoint reproduces the run's final validation loss exactly.
  ASSERT_EQ(cli({"eval", config, "-o", file("out")}), 0) << err_.str();
  const json e = read_json(file("out/eval.json"));
  EXPECT_EQ(e["checkpoint_step"], 60);
  EXPECT_EQ(e["metrics"]["validation"]["loss"].get<double>(), m["validation"]["loss"].get<double>());
}

TEST_F(TrainingTest, SameSeedAndThreadsGiveIdenticalRuns) {
  const std::string config = write_config("tiny.yaml", tiny_experiment(20));
  ASSERT_EQ(cli({"train", config, "-o", file("a")}), 0) << err_.str();
  ASSERT_EQ(cli({"train", config, "-o", file("b")}), 0) << err_.str();
  EXPECT_EQ(curve_values(read_json(file("a/result.json"))), curve_values(read_json(file("b/result.json"))));
  const auto a = SafetensorsFile::open(file("a/checkpoint.safetensors"));
  const auto b = SafetensorsFile::open(file("b/checkpoint.safetensors"));
  ASSERT_EQ(a.names(), b.names());
  for (const auto& name : a.names()) EXPECT_EQ(a.floats(name), b.floats(name)) << name;
}

TEST_F(TrainingTest, ResumeAfterSigkillIsBitExact) {
  const std::string config = write_config("tiny.yaml", tiny_experiment(300));
  ASSERT_EQ(cli({"train", config, "-o", file("whole")}), 0) << err_.str();

  // The same run in a child process, killed with SIGKILL once its first checkpoint exists.
  const std::string dir = file("killed");
  const std::string checkpoint = dir + "/checkpoint.safetensors";
  const pid_t child = testing::spawn_ablate({"train", config, "-o", dir});
  ASSERT_TRUE(testing::kill_when_exists(child, checkpoint)) << "the child finished before it could be killed";
  ASSERT_FALSE(std::filesystem::exists(dir + "/result.json"));
  const int64_t killed_at = open_checkpoint(checkpoint).state.step;
  EXPECT_GE(killed_at, 10);
  EXPECT_LT(killed_at, 300);

  // Without --resume the unfinished run is not touched.
  const std::string before = testing::read_bytes(checkpoint);
  EXPECT_EQ(cli({"train", config, "-o", dir}), 1);
  EXPECT_THAT(err_.str(), HasSubstr("holds an unfinished run (step " + std::to_string(killed_at)));
  EXPECT_THAT(err_.str(), HasSubstr("--resume"));
  EXPECT_EQ(testing::read_bytes(checkpoint), before);

  ASSERT_EQ(cli({"train", config, "-o", dir, "--resume"}), 0) << err_.str();
  EXPECT_THAT(err_.str(), HasSubstr("resuming tiny"));
  const json whole = read_json(file("whole/result.json")), resumed = read_json(dir + "/result.json");
  EXPECT_EQ(resumed["resumed_from_step"], killed_at);
  EXPECT_EQ(curve_values(whole), curve_values(resumed));
  EXPECT_EQ(whole["metrics"]["final_train_loss"].get<double>(), resumed["metrics"]["final_train_loss"].get<double>());
  const auto a = SafetensorsFile::open(file("whole/checkpoint.safetensors"));
  const auto b = SafetensorsFile::open(checkpoint);
  for (const auto& name : a.names()) EXPECT_EQ(a.floats(name), b.floats(name)) << name;
  std::printf("killed at step %ld of 300; resumed final loss %.9g == uninterrupted %.9g\n", (long)killed_at,
              resumed["metrics"]["final_train_loss"].get<double>(), whole["metrics"]["final_train_loss"].get<double>());
}

TEST_F(TrainingTest, ResumeRefusesACheckpointOfADifferentConfig) {
  const std::string config = write_config("tiny.yaml", tiny_experiment(10));
  ASSERT_EQ(cli({"train", config, "-o", file("out")}), 0) << err_.str();
  std::filesystem::remove(file("out/result.json"));
  const std::string changed = write_config("tiny.yaml", tiny_experiment(10, {{"weight_decay", "0.01"}}));
  EXPECT_EQ(cli({"train", changed, "-o", file("out"), "--resume"}), 1);
  EXPECT_THAT(err_.str(), HasSubstr("cannot resume"));
  EXPECT_THAT(err_.str(), HasSubstr("train.weight_decay: checkpoint 0.1, config 0.01"));
}

TEST_F(TrainingTest, AFinishedRunIsSkippedOnlyForItsOwnConfig) {
  const std::string config = write_config("tiny.yaml", tiny_experiment(10));
  ASSERT_EQ(cli({"train", config, "-o", file("out")}), 0) << err_.str();
  const std::string before = testing::read_bytes(file("out/result.json"));
  ASSERT_EQ(cli({"train", config, "-o", file("out"), "--threads", "1"}), 0) << err_.str();
  EXPECT_THAT(out_.str(), HasSubstr("exists, skipping"));  // the thread count is not part of the experiment
  const std::string changed = write_config("tiny.yaml", tiny_experiment(10, {{"lr", "0.002"}}));
  EXPECT_EQ(cli({"train", changed, "-o", file("out")}), 1);
  EXPECT_THAT(err_.str(), HasSubstr("holds a finished run of a different config"));
  EXPECT_THAT(err_.str(), HasSubstr("train.lr: result 0.003, config 0.002"));
  EXPECT_EQ(testing::read_bytes(file("out/result.json")), before);
}

// A result written before a key existed (here: the llama3 and longrope keys of position.scaling)
// is the same experiment: the new keys take their defaults.
TEST_F(TrainingTest, AFinishedRunOfAnEarlierVersionWithoutNewerKeysIsSkipped) {
  const std::string config = write_config("tiny.yaml", tiny_experiment(10));
  ASSERT_EQ(cli({"train", config, "-o", file("out")}), 0) << err_.str();
  json result = read_json(file("out/result.json"));
  json& scaling = result["config"]["model"]["position"]["scaling"];
  for (const char* key : {"low_freq_factor", "high_freq_factor", "short_factor", "long_factor"}) {
    ASSERT_TRUE(scaling.contains(key)) << key;
    scaling.erase(key);
  }
  testing::write_bytes(file("out/result.json"), result.dump());
  ASSERT_EQ(cli({"train", config, "-o", file("out")}), 0) << err_.str();
  EXPECT_THAT(out_.str(), HasSubstr("exists, skipping"));
}

TEST_F(TrainingTest, GradientAccumulationEqualsOneLargerBatch) {
  // accumulation 2 of batch 4 draws exactly the windows of one batch of 8, so the steps agree up
  // to the order of float sums.
  auto train = [&](std::map<std::string, std::string> batch) {
    const std::string text = tiny_experiment(4, batch);
    ExperimentConfig c = parse_experiment(load_config_tree_text(text, "t.yaml"), "t", experiment_inputs_from_files());
    c.train.checkpoint_every = 0;
    const TrainingData data = load_training_data(c);
    Model<float> model(c.model, 3);
    TrainOptions options;
    options.checkpoint_path = file("ck_" + std::to_string(c.train.accumulation) + ".safetensors");
    const TrainOutcome o = train_model(c, data, model, options);
    std::vector<float> weights;
    for (const auto& p : model.parameters()) weights.insert(weights.end(), p.param->value.data.begin(), p.param->value.data.end());
    return std::make_pair(o.history, weights);
  };
  auto [h1, w1] = train({{"batch_size", "8"}, {"warmup", "1"}});
  auto [h2, w2] = train({{"batch_size", "4"}, {"accumulation", "2"}, {"warmup", "1"}});
  for (int s = 0; s < 4; ++s)
    EXPECT_NEAR(h1["loss_curve"][s]["loss"].get<double>(), h2["loss_curve"][s]["loss"].get<double>(), 1e-5) << s;
  ASSERT_EQ(w1.size(), w2.size());
  double max_diff = 0;
  for (size_t i = 0; i < w1.size(); ++i) max_diff = std::max(max_diff, (double)std::fabs(w1[i] - w2[i]));
  EXPECT_LT(max_diff, 1e-5);
  EXPECT_GT(max_diff, 0.0) << "identical to the bit: the two runs did not take different paths";
}

TEST_F(TrainingTest, NonFiniteLossStopsWithTheStepAndKeepsTheLastCheckpoint) {
  // lr 1e30 wrecks the weights at step 1; step 2 meets a non-finite loss or gradient.
  const std::string config = write_config(
      "tiny.yaml", tiny_experiment(40, {{"lr", "1e30"}, {"warmup", "0"}, {"grad_clip", "0"}, {"checkpoint_every", "1"}}));
  EXPECT_EQ(cli({"train", config, "-o", file("out")}), 1);
  EXPECT_THAT(err_.str(), ::testing::ContainsRegex("step 2: (training loss is|gradient of model\\.[a-z_.0-9]+ is not finite)"));
  EXPECT_THAT(err_.str(), HasSubstr("the last checkpoint " + file("out/checkpoint.safetensors") + " is intact"));
  EXPECT_FALSE(std::filesystem::exists(file("out/result.json")));
  const Checkpoint last = open_checkpoint(file("out/checkpoint.safetensors"));
  EXPECT_EQ(last.state.step, 1);
  for (const auto& name : last.file.names())
    for (float v : last.file.floats(name)) ASSERT_TRUE(std::isfinite(v)) << name;
}

}  // namespace
}  // namespace ablate
