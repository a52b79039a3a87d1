// Run folders that never lose a finished result: one writer per folder (the lock), --force that
// replaces a result only once the new one is complete (whether the forced run fails, is killed,
// or is killed while committing), sweep.json rebuilt from the points' own folders, and reports
// swapped in whole.
#include <gtest/gtest.h>
#include <gmock/gmock.h>
#include <nlohmann/json.hpp>

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <sstream>

#include "experiments/cli.h"
#include "experiments/run_folder.h"
#include "harness/common/folder_lock.h"
#include "harness/common/process.h"
#include "harness/common/text.h"
#include "tests/test_support.h"

namespace ablate {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using nlohmann::json;

const std::string kModel = "model: {d_model: 32, n_layers: 1, context: 32, attention: {n_heads: 2}}\n";
const std::string kData = "data: {type: synthetic, bytes: 40000, seed: 5}\n";
const std::string kShort = "train: {steps: 6, batch_size: 2, warmup: 1, eval_every: 3, eval_tokens: 256, checkpoint_every: 3}\n";
// Long enough to be caught mid-run, checkpointing often.
const std::string kLong = "train: {steps: 100000, batch_size: 2, warmup: 1, eval_every: 100000, eval_tokens: 256, checkpoint_every: 5}\n";
const std::string kDiverging = "train: {steps: 6, batch_size: 2, warmup: 0, lr: 1.0e+30, grad_clip: 0, checkpoint_every: 3}\n";

class RunFolderTest : public testing::TempDirTest {
 protected:
  std::string config(const std::string& name, const std::string& text) {
    const std::string path = file(name + ".yaml");
    testing::write_bytes(path, "name: " + name + "\nthreads: 1\n" + text);
    return path;
  }
  int run(const std::vector<std::string>& args) {
    out_.str("");
    err_.str("");
    return run_cli(args, out_, err_);
  }
  // Every file of `dir` but its lock, by name.
  std::map<std::string, std::string> snapshot(const std::string& dir) {
    std::map<std::string, std::string> files;
    for (const auto& entry : fs::directory_iterator(dir))
      if (entry.is_regular_file() && entry.path().filename() != ".lock")
        files[entry.path().filename().string()] = testing::read_bytes(entry.path().string());
    return files;
  }
  std::ostringstream out_, err_;
};

// Polls until `path` is a non-empty file (5 minutes at most).
bool wait_for_content(const std::string& path) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
  std::error_code ec;
  while (std::chrono::steady_clock::now() < deadline) {
    if (fs::exists(path, ec) && fs::file_size(path, ec) > 0) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return false;
}

TEST_F(RunFolderTest, TwoLocksOnOneFolderExcludeEachOther) {
  const std::string dir = file("locked");
  {
    FolderLock first(dir, "the first");
    ASSERT_TRUE(first.held());
    EXPECT_TRUE(folder_is_locked(dir));
    EXPECT_THAT(lock_holder(dir), HasSubstr("pid " + std::to_string(getpid()) + " on host "));
    const std::string message = testing::message_of([&] { FolderLock second(dir, "the second"); });
    EXPECT_THAT(message, HasSubstr(dir + " is in use by pid " + std::to_string(getpid())));
    EXPECT_THAT(message, HasSubstr("(the first)"));
    EXPECT_THAT(message, HasSubstr("one writer per folder"));
  }
  EXPECT_FALSE(folder_is_locked(dir));
  EXPECT_EQ(lock_holder(dir), "");  // released: the note goes with it
  FolderLock again(dir, "");        // and it can be taken again
  EXPECT_TRUE(again.held());
}

TEST_F(RunFolderTest, ASecondRunOnTheSameFolderStopsAtOnceAndAKilledHoldersLockIsTakenOver) {
  const std::string dir = file("shared");
  const pid_t child = testing::spawn_ablate({"run", config("long", kModel + kData + kLong), "-o", dir});
  ASSERT_TRUE(wait_for_content(dir + "/.lock")) << "the first run never took the lock";

  EXPECT_EQ(run({"run", config("other", kModel + kData + kShort), "-o", dir}), 1);
  EXPECT_THAT(err_.str(), HasSubstr(dir + " is in use by pid " + std::to_string(child) + " on host "));
  EXPECT_THAT(err_.str(), HasSubstr("ablate run "));  // the holder's command line
  EXPECT_FALSE(fs::exists(dir + "/result.json"));

  kill(child, SIGKILL);
  testing::wait_for_child(child);
  // The holder is gone: its lock with it. The next run takes the folder (and resumes the run).
  EXPECT_EQ(run({"run", config("long", kModel + kData + kShort), "-o", dir, "--force"}), 0) << err_.str();
  EXPECT_TRUE(fs::exists(dir + "/result.json"));
}

TEST_F(RunFolderTest, AForcedRunThatFailsLeavesThePreviousResultAsItWas) {
  const std::string dir = file("f");
  ASSERT_EQ(run({"run", config("good", kModel + kData + kShort), "-o", dir}), 0) << err_.str();
  const auto before = snapshot(dir);
  ASSERT_EQ(before.size(), 2u);  // result.json, checkpoint.safetensors

  EXPECT_EQ(run({"run", config("good", kModel + kData + kDiverging), "-o", dir, "--force"}), 1);
  EXPECT_THAT(err_.str(), HasSubstr("is not finite"));
  EXPECT_EQ(snapshot(dir), before) << "a failed forced run changed the finished run's files";
  EXPECT_FALSE(fs::exists(incoming_dir(dir))) << "the failed forced run's work stayed";

  // The finished run is still the folder's: the same config skips it.
  EXPECT_EQ(run({"run", config("good", kModel + kData + kShort), "-o", dir}), 0) << err_.str();
  EXPECT_THAT(out_.str(), HasSubstr("exists, skipping"));
}

TEST_F(RunFolderTest, AForcedRunKilledMidwayLeavesThePreviousResultAndItsCheckpoint) {
  const std::string dir = file("k");
  ASSERT_EQ(run({"run", config("good", kModel + kData + kShort), "-o", dir}), 0) << err_.str();
  const auto before = snapshot(dir);

  const pid_t child = testing::spawn_ablate({"run", config("good", kModel + kData + kLong), "-o", dir, "--force"});
  ASSERT_TRUE(testing::kill_when_exists(child, incoming_dir(dir) + "/checkpoint.safetensors"))
      << "the forced run finished before it could be killed";
  EXPECT_EQ(snapshot(dir), before) << "a killed forced run changed the finished run's files";

  // The next run of the folder discards the interrupted forced run and keeps the finished one.
  EXPECT_EQ(run({"run", config("good", kModel + kData + kShort), "-o", dir}), 0) << err_.str();
  EXPECT_THAT(out_.str(), HasSubstr("exists, skipping"));
  EXPECT_EQ(snapshot(dir), before);
  EXPECT_FALSE(fs::exists(incoming_dir(dir)));

  // A forced run that completes replaces the result and the checkpoint, and records its own path.
  EXPECT_EQ(run({"run", config("good", kModel + kData + kShort + "seed: 3\n"), "-o", dir, "--force"}), 0) << err_.str();
  const auto after = snapshot(dir);
  EXPECT_NE(after.at("result.json"), before.at("result.json"));
  EXPECT_NE(after.at("checkpoint.safetensors"), before.at("checkpoint.safetensors"));
  EXPECT_EQ(json::parse(after.at("result.json"))["checkpoint"], dir + "/checkpoint.safetensors");
  EXPECT_EQ(json::parse(after.at("result.json"))["seed"], 3);
  EXPECT_FALSE(fs::exists(incoming_dir(dir)));
}

TEST_F(RunFolderTest, AForcedRunKilledWhileCommittingIsCompletedByTheNextRun) {
  // The commit point is .incoming/result.json: a run killed after writing it (here: its files put
  // there by hand, the checkpoint already moved) is finished by whoever runs the folder next.
  const std::string dir = file("c"), other = file("other");
  ASSERT_EQ(run({"run", config("good", kModel + kData + kShort), "-o", dir}), 0) << err_.str();
  ASSERT_EQ(run({"run", config("good", kModel + kData + kShort + "seed: 4\n"), "-o", other}), 0) << err_.str();
  fs::create_directories(incoming_dir(dir));
  fs::copy_file(other + "/result.json", incoming_dir(dir) + "/result.json");
  fs::copy_file(other + "/checkpoint.safetensors", dir + "/checkpoint.safetensors", fs::copy_options::overwrite_existing);

  EXPECT_EQ(run({"run", config("good", kModel + kData + kShort + "seed: 4\n"), "-o", dir}), 0) << err_.str();
  EXPECT_THAT(out_.str(), HasSubstr("exists, skipping"));  // the committed forced run
  EXPECT_EQ(testing::read_bytes(dir + "/result.json"), testing::read_bytes(other + "/result.json"));
  EXPECT_FALSE(fs::exists(incoming_dir(dir)));
}

TEST_F(RunFolderTest, SweepJsonIsRebuiltFromThePointsAndNeverMarksAFinishedPointFailed) {
  const std::string sweep = "sweep:\n  variants: {rms: {}, ln: {model.norm.type: layernorm}}\n";
  const std::string path = config("s", kModel + kData + kShort + sweep);
  const std::string dir = file("s_out");
  ASSERT_EQ(run({"run", path, "-o", dir}), 0) << err_.str();

  // The config's training changes: the finished points are refused (another run), but they are
  // finished, and sweep.json says so.
  config("s", kModel + kData + "train: {steps: 7, batch_size: 2, warmup: 1, eval_every: 3, eval_tokens: 256}\n" + sweep);
  EXPECT_EQ(run({"run", path, "-o", dir}), 1);
  EXPECT_THAT(err_.str(), HasSubstr("holds a finished run of a different config"));
  json summary = json::parse(testing::read_bytes(dir + "/sweep.json"));
  ASSERT_EQ(summary["points"].size(), 2u);
  for (const auto& p : summary["points"]) {
    EXPECT_EQ(p["status"], "done") << p;
    EXPECT_FALSE(p.contains("error")) << p;
  }

  // One point by name, after sweep.json was lost: the summary comes back from the folders.
  config("s", kModel + kData + kShort + "sweep:\n  variants: {rms: {}, ln: {model.norm.type: layernorm}, "
                                         "gelu: {model.mlp.type: gelu}}\n");
  fs::remove(dir + "/sweep.json");
  EXPECT_EQ(run({"run", path, "-o", dir, "--point", "gelu"}), 0) << err_.str();
  summary = json::parse(testing::read_bytes(dir + "/sweep.json"));
  ASSERT_EQ(summary["points"].size(), 3u);
  for (const auto& p : summary["points"]) EXPECT_EQ(p["status"], "done") << p;
  EXPECT_EQ(run({"run", path, "-o", dir, "--point", "swiglu"}), 1);
  EXPECT_THAT(err_.str(), HasSubstr("--point swiglu: the sweep s has no such point (its points: rms, ln, gelu)"));
}

TEST_F(RunFolderTest, EvaluationOnlyChangesEvaluateTheFinishedRunWithoutTraining) {
  const std::string dir = file("e");
  const std::string base = kModel + kData + kShort;
  ASSERT_EQ(run({"run", config("e", base), "-o", dir}), 0) << err_.str();
  const std::string checkpoint = testing::read_bytes(dir + "/checkpoint.safetensors");
  const json first = json::parse(testing::read_bytes(dir + "/result.json"));

  // A choice: section is added: only the choice task is computed, from the checkpoint.
  const std::string choice = "choice: {task: synthetic, items: 8}\n";
  ASSERT_EQ(run({"run", config("e", base + choice), "-o", dir}), 0) << err_.str();
  EXPECT_THAT(out_.str(), HasSubstr("evaluating what changed (choice) from its checkpoint, without training"));
  EXPECT_THAT(out_.str(), ::testing::Not(HasSubstr("validation loss")));  // not recomputed
  EXPECT_THAT(err_.str(), ::testing::Not(HasSubstr("step 1/")));          // no training step
  EXPECT_EQ(testing::read_bytes(dir + "/checkpoint.safetensors"), checkpoint);
  json second = json::parse(testing::read_bytes(dir + "/result.json"));
  EXPECT_EQ(second["loss_curve"], first["loss_curve"]);
  EXPECT_EQ(second["metrics"]["validation"], first["metrics"]["validation"]);
  EXPECT_EQ(second["started_at"], first["started_at"]);
  ASSERT_TRUE(second.contains("choice"));
  EXPECT_EQ(second["config"]["choice"]["items"], 8);
  EXPECT_EQ(second["reevaluated"][0]["sections"], json({"choice"}));

  // The same config again: nothing to do. Then eval: changes: the validation is computed again,
  // the choice figures stay as they were.
  ASSERT_EQ(run({"run", config("e", base + choice), "-o", dir}), 0) << err_.str();
  EXPECT_THAT(out_.str(), HasSubstr("exists, skipping"));
  ASSERT_EQ(run({"run", config("e", base + choice + "eval: {max_tokens: 256}\n"), "-o", dir}), 0) << err_.str();
  EXPECT_THAT(out_.str(), HasSubstr("validation loss"));
  const json third = json::parse(testing::read_bytes(dir + "/result.json"));
  EXPECT_EQ(third["choice"], second["choice"]);
  EXPECT_NE(third["metrics"]["validation"], second["metrics"]["validation"]);
  EXPECT_EQ(third["metrics"]["validation"]["tokens"], 256);
  EXPECT_EQ(third["reevaluated"].size(), 2u);
  EXPECT_EQ(testing::read_bytes(dir + "/checkpoint.safetensors"), checkpoint);

  // Dropping the choice: section drops its figures.
  ASSERT_EQ(run({"run", config("e", base + "eval: {max_tokens: 256}\n"), "-o", dir}), 0) << err_.str();
  EXPECT_FALSE(json::parse(testing::read_bytes(dir + "/result.json")).contains("choice"));

  // A sweep whose points gain an extend: section: each point is evaluated, none trained.
  const std::string sweep = "sweep:\n  variants: {rms: {}, ln: {model.norm.type: layernorm}}\n";
  const std::string path = config("se", base + sweep);
  ASSERT_EQ(run({"run", path, "-o", file("se")}), 0) << err_.str();
  config("se", base + "extend: {lengths: [32, 64], methods: [{type: none}, {type: linear, factor: auto}]}\n" + sweep);
  ASSERT_EQ(run({"run", path, "-o", file("se")}), 0) << err_.str();
  EXPECT_THAT(out_.str(), HasSubstr("2 completed, 0 already done, 0 failed"));
  for (const char* p : {"rms", "ln"}) {
    const json r = json::parse(testing::read_bytes(file("se/") + p + "/result.json"));
    EXPECT_TRUE(r.contains("extend")) << p;
    EXPECT_EQ(r["sweep"]["point"], p);
  }
  const json sweep_summary = json::parse(testing::read_bytes(file("se/sweep.json")));
  for (const auto& p : sweep_summary["points"]) EXPECT_EQ(p["status"], "done");
}

TEST_F(RunFolderTest, StatusShowsEachPointFromItsFolder) {
  const std::string path = config("st", kModel + kData + kShort +
                                            "sweep:\n  variants: {ok: {}, bad: {train: {lr: 1.0e+30, warmup: 0, grad_clip: 0}}}\n");
  const std::string dir = file("st_out");
  EXPECT_EQ(run({"run", path, "-o", dir}), 1);
  ASSERT_EQ(run({"status", dir}), 0) << err_.str();
  EXPECT_THAT(out_.str(), HasSubstr("sweep st in " + dir + ": 2 points: 1 done, 1 failed"));
  EXPECT_THAT(out_.str(), ::testing::ContainsRegex("ok +done +validation loss [0-9.]+\n"));
  EXPECT_THAT(out_.str(), ::testing::ContainsRegex("bad +failed +step 2: gradient of"));

  EXPECT_EQ(run({"status", dir + "/ok"}), 0);
  EXPECT_THAT(out_.str(), HasSubstr("run in " + dir + "/ok: 1 point: 1 done"));
  EXPECT_EQ(run({"status", file("nothing_here")}), 1);
  EXPECT_THAT(err_.str(), HasSubstr("nothing_here: not a directory"));
}

// Every file under `dir`, by path relative to it.
std::map<std::string, std::string> tree(const std::string& dir) {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir))
    if (entry.is_regular_file()) files[fs::relative(entry.path(), dir).string()] = testing::read_bytes(entry.path().string());
  return files;
}

