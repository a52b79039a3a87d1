// Sweeps through a real Slurm (tests/slurm_cluster.h): a 3-point sweep as a job array gives the
// local sweep's results bit for bit; a point that fails is reported with its log and submitted
// again alone; a job array cancelled midway is completed by running the sweep again. Skipped,
// with the reason, where Slurm is not installed or cannot start.
#include <gtest/gtest.h>
#include <gmock/gmock.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>

#include "harness/common/process.h"
#include "tests/slurm_cluster.h"
#include "tests/test_support.h"

namespace ablate {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using nlohmann::json;

const std::string kBase =
    "threads: 1\n"
    "model: {d_model: 32, n_layers: 1, context: 32, attention: {n_heads: 2}}\n"
    "data: {type: synthetic, bytes: 40000, seed: 5}\n"
    "eval: {max_tokens: 512}\n";
const std::string kTrain = "train: {steps: 6, batch_size: 2, warmup: 1, eval_every: 3, eval_tokens: 256, checkpoint_every: 3}\n";
const std::string kVariants =
    "sweep:\n  variants: {rms: {}, ln: {model.norm.type: layernorm}, gelu: {model.mlp.type: gelu}}\n";

class SlurmTest : public testing::TempDirTest {
 protected:
  static void SetUpTestSuite() {
    cluster_ = new testing::SlurmCluster();
    why_not_ = cluster_->start();
  }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }
  void SetUp() override {
    if (!why_not_.empty()) GTEST_SKIP() << "Slurm cannot start here: " << why_not_;
    TempDirTest::SetUp();
  }
  std::string config(const std::string& name, const std::string& text) {
    const std::string path = file(name + ".yaml");
    testing::write_bytes(path, "name: " + name + "\n" + text);
    return path;
  }
  // The real binary: each array task runs the executable that submitted it.
  ProcessResult ablate(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {ABLATE_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_process(argv, ChildStderr::kWithOutput);
  }
  json result(const std::string& path) { return json::parse(testing::read_bytes(path)); }

  static testing::SlurmCluster* cluster_;
  static std::string why_not_;
};
testing::SlurmCluster* SlurmTest::cluster_ = nullptr;
std::string SlurmTest::why_not_;

// What must agree bit for bit between two runs of one config (timings and paths aside).
json numbers(const json& r) {
  return {{"loss_curve", r["loss_curve"]}, {"validation_curve", r["validation_curve"]},
          {"validation", r["metrics"]["validation"]}, {"final_train_loss", r["metrics"]["final_train_loss"]},
          {"config", r["config"]}, {"sweep", r["sweep"]}};
}

TEST_F(SlurmTest, AThreePointSweepAsAJobArrayGivesTheLocalSweepsResults) {
  const std::string local = config("three", kBase + kTrain + kVariants);
  ProcessResult r = ablate({"run", local, "-o", file("local")});
  ASSERT_EQ(r.exit_status, 0) << r.output;

  const std::string slurm =
      config("three", kBase + kTrain + kVariants + "  executor: {type: slurm, cpus_per_task: 1, time: '10:00', wait: true}\n");
  r = ablate({"run", slurm, "-o", file("slurm")});
  ASSERT_EQ(r.exit_status, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("three: submitted 3 points as Slurm job array "));
  EXPECT_THAT(r.output, HasSubstr("three: 3 completed under Slurm, 0 already done, 0 failed"));
  for (const char* point : {"rms", "ln", "gelu"}) {
    const std::string name = point;
    EXPECT_EQ(numbers(result(file("slurm/" + name + "/result.json"))), numbers(result(file("local/" + name + "/result.json"))))
        << point;
    EXPECT_TRUE(fs::exists(file("slurm/slurm")));
  }
  const json summary = result(file("slurm/sweep.json"));
  for (const auto& p : summary["points"]) {
    EXPECT_EQ(p["status"], "done") << p;
    EXPECT_THAT(p["slurm_job"].get<std::string>(), ::testing::MatchesRegex("[0-9]+_[0-2]"));
  }
  const json submissions = result(file("slurm/slurm/submissions.json"));
  ASSERT_EQ(submissions["submissions"].size(), 1u);
  EXPECT_EQ(submissions["submissions"][0]["points"], json({"rms", "ln", "gelu"}));

  // Again: everything is done, nothing is submitted.
  r = ablate({"run", slurm, "-o", file("slurm")});
  EXPECT_EQ(r.exit_status, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("three: nothing to submit (3 done, 0 queued or running)"));
  const ProcessResult status = ablate({"status", file("slurm")});
  EXPECT_THAT(status.output, HasSubstr("sweep three in " + file("slurm") + ": 3 points: 3 done"));
  EXPECT_THAT(status.output, ::testing::ContainsRegex("gelu +done +[0-9]+_2 +validation loss"));
}

TEST_F(SlurmTest, AFailingPointIsReportedWithItsLogAndSubmittedAgainAlone) {
  const std::string path = config("fails", kBase + kTrain +
                                               "sweep:\n  variants: {ok: {}, diverges: {train: {lr: 1.0e+30, warmup: 0, grad_clip: 0}}}\n"
                                               "  executor: {type: slurm, wait: true}\n");
  const std::string dir = file("out");
  ProcessResult r = ablate({"run", path, "-o", dir});
  EXPECT_EQ(r.exit_status, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr("fails: 1 completed under Slurm, 0 already done, 1 failed"));
  const ProcessResult status = ablate({"status", dir});
  EXPECT_THAT(status.output, HasSubstr("2 points: 1 done, 1 failed"));
  EXPECT_THAT(status.output, ::testing::ContainsRegex("diverges +failed +[0-9]+_1 +step 2: gradient of"));
  EXPECT_THAT(status.output, ::testing::ContainsRegex("diverges: the end of .*/slurm/[0-9]+_1.log:"));
  EXPECT_THAT(status.output, HasSubstr("  | ablate run: error: step 2: gradient of"));  // the task's own log
  EXPECT_EQ(result(dir + "/sweep.json")["points"][1]["status"], "failed");

  // Again: only the failed point goes (and fails again).
  r = ablate({"run", path, "-o", dir});
  EXPECT_EQ(r.exit_status, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr("submitted 1 point as Slurm job array "));
  EXPECT_THAT(r.output, HasSubstr("(1 already done, 0 still queued or running)"));
  const json submissions = result(dir + "/slurm/submissions.json");
  ASSERT_EQ(submissions["submissions"].size(), 2u);
  EXPECT_EQ(submissions["submissions"][1]["points"], json({"diverges"}));
}

TEST_F(SlurmTest, AJobArrayCancelledMidwayIsCompletedByRunningTheSweepAgain) {
  const std::string train =
      "train: {steps: 3000, batch_size: 2, warmup: 1, eval_every: 1000, eval_tokens: 256, checkpoint_every: 20}\n";
  const std::string sweep = "sweep:\n  grid: {seed: [0, 1, 2]}\n  executor: {type: slurm, cpus_per_task: 1}\n";
  const std::string path = config("cancelled", kBase + train + sweep);
  const std::string dir = file("out");
  ProcessResult r = ablate({"run", path, "-o", dir});
  ASSERT_EQ(r.exit_status, 0) << r.output;
  const std::string job = result(dir + "/slurm/submissions.json")["submissions"][0]["job"];

  // Cancel the array once a point has a checkpoint (it is running), before all are done.
  bool started = false;
  for (int i = 0; i < 3000 && !started; ++i) {
    for (const char* p : {"seed=0", "seed=1", "seed=2"}) started = started || fs::exists(dir + "/" + p + "/checkpoint.safetensors");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(started) << "no point started under Slurm";
  ASSERT_EQ(run_process({"scancel", job}, ChildStderr::kWithOutput).exit_status, 0);
  for (int i = 0; i < 300; ++i) {
    if (trim(run_process({"squeue", "-h", "-j", job}, ChildStderr::kDiscarded).output).empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  int done_before = 0;
  for (const char* p : {"seed=0", "seed=1", "seed=2"}) done_before += fs::exists(dir + "/" + p + "/result.json");
  ASSERT_LT(done_before, 3) << "the array finished before it was cancelled";

  // Again, waiting: the unfinished points go, continue from their checkpoints, and finish.
  r = ablate({"run", path, "-o", dir, "--wait"});
  ASSERT_EQ(r.exit_status, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("submitted " + std::to_string(3 - done_before) + " point"));
  bool resumed = false;
  for (const char* p : {"seed=0", "seed=1", "seed=2"}) {
    const json j = result(dir + "/" + p + "/result.json");
    EXPECT_EQ(j["loss_curve"].size(), 3000u) << p;
    resumed = resumed || j["resumed_from_step"].get<int64_t>() > 0;
  }
  EXPECT_TRUE(resumed) << "no cancelled point continued from its checkpoint";
  const json summary = result(dir + "/sweep.json");
  for (const auto& p : summary["points"]) EXPECT_EQ(p["status"], "done") << p;
}

}  // namespace
}  // namespace ablate
