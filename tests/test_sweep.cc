// Sweeps: point names and configs from variants x grid x zip, their errors, skipping finished
// points, and a sweep killed with SIGKILL that a re-run completes without recomputing any
// finished point, and SIGKILLs at random moments after which a re-run completes the sweep exactly.
#include <gtest/gtest.h>
#include <gmock/gmock.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <sstream>
#include <thread>

#include "experiments/cli.h"
#include "experiments/sweep.h"
#include "harness/checkpoints/checkpoint.h"
#include "tests/test_support.h"

namespace ablate {
namespace {

using ::testing::HasSubstr;
using nlohmann::json;

const std::string kBase =
    "name: tiny_sweep\n"
    "threads: 2\n"
    "model: {d_model: 32, n_layers: 1, context: 32, attention: {n_heads: 2}}\n"
    "data: {type: synthetic, bytes: 40000, seed: 5}\n"
    "train: {steps: 6, batch_size: 2, warmup: 1, eval_every: 3, eval_tokens: 256, checkpoint_every: 3}\n"
    "eval: {max_tokens: 512}\n";

class SweepTest : public testing::TempDirTest {
 protected:
  SweepPlan plan(const std::string& sweep) {
    return plan_sweep(load_config_tree_text(kBase + sweep, "sweep.yaml"), "sweep");
  }
  std::string write_config(const std::string& text) {
    const std::string path = file("sweep.yaml");
    testing::write_bytes(path, text);
    return path;
  }
};

TEST_F(SweepTest, PointsAreVariantsTimesGridTimesZipWithNames) {
  const SweepPlan p = plan(
      "sweep:\n"
      "  variants:\n"
      "    base: {}\n"
      "    ln: {model.norm.type: layernorm, train.lr: 0.002}\n"
      "  grid: {seed: [0, 1]}\n"
      "  zip: {model.attention.type: [mha, mqa], model.mlp.hidden: [64, 96]}\n");
  EXPECT_EQ(p.name, "tiny_sweep");
  std::vector<std::string> names, variants;
  for (const auto& point : p.points) {
    names.push_back(point.name);
    variants.push_back(point.variant);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"base_seed=0_mha", "base_seed=0_mqa", "base_seed=1_mha",
                                             "base_seed=1_mqa", "ln_seed=0_mha", "ln_seed=0_mqa",
                                             "ln_seed=1_mha", "ln_seed=1_mqa"}));
  EXPECT_EQ(variants[2], "base_mha");  // seeds of a variant share its variant name
  EXPECT_EQ(variants[7], "ln_mqa");
  const ExperimentConfig& c = p.points[7].config;
  EXPECT_EQ(c.name, "ln_seed=1_mqa");
  EXPECT_EQ(c.model.norm.type, "layernorm");
  EXPECT_EQ(c.train.lr, 0.002);
  EXPECT_EQ(c.seed, 1);
  EXPECT_EQ(c.model.attention.n_kv_heads, 1);
  EXPECT_EQ(c.model.mlp.hidden, 96);
  EXPECT_EQ(p.points[0].config.model.norm.type, "rmsnorm");  // the base is untouched by other points
  EXPECT_EQ(p.points[0].config.model.mlp.hidden, 64);
}

TEST_F(SweepTest, BadSweepsAreReportedBeforeAnythingRuns) {
  const std::vector<std::pair<std::string, std::string>> rows = {
      {"sweep: {}\n", "sweep: needs at least one of variants, grid, zip"},
      {"sweep: {grid: {seed: 3}}\n", "sweep.grid.seed: expected a non-empty list of values, found '3'"},
      {"sweep: {zip: {seed: [0, 1], train.lr: [0.1]}}\n", "sweep.zip.train.lr: has 1 values, sweep.zip.seed has 2"},
      {"sweep: {grid: {seed: [0]}, repeat: 2}\n", "sweep.repeat: unknown key (allowed: variants, grid, zip, jobs, executor)"},
      {"sweep: {variants: {fast: {train.lr: -1}}}\n", "sweep point fast of sweep.yaml: train.lr: must be > 0, found -1"},
      {"sweep: {variants: {x: {model.norm.kind: a}}}\n", "model.norm.kind: unknown key"},
      {"sweep: {grid: {seed: [1, 1]}}\n", "two points are both named 'seed=1'"},
      {"sweep: {grid: {seed: [0]}, jobs: 0}\n", "sweep.jobs: must be >= 1, found 0"},
      // Found by tests/fuzz: a few grid axes multiply into points that take forever to plan.
      {"sweep: {grid: {seed: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], train.lr: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],\n"
       "  train.warmup: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], data.seed: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],\n"
       "  eval.max_tokens: [1, 2]}}\n",
       "sweep.yaml: sweep: 20000 points (variants x grid x zip) are more than 1000; split it into several sweeps"},
      {"sweep: {grid: {seed: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], train.lr: [1, 2, 3, 4, 5, 6, 7, 8],\n"
       "  data.seed: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], train.warmup: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]}}\n",
       "sweep.yaml: sweep: 8000 points (variants x grid x zip) are more than 1000; split it into several sweeps"},
  };
  for (const auto& [sweep, message] : rows) {
    try {
      plan(sweep);
      ADD_FAILURE() << "no error for " << sweep;
    } catch (const ConfigError& e) {
      EXPECT_THAT(e.what(), HasSubstr(message)) << sweep;
    }
  }
}

