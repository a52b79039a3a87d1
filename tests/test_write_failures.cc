// Failed writes: a full disk (simulated by a file-size limit, RLIMIT_FSIZE, on the real binary: a
// write past it fails with EFBIG as a full disk fails with ENOSPC), a read-only folder, and the
// half-written temporaries of a killed writer. Each gets a clear error naming the file and leaves
// the previous checkpoint or result byte for byte as it was.
#include <gtest/gtest.h>
#include <gmock/gmock.h>

#include <filesystem>
#include <sstream>

#include "experiments/cli.h"
#include "harness/checkpoints/checkpoint.h"
#include "harness/common/file_io.h"
#include "tests/test_support.h"

namespace ablate {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

class WriteFailuresTest : public testing::TempDirTest {
 protected:
  // Names of the files in `dir` that hold ".tmp." (temporaries a failed write must not leave).
  std::vector<std::string> temporaries(const std::string& dir) {
    std::vector<std::string> found;
    for (const auto& entry : fs::directory_iterator(dir))
      if (entry.path().filename().string().find(".tmp.") != std::string::npos) found.push_back(entry.path().string());
    return found;
  }
  // A 4-step run of kTiny in `dir`, then its eval.json; false (with the error printed) on failure.
  bool finished_run_with_eval(const std::string& config, const std::string& dir);
  int cli(const std::vector<std::string>& args) {
    out_.str("");
    err_.str("");
    return run_cli(args, out_, err_);
  }
  std::ostringstream out_, err_;
};

const char* kTiny =
    "name: tiny\n"
    "threads: 1\n"
    "model: {d_model: 32, n_layers: 1, context: 32, attention: {n_heads: 2}}\n"
    "data: {type: synthetic, bytes: 40000}\n";

bool WriteFailuresTest::finished_run_with_eval(const std::string& config, const std::string& dir) {
  testing::write_bytes(config, std::string(kTiny) +
                                   "train: {steps: 4, batch_size: 2, warmup: 1, eval_every: 2, eval_tokens: 256, "
                                   "checkpoint_every: 2}\n");
  const bool ok = cli({"run", config, "-o", dir}) == 0 && cli({"eval", config, "-o", dir}) == 0;
  if (!ok) ADD_FAILURE() << err_.str();
  return ok;
}

TEST_F(WriteFailuresTest, FullDiskDuringResumeKeepsTheLastCheckpoint) {
  const std::string config = file("tiny.yaml");
  testing::write_bytes(config, std::string(kTiny) +
                                   "train: {steps: 300, batch_size: 2, warmup: 1, eval_every: 100, eval_tokens: 256, "
                                   "checkpoint_every: 10}\n");
  const std::string dir = file("run");
  const std::string checkpoint = dir + "/checkpoint.safetensors";
  const pid_t child = testing::spawn_ablate({"train", config, "-o", dir});
  ASSERT_TRUE(testing::kill_when_exists(child, checkpoint)) << "the run finished before it could be killed";
  const std::string before = testing::read_bytes(checkpoint);
  const int64_t step = open_checkpoint(checkpoint).state.step;

  // Resumed with room for less than one checkpoint: the next checkpoint write fails.
  const testing::ChildOutcome failed =
      testing::run_ablate_limited({"train", config, "-o", dir, "--resume"}, RLIMIT_FSIZE, before.size() - 1);
  EXPECT_EQ(failed.code, 1);
  const std::string& message = failed.err;
  EXPECT_THAT(message, HasSubstr(checkpoint + ".tmp."));
  EXPECT_THAT(message, HasSubstr("File too large"));
  EXPECT_EQ(testing::read_bytes(checkpoint), before) << "the last good checkpoint changed";
  EXPECT_EQ(open_checkpoint(checkpoint).state.step, step);
  EXPECT_TRUE(temporaries(dir).empty());
  EXPECT_FALSE(fs::exists(dir + "/result.json"));

  // Once there is room again, the run resumes from that checkpoint and finishes.
  ASSERT_EQ(cli({"train", config, "-o", dir, "--resume"}), 0) << err_.str();
  EXPECT_THAT(err_.str(), HasSubstr("resuming tiny"));
  EXPECT_TRUE(fs::exists(dir + "/result.json"));
}

TEST_F(WriteFailuresTest, FullDiskWhileWritingAResultKeepsThePreviousOne) {
  const std::string config = file("tiny.yaml"), dir = file("run");
  ASSERT_TRUE(finished_run_with_eval(config, dir));
  const std::string result = dir + "/eval.json";
  const std::string before = testing::read_bytes(result);

  const testing::ChildOutcome failed = testing::run_ablate_limited({"eval", config, "-o", dir}, RLIMIT_FSIZE, 64);
  EXPECT_EQ(failed.code, 1);
  EXPECT_THAT(failed.err, HasSubstr(result + ": cannot write the result: cannot write " + result + ".tmp."));
  EXPECT_THAT(failed.err, HasSubstr("File too large"));
  EXPECT_EQ(testing::read_bytes(result), before);
  EXPECT_TRUE(temporaries(dir).empty());
}

TEST_F(WriteFailuresTest, ReadOnlyFolderKeepsThePreviousResult) {
  if (geteuid() == 0) GTEST_SKIP() << "root ignores folder permissions; the table's 'output folder inside a file' row "
                                      "covers an unwritable output folder";
  const std::string config = file("tiny.yaml"), dir = file("run");
  ASSERT_TRUE(finished_run_with_eval(config, dir));
  const std::string before = testing::read_bytes(dir + "/eval.json");
  fs::permissions(dir, fs::perms::owner_read | fs::perms::owner_exec);
  EXPECT_EQ(cli({"eval", config, "-o", dir}), 1);
  fs::permissions(dir, fs::perms::owner_all);
  EXPECT_THAT(err_.str(), HasSubstr(dir + "/eval.json: cannot write the result: cannot create " + dir + "/eval.json.tmp."));
  EXPECT_THAT(err_.str(), HasSubstr("Permission denied"));
  EXPECT_EQ(testing::read_bytes(dir + "/eval.json"), before);
}

TEST_F(WriteFailuresTest, TemporariesOfKilledWritersAreRemovedOthersKept) {
  // A pid that no longer runs: a child that has exited and been reaped.
  const pid_t dead = fork();
  if (dead == 0) _exit(0);
  waitpid(dead, nullptr, 0);
  const std::string dir = file("run");
  fs::create_directories(dir);
  const std::string stale = dir + "/checkpoint.safetensors.tmp." + std::to_string(dead);
  const std::string live = dir + "/result.json.tmp." + std::to_string(getppid());  // a running writer
  const std::string own = dir + "/sweep.json.tmp." + std::to_string(getpid());
  const std::string other = dir + "/notes.tmp.txt";
  for (const auto& p : {stale, live, own, other}) testing::write_bytes(p, "x");
  EXPECT_EQ(remove_stale_temporaries(dir), std::vector<std::string>{stale});
  EXPECT_FALSE(fs::exists(stale));
  EXPECT_TRUE(fs::exists(live));
  EXPECT_TRUE(fs::exists(own));
  EXPECT_TRUE(fs::exists(other));
  EXPECT_TRUE(remove_stale_temporaries(file("missing")).empty());
}

}  // namespace
}  // namespace ablate
