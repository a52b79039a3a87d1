// `ablate run` and `ablate train` (see train.h).
#include "experiments/train.h"

#include <oneapi/tbb/global_control.h>

#include <filesystem>
#include <ostream>

#include "experiments/command_arguments.h"
#include "experiments/run.h"
#include "experiments/slurm_executor.h"
#include "experiments/sweep.h"
#include "experiments/sweep_run.h"
#include "harness/checkpoints/experiment_inputs.h"
#include "harness/common/progress.h"

namespace ablate {
namespace {

const CommandOptions kRunCommand = {
    "run",
    "Trains, checkpoints and evaluates one experiment (or every point of a sweep, each in DIR/POINT):\n"
    "DIR/checkpoint.safetensors, then DIR/result.json with the validation loss and the config's extend:\n"
    "and choice: sections.",
    /*checkpoint=*/false, /*resume_force=*/true, /*sweep=*/true};

const CommandOptions kTrainCommand = {
    "train",
    "Trains and checkpoints one experiment (or every point of a sweep, each in DIR/POINT):\n"
    "DIR/checkpoint.safetensors and DIR/result.json, without the final evaluation.",
    /*checkpoint=*/false, /*resume_force=*/true, /*sweep=*/true};

// What the command line asks of a run, or a sweep, named `name`.
RunOptions run_options(const CommandArguments& a, const std::string& name, RunKind kind, int threads,
                       std::ostream& out, std::ostream& err) {
  RunOptions run;
  run.dir = output_dir(a, name);
  run.kind = kind;
  run.force = a.force;
  run.threads = threads;
  run.out = &out;
  run.log = &err;
  run.interactive = stream_is_terminal(err);
  return run;
}

// sweep.executor with the command line's executor options applied (and checked as the config's).
SweepExecutor chosen_executor(const SweepPlan& plan, const SweepArguments& s) {
  SweepExecutor e = plan.executor;
  if (s.executor) e.type = *s.executor;
  if (s.partition) e.partition = *s.partition;
  if (s.time) e.time = *s.time;
  if (s.mem) e.mem = *s.mem;
  if (s.cpus_per_task) e.cpus_per_task = *s.cpus_per_task;
  e.extra.insert(e.extra.end(), s.sbatch.begin(), s.sbatch.end());
  e.wait = e.wait || s.wait;
  check_executor(e, "sweep.executor");
  return e;
}

// Every point of the sweep in `tree` into DIR/POINT: here, or as a Slurm job array; or the one
// point --point names.
int run_sweep_points(const ConfigTree& tree, const std::string& stem, const CommandArguments& a, RunKind kind,
                     std::ostream& out, std::ostream& err) {
  SweepPlan plan = plan_sweep(tree, stem);
  plan.executor = chosen_executor(plan, a.sweep);
  const int threads = resolve_threads(a, plan.points.front().config.threads);
  tbb::global_control parallelism(tbb::global_control::max_allowed_parallelism, threads);
  SweepOptions options;
  options.run = run_options(a, plan.name, kind, threads, out, err);
  if (!a.sweep.point.empty()) {
    run_sweep_point(plan, a.sweep.point, options);
    return 0;
  }
  if (plan.executor.type == "slurm") {
    SlurmSweepRequest request;
    request.plan = &plan;
    request.config_path = a.config_path;
    request.run = options.run;
    request.config_threads = plan.points.front().config.threads;
    const SlurmSweepOutcome o = submit_sweep_to_slurm(request);
    if (!plan.executor.wait) return 0;
    out << plan.name << ": " << o.submitted - o.failed << " completed under Slurm, " << o.done << " already done, "
        << o.failed << " failed; results in " << options.run.dir << "\n";
    return o.failed > 0 ? 1 : 0;
  }
  err << plan.name << ": sweep of " << plan.points.size() << " points into " << options.run.dir << "\n";
  const SweepOutcome o = run_sweep(plan, options);
  out << plan.name << ": " << o.completed << " completed, " << o.skipped << " already done, " << o.failed
      << " failed; results in " << options.run.dir << "\n";
  return o.failed > 0 ? 1 : 0;
}

// The one experiment in `tree` into DIR.
int run_one(const ConfigTree& tree, const std::string& stem, const CommandArguments& a, RunKind kind,
            std::ostream& out, std::ostream& err) {
  if (!a.sweep.point.empty() || a.sweep.any_executor_option())
    throw ConfigError(a.config_path + ": --point and the executor options are for sweeps, and this file has no sweep: section");
  const ExperimentConfig config = parse_experiment(tree, stem, experiment_inputs_from_files());
  const int threads = resolve_threads(a, config.threads);
  tbb::global_control parallelism(tbb::global_control::max_allowed_parallelism, threads);
  RunRequest request;
  request.run = run_options(a, config.name, kind, threads, out, err);
  request.resume = a.resume;
  run_experiment(config, request);
  return 0;
}

int run_or_train(const CommandOptions& command, RunKind kind, const std::vector<std::string>& args,
                 std::ostream& out, std::ostream& err) {
  CommandArguments a;
  if (const auto exit = parse_command_arguments(command, args, a, out, err)) return *exit;
  const ConfigTree tree = load_config_tree(a.config_path);
  const std::string stem = std::filesystem::path(a.config_path).stem().string();
  return has_sweep(tree) ? run_sweep_points(tree, stem, a, kind, out, err) : run_one(tree, stem, a, kind, out, err);
}

}  // namespace

int run_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  return run_or_train(kRunCommand, RunKind::kRun, args, out, err);
}

int train_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  return run_or_train(kTrainCommand, RunKind::kTrain, args, out, err);
}

}  // namespace ablate