TEST_F(SweepTest, RunWritesEveryPointThenSkipsThemAndParallelJobsGiveTheSameResults) {
  const std::string sweep = "sweep:\n  variants: {rms: {}, ln: {model.norm.type: layernorm}}\n  grid: {seed: [0, 1]}\n";
  const std::string config = write_config(kBase + sweep);
  std::ostringstream out, err;
  ASSERT_EQ(run_cli({"run", config, "-o", file("serial")}, out, err), 0) << err.str();
  EXPECT_THAT(out.str(), HasSubstr("4 completed, 0 already done, 0 failed"));
  EXPECT_THAT(err.str(), HasSubstr("[4/4] ln_seed=1"));
  const json summary = json::parse(testing::read_bytes(file("serial/sweep.json")));
  ASSERT_EQ(summary["points"].size(), 4u);
  std::map<std::string, std::string> results;
  for (const auto& p : summary["points"]) {
    EXPECT_EQ(p["status"], "done");
    const std::string path = file("serial/" + p["result"].get<std::string>());
    results[path] = testing::read_bytes(path);
    const json r = json::parse(results[path]);
    EXPECT_EQ(r["sweep"]["point"], p["name"]);
    EXPECT_EQ(r["sweep"]["variant"], p["variant"]);
    EXPECT_EQ(r["config"]["seed"], r["sweep"]["overrides"]["seed"]);
  }
  EXPECT_EQ(json::parse(results[file("serial/ln_seed=0/result.json")])["config"]["model"]["norm"]["type"], "layernorm");

  // Again: nothing is recomputed, no result file changes.
  out.str("");
  ASSERT_EQ(run_cli({"run", config, "-o", file("serial")}, out, err), 0) << err.str();
  EXPECT_THAT(out.str(), HasSubstr("0 completed, 4 already done, 0 failed"));
  for (const auto& [path, bytes] : results) EXPECT_EQ(testing::read_bytes(path), bytes) << path;

  // Two points at a time, one thread each: the same numbers as one at a time with two threads.
  out.str("");
  ASSERT_EQ(run_cli({"run", write_config(kBase + sweep + "  jobs: 2\n"), "-o", file("parallel")}, out, err), 0)
      << err.str();
  for (const auto& [path, bytes] : results) {
    const std::string other = file("parallel/" + std::filesystem::path(path).parent_path().filename().string() +
                                   "/result.json");
    const json a = json::parse(bytes), b = json::parse(testing::read_bytes(other));
    EXPECT_EQ(a["loss_curve"].back()["loss"], b["loss_curve"].back()["loss"]) << other;
    EXPECT_EQ(a["metrics"]["validation"]["loss"], b["metrics"]["validation"]["loss"]) << other;
    EXPECT_EQ(b["machine"]["threads"], 1);
  }
}

TEST_F(SweepTest, AFailingPointIsReportedAndTheOthersStillRun) {
  // A point that diverges (lr 1e30) fails; the sweep finishes the rest and exits 1.
  const std::string config =
      write_config(kBase + "sweep:\n  variants: {ok: {}, diverges: {train: {lr: 1.0e+30, warmup: 0, grad_clip: 0}}}\n");
  std::ostringstream out, err;
  EXPECT_EQ(run_cli({"run", config, "-o", file("out")}, out, err), 1);
  EXPECT_THAT(out.str(), HasSubstr("1 completed, 0 already done, 1 failed"));
  EXPECT_THAT(err.str(), HasSubstr("diverges: error: step 2:"));
  const json summary = json::parse(testing::read_bytes(file("out/sweep.json")));
  EXPECT_EQ(summary["points"][1]["status"], "failed");
  EXPECT_THAT(summary["points"][1]["error"].get<std::string>(), HasSubstr("step 2"));
  EXPECT_TRUE(std::filesystem::exists(file("out/ok/result.json")));
}

