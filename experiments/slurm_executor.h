// The Slurm executor (sweep.executor.type: slurm): a sweep's points as one Slurm job array, each
// array task running one point, `ablate run CONFIG --point NAME -o DIR`, into the shared results
// folder DIR (which every node must see at the same path, as the config and the `ablate` binary).
//
//   DIR/slurm/array-N.sbatch        the N-th submitted script (sbatch options from the executor)
//   DIR/slurm/JOB_TASK.log          each array task's stdout + stderr
//   DIR/slurm/submissions.json      {"format": "ablate-slurm/1", "submissions": [{"job", "submitted_at",
//                                   "script", "points": [NAME, ...]}]}: array task i runs points[i]
//
// Submitting again submits only the points that are neither done nor queued or running (a point
// that failed, or whose task was cancelled, goes again). Runs `sbatch`, `squeue` and (where the
// cluster keeps accounting) `sacct` from PATH, with SLURM_CONF as the environment gives it.
#pragma once

#include <iosfwd>
#include <map>
#include <string>
#include <vector>

#include "experiments/run.h"
#include "experiments/sweep.h"

namespace ablate {

struct SlurmSubmission {
  std::string job;  // the array's job id
  std::string submitted_at;
  std::string script;
  std::vector<std::string> points;  // array task i runs points[i]
};

struct SlurmSubmissions {
  std::vector<SlurmSubmission> list;  // oldest first
  // "123_4": the array task that last ran (or will run) `point`; "" if it was never submitted.
  std::string task_of(const std::string& point) const;
};

// DIR/slurm/submissions.json (empty when there is none; an unreadable one is an error naming it).
SlurmSubmissions read_slurm_submissions(const std::string& dir);

// What Slurm says about array tasks ("123_4" -> "PENDING", "RUNNING", "COMPLETED", "FAILED",
// "CANCELLED", ...): squeue for queued and running tasks, then sacct (when the cluster keeps
// accounting) for ended ones. Tasks Slurm no longer knows are absent.
std::map<std::string, std::string> slurm_task_states(const std::vector<std::string>& jobs);

// Whether a Slurm state means the task is still to run or running.
bool slurm_state_is_active(const std::string& state);

struct SlurmSweepRequest {
  const SweepPlan* plan = nullptr;
  std::string config_path;  // the sweep's YAML file, as the tasks will read it
  RunOptions run;           // dir, kind, force; out: what was submitted; log: progress while waiting
  int64_t config_threads = 0;
};

struct SlurmSweepOutcome {
  std::string job;           // the submitted array ("" when nothing needed to run)
  int64_t submitted = 0, done = 0, active = 0;
  int64_t failed = 0;        // after waiting: points that did not finish
};

// Submits the points that need to run (see above), writes sweep.json, and with executor.wait
// polls Slurm until the array has ended, then rewrites sweep.json. std::runtime_error with
// sbatch's own message when it refuses the job.
SlurmSweepOutcome submit_sweep_to_slurm(const SlurmSweepRequest& request);

}  // namespace ablate
