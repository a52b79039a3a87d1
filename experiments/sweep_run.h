// Running a sweep's points here (the local executor), one point by name (what each Slurm array
// task does, and `ablate run CONFIG --point NAME` by hand), and DIR/sweep.json, the sweep's
// summary, which is always rebuilt from the points' own folders (run_folder.h): a point is done
// when its result.json is there, whatever happened to the last attempt, so the summary never marks
// a finished point failed.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

#include "experiments/run.h"
#include "experiments/sweep.h"

namespace ablate {

struct SweepOptions {
  RunOptions run;    // run.dir: one folder per point; run.threads: the total, each of `jobs` points gets threads / jobs
  int64_t jobs = 0;  // 0 = the plan's
};

struct SweepOutcome {
  int64_t completed = 0, skipped = 0, failed = 0;
};

// Runs every point not finished yet (unfinished points continue from their checkpoints); a
// failing point is reported and the others still run. Holds DIR's lock throughout, so a second
// local sweep into DIR stops at once (FolderBusyError).
SweepOutcome run_sweep(const SweepPlan& plan, const SweepOptions& options);

// Runs the point named `point` into options.run.dir/POINT with options.run.threads, then rebuilds
// sweep.json. ConfigError listing the names when there is no such point.
RunStatus run_sweep_point(const SweepPlan& plan, const std::string& point, const SweepOptions& options);

// {"format": "ablate-sweep/2", "name", "points": [{"name", "variant", "status" (pending / running /
// unfinished / failed / done), "result", and where known "error", "failed_at", "slurm_job"}]}
// from the points' folders under DIR and the Slurm submissions (slurm_executor.h).
nlohmann::json sweep_summary(const SweepPlan& plan, const std::string& dir);

// Writes sweep_summary to DIR/sweep.json atomically, under DIR/.sweep.lock (several Slurm tasks
// finish at once).
void write_sweep_summary(const SweepPlan& plan, const std::string& dir);

}  // namespace ablate