TEST_F(SweepTest, KilledSweepResumesWithoutRecomputingFinishedPoints) {
  testing::write_bytes(file("base.yaml"),
                       "threads: 2\nmodel: {d_model: 32, n_layers: 1, context: 32, attention: {n_heads: 2}}\n"
                       "data: {type: synthetic, bytes: 40000, seed: 5}\n"
                       "train: {steps: 60, batch_size: 2, warmup: 1, eval_every: 20, eval_tokens: 256, checkpoint_every: 5}\n");
  const std::string sweep = file("killed.yaml");
  testing::write_bytes(sweep, "name: killed\nbase: base.yaml\nsweep: {grid: {seed: [0, 1, 2, 3, 4, 5]}}\n");
  const std::string dir = file("out");

  // Kill once the second point has a checkpoint: point 1 is finished, point 2 is half done.
  const pid_t child = testing::spawn_ablate({"run", sweep, "-o", dir});
  ASSERT_TRUE(testing::kill_when_exists(child, dir + "/seed=1/checkpoint.safetensors"))
      << "the sweep finished before it could be killed";
  ASSERT_TRUE(std::filesystem::exists(dir + "/seed=0/result.json"));
  ASSERT_FALSE(std::filesystem::exists(dir + "/seed=5/result.json"));
  const std::string first = testing::read_bytes(dir + "/seed=0/result.json");

  std::ostringstream out, err;
  ASSERT_EQ(run_cli({"run", sweep, "-o", dir}, out, err), 0) << err.str();
  EXPECT_THAT(out.str(), HasSubstr("seed=0: " + dir + "/seed=0/result.json exists, skipping"));
  EXPECT_THAT(out.str(), HasSubstr("1 already done"));
  EXPECT_EQ(testing::read_bytes(dir + "/seed=0/result.json"), first) << "a finished point was recomputed";
  for (int s = 0; s < 6; ++s) {
    const json r = json::parse(testing::read_bytes(dir + "/seed=" + std::to_string(s) + "/result.json"));
    EXPECT_EQ(r["loss_curve"].size(), 60u) << s;
  }
  // The interrupted point continued from its checkpoint instead of starting over.
  const json resumed = json::parse(testing::read_bytes(dir + "/seed=1/result.json"));
  EXPECT_GT(resumed["resumed_from_step"].get<int64_t>(), 0);
}

// Every *.json under `dir` (results, sweep.json) must parse: a kill never leaves a partial one.
void expect_all_json_parses(const std::string& dir, const std::string& when) {
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.path().extension() != ".json") continue;
    EXPECT_NO_THROW(json::parse(testing::read_bytes(entry.path().string()))) << entry.path() << " " << when;
  }
}

TEST_F(SweepTest, SigkillAtRandomMomentsThenRerunCompletesTheSweepExactly) {
  testing::write_bytes(file("base.yaml"),
                       "threads: 2\nmodel: {d_model: 32, n_layers: 1, context: 32, attention: {n_heads: 2}}\n"
                       "data: {type: synthetic, bytes: 40000, seed: 5}\n"
                       "train: {steps: 150, batch_size: 2, warmup: 1, eval_every: 50, eval_tokens: 256, checkpoint_every: 7}\n"
                       "eval: {max_tokens: 512}\n");
  const std::string sweep = file("random_kills.yaml");
  testing::write_bytes(sweep, "name: random_kills\nbase: base.yaml\nsweep: {grid: {seed: [0, 1, 2]}}\n");

  // The uninterrupted sweep: the reference numbers, and its duration D to place the kills in.
  const auto start = std::chrono::steady_clock::now();
  ASSERT_EQ(testing::wait_for_child(testing::spawn_ablate({"run", sweep, "-o", file("whole")})), 0);
  const double duration = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  // Kill points drawn from a fixed seed, each a fraction of D after a (re)start of the same sweep;
  // progress accumulates, so later restarts also land in checkpoint writes, evaluation and results.
  const std::string dir = file("killed");
  Rng rng(20261123);
  int kills = 0;
  std::string states;  // what each kill interrupted: finished points + checkpointed steps
  for (int attempt = 0; attempt < 10; ++attempt) {
    const double fraction = 0.02 + 0.28 * rng.uniform();
    const pid_t child = testing::spawn_ablate({"run", sweep, "-o", dir});
    std::this_thread::sleep_for(std::chrono::duration<double>(fraction * duration));
    kill(child, SIGKILL);
    const int code = testing::wait_for_child(child);
    if (code != 128 + SIGKILL) {
      EXPECT_EQ(code, 0) << "attempt " << attempt;  // it finished before the kill
      break;
    }
    ++kills;
    if (!std::filesystem::exists(dir)) {
      states += " (not started)";
      continue;
    }
    expect_all_json_parses(dir, "after kill " + std::to_string(kills));
    int finished = 0;
    int64_t steps = 0;
    for (int seed = 0; seed < 3; ++seed) {
      const std::string point = dir + "/seed=" + std::to_string(seed);
      if (std::filesystem::exists(point + "/result.json")) ++finished;
      else if (std::filesystem::exists(point + "/checkpoint.safetensors"))
        steps = open_checkpoint(point + "/checkpoint.safetensors").state.step;
    }
    states += " (" + std::to_string(finished) + " done, step " + std::to_string(steps) + ")";
  }
  EXPECT_GE(kills, 1);

  std::ostringstream out, err;
  ASSERT_EQ(run_cli({"run", sweep, "-o", dir}, out, err), 0) << err.str();
  expect_all_json_parses(dir, "after the re-run");
  for (int seed = 0; seed < 3; ++seed) {
    const std::string point = "/seed=" + std::to_string(seed) + "/result.json";
    const json whole = json::parse(testing::read_bytes(file("whole") + point));
    const json killed = json::parse(testing::read_bytes(dir + point));
    EXPECT_EQ(killed["loss_curve"], whole["loss_curve"]) << point;  // resume is exact
    EXPECT_EQ(killed["metrics"]["final_validation_loss"], whole["metrics"]["final_validation_loss"]) << point;
    EXPECT_EQ(killed["metrics"]["validation"], whole["metrics"]["validation"]) << point;
  }
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir))
    EXPECT_EQ(entry.path().filename().string().find(".tmp."), std::string::npos) << entry.path() << " left behind";
  std::printf("%d kills over a %.2f s sweep:%s; the re-run matched the uninterrupted sweep\n", kills, duration,
              states.c_str());
}