TEST_F(RunFolderTest, AReportKilledMidwayLeavesThePreviousReportWhole) {
  const std::string results = file("results");
  ASSERT_EQ(run({"run", config("a", kModel + kData + kShort), "-o", results + "/a"}), 0) << err_.str();
  ASSERT_EQ(run({"report", results}), 0) << err_.str();
  const auto before = tree(results + "/report");
  ASSERT_TRUE(before.count("index.html"));

  // New inputs, and a gnuplot that hangs on its third plot: the report is killed there.
  ASSERT_EQ(run({"run", config("b", kModel + kData + kShort + "seed: 2\n"), "-o", results + "/b"}), 0) << err_.str();
  fs::create_directories(file("tools"));
  const std::string real_gnuplot = trim(run_process({"sh", "-c", "command -v gnuplot"}, ChildStderr::kDiscarded).output);
  ASSERT_FALSE(real_gnuplot.empty());
  testing::write_bytes(file("tools/gnuplot"),
                       "#!/bin/sh\nn=$(cat " + file("count") + " 2>/dev/null || echo 0); n=$((n+1)); echo $n > " +
                           file("count") + "\nif [ $n -ge 3 ]; then echo $$ > " + file("hung") + "; exec sleep 600; fi\nexec " +
                           real_gnuplot + " \"$@\"\n");
  chmod(file("tools/gnuplot").c_str(), 0755);
  pid_t child;
  {
    testing::ScopedEnv path("PATH", file("tools") + ":" + getenv("PATH"));
    child = testing::spawn_ablate({"report", results});
  }
  ASSERT_TRUE(testing::kill_when_exists(child, file("hung"))) << "the report finished before it could be killed";
  ASSERT_TRUE(wait_for_content(file("hung")));
  kill(std::stoi(testing::read_bytes(file("hung"))), SIGKILL);  // the hung "gnuplot"

  EXPECT_EQ(tree(results + "/report"), before) << "a killed report changed the previous one";
  for (const auto& entry : fs::recursive_directory_iterator(results + "/report"))
    EXPECT_NE(entry.path().extension(), ".part") << entry.path();

  // The next report replaces it whole, with both runs, and clears the killed one's staging folder.
  ASSERT_EQ(run({"report", results}), 0) << err_.str();
  EXPECT_THAT(testing::read_bytes(results + "/report/index.html"), HasSubstr("2 results"));
  for (const auto& entry : fs::directory_iterator(results))
    EXPECT_EQ(entry.path().filename().string().rfind(".report.tmp-", 0), std::string::npos) << entry.path();
}

}  // namespace
}  // namespace ablate