TEST_F(SweepTest, EvalExtendAndChoiceOfASweepScoreEveryTrainedPointIntoItsFolder) {
  const std::string sweep = "sweep:\n  variants: {rms: {}, ln: {model.norm.type: layernorm}, gelu: {model.mlp.type: gelu}}\n";
  const std::string sections = "extend: {lengths: [32, 64], methods: [{type: none}]}\nchoice: {task: synthetic, items: 6}\n";
  std::ostringstream out, err;
  ASSERT_EQ(run_cli({"run", write_config(kBase + sweep), "-o", file("s"), "--point", "rms"}, out, err), 0) << err.str();
  ASSERT_EQ(run_cli({"run", write_config(kBase + sweep), "-o", file("s"), "--point", "ln"}, out, err), 0) << err.str();
  const std::string config = write_config(kBase + sections + sweep);
  for (const std::string kind : {"eval", "extend", "choice"}) {
    out.str("");
    err.str("");
    ASSERT_EQ(run_cli({kind, config, "-o", file("s")}, out, err), 0) << kind << ": " << err.str();
    EXPECT_THAT(err.str(), HasSubstr("gelu: not trained yet"));
    EXPECT_THAT(err.str(), HasSubstr("tiny_sweep: " + kind + " of 2 of 3 points in " + file("s")));
    for (const std::string point : {"rms", "ln"}) {
      const json r = json::parse(testing::read_bytes(file("s/" + point + "/" + kind + ".json")));
      EXPECT_EQ(r["kind"], kind);
      EXPECT_EQ(r["sweep"]["point"], point);  // the report keeps one variant per point
      EXPECT_EQ(r["checkpoint"], file("s/" + point + "/checkpoint.safetensors"));
    }
    EXPECT_FALSE(std::filesystem::exists(file("s/gelu/" + kind + ".json")));
  }
  EXPECT_EQ(run_cli({"eval", config, "-o", file("s"), "--checkpoint", "x.safetensors"}, out, err), 1);
  EXPECT_THAT(err.str(), HasSubstr("--checkpoint names one checkpoint, and this file is a sweep"));
}

// The report lists a sweep's variants in the sweep's order, so its first variant is the baseline.
TEST_F(SweepTest, TheReportFollowsTheSweepsOrderOfVariants) {
  const std::string config =
      write_config(kBase + "sweep:\n  variants: {zeta: {}, alpha: {model.norm.type: layernorm}}\n");
  std::ostringstream out, err;
  ASSERT_EQ(run_cli({"run", config, "-o", file("s")}, out, err), 0) << err.str();
  ASSERT_EQ(run_cli({"report", file("s")}, out, err), 0) << err.str();
  const std::string md = testing::read_bytes(file("s/report/report.md"));
  EXPECT_THAT(md, HasSubstr("Baseline: zeta (the first variant"));
  EXPECT_LT(md.find("| zeta |"), md.find("| alpha |"));
}

}  // namespace
}  // namespace ablate
