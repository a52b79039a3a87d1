// Sweeps as Slurm job arrays (see slurm_executor.h).
#include "experiments/slurm_executor.h"

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <ostream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "experiments/run_folder.h"
#include "experiments/sweep_run.h"
#include "harness/common/file_io.h"
#include "harness/common/folder_lock.h"
#include "harness/common/process.h"
#include "harness/common/run_info.h"
#include "harness/common/text.h"

namespace ablate {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSubmissionsFormat = "ablate-slurm/1";

fs::path slurm_dir(const std::string& dir) { return fs::path(dir) / "slurm"; }

std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

void write_submissions(const std::string& dir, const SlurmSubmissions& s) {
  nlohmann::json j = {{"format", kSubmissionsFormat}, {"submissions", nlohmann::json::array()}};
  for (const SlurmSubmission& sub : s.list)
    j["submissions"].push_back(
        {{"job", sub.job}, {"submitted_at", sub.submitted_at}, {"script", sub.script}, {"points", sub.points}});
  const std::string text = j.dump(2) + "\n";
  write_file_atomically((slurm_dir(dir) / "submissions.json").string(), {{text.data(), text.size()}});
}

// This executable's absolute path: what the array tasks run.
std::string this_executable() {
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) throw std::runtime_error("cannot find the ablate executable (/proc/self/exe): " + ec.message());
  return self.string();
}

int64_t task_threads(const SlurmSweepRequest& r) {
  if (r.plan->executor.cpus_per_task > 0) return r.plan->executor.cpus_per_task;
  return r.config_threads > 0 ? r.config_threads : 1;
}

// sbatch's arguments for an array of `n` tasks (the script goes last).
std::vector<std::string> sbatch_arguments(const SlurmSweepRequest& r, size_t n) {
  const SweepExecutor& e = r.plan->executor;
  std::vector<std::string> args = {"sbatch", "--parsable", "--job-name=ablate-" + r.plan->name,
                                   "--array=0-" + std::to_string(n - 1),
                                   "--output=" + (slurm_dir(r.run.dir) / "%A_%a.log").string(),
                                   "--cpus-per-task=" + std::to_string(task_threads(r))};
  if (!e.partition.empty()) args.push_back("--partition=" + e.partition);
  if (!e.time.empty()) args.push_back("--time=" + e.time);
  if (!e.mem.empty()) args.push_back("--mem=" + e.mem);
  args.insert(args.end(), e.extra.begin(), e.extra.end());
  return args;
}

std::string array_script(const SlurmSweepRequest& r, const std::vector<std::string>& points,
                         const std::vector<std::string>& sbatch_args) {
  std::string submitted;
  for (const std::string& a : sbatch_args) submitted += " " + shell_quote(a);
  std::string list;
  for (const std::string& p : points) list += " " + shell_quote(p);
  std::string command = shell_quote(this_executable()) + " " + run_kind_name(r.run.kind) + " " +
                        shell_quote(fs::absolute(r.config_path).string()) +
                        " --point \"${points[$SLURM_ARRAY_TASK_ID]}\" -o " + shell_quote(r.run.dir) +
                        " --threads " + std::to_string(task_threads(r)) + (r.run.force ? " --force" : "");
  return "#!/bin/bash\n"
         "# Written by ablate for the sweep " + r.plan->name + ": array task i runs point i of the list below.\n"
         "# Submitted as:" + submitted + " SCRIPT\n"
         "set -u\n"
         "points=(" + list + " )\n"
         "cd " + shell_quote(fs::current_path().string()) + " || exit 1\n"
         "exec " + command + "\n";
}

// The job id sbatch --parsable printed ("123" or "123;cluster").
std::string parsed_job_id(const std::string& output) {
  const std::string line = trim(output.substr(0, output.find('\n')));
  const std::string id = line.substr(0, line.find(';'));
  if (id.empty() || id.find_first_not_of("0123456789") != std::string::npos)
    throw std::runtime_error("sbatch printed no job id: " + trim(output));
  return id;
}

std::vector<std::string> job_ids(const SlurmSubmissions& s) {
  std::vector<std::string> ids;
  for (const SlurmSubmission& sub : s.list) ids.push_back(sub.job);
  return ids;
}

// Runs a Slurm query printing "TASK|STATE" lines and passes each to `line` (nothing when the
// command fails: no Slurm, no accounting).
void for_each_task_line(const std::vector<std::string>& argv,
                        const std::function<void(const std::string&, const std::string&)>& line) {
  const ProcessResult r = run_process(argv, ChildStderr::kDiscarded);
  if (r.exit_status != 0) return;
  std::istringstream lines(r.output);
  for (std::string text; std::getline(lines, text);) {
    const size_t bar = text.find('|');
    if (bar != std::string::npos) line(trim(text.substr(0, bar)), trim(text.substr(bar + 1)));
  }
}

}  // namespace

std::string SlurmSubmissions::task_of(const std::string& point) const {
  for (auto it = list.rbegin(); it != list.rend(); ++it)
    for (size_t i = 0; i < it->points.size(); ++i)
      if (it->points[i] == point) return it->job + "_" + std::to_string(i);
  return "";
}

SlurmSubmissions read_slurm_submissions(const std::string& dir) {
  SlurmSubmissions s;
  const fs::path path = slurm_dir(dir) / "submissions.json";
  std::error_code ec;
  if (!fs::exists(path, ec)) return s;
  try {
    const nlohmann::json j = nlohmann::json::parse(read_whole_file(path.string()));
    if (j.value("format", "") != kSubmissionsFormat) throw std::runtime_error("not an ablate-slurm/1 file");
    for (const auto& sub : j.at("submissions"))
      s.list.push_back({sub.at("job").get<std::string>(), sub.value("submitted_at", ""), sub.value("script", ""),
                        sub.at("points").get<std::vector<std::string>>()});
  } catch (const std::exception& e) {
    throw std::runtime_error(path.string() + ": cannot read the Slurm submissions: " + e.what());
  }
  return s;
}

std::map<std::string, std::string> slurm_task_states(const std::vector<std::string>& jobs) {
  std::map<std::string, std::string> states;
  if (jobs.empty()) return states;
  const std::set<std::string> wanted(jobs.begin(), jobs.end());
  auto belongs = [&](const std::string& task) { return wanted.count(task.substr(0, task.find('_'))) > 0; };
  // Every queued and running task, one line each (-r expands pending arrays).
  for_each_task_line({"squeue", "-h", "-r", "-o", "%i|%T"}, [&](const std::string& task, const std::string& state) {
    if (belongs(task)) states[task] = state;
  });
  std::string list;
  for (const std::string& j : jobs) list += (list.empty() ? "" : ",") + j;
  // Ended tasks, where the cluster keeps accounting (sacct fails without it: nothing added).
  for_each_task_line({"sacct", "-n", "-P", "-X", "-o", "JobID,State", "-j", list},
                     [&](const std::string& task, const std::string& state) {
                       const std::string word = state.substr(0, state.find(' '));  // "CANCELLED by 0"
                       if (belongs(task) && task.find('_') != std::string::npos && task.find('[') == std::string::npos &&
                           !states.count(task))
                         states[task] = word;
                     });
  return states;
}

bool slurm_state_is_active(const std::string& state) {
  static const std::set<std::string> active = {"PENDING", "CONFIGURING", "RUNNING", "COMPLETING", "REQUEUED",
                                               "RESIZING", "SUSPENDED", "STAGE_OUT", "SIGNALING", "REQUEUE_HOLD",
                                               "REQUEUE_FED", "RESV_DEL_HOLD"};
  return active.count(state) > 0;
}

SlurmSweepOutcome submit_sweep_to_slurm(const SlurmSweepRequest& r) {
  const SweepPlan& plan = *r.plan;
  std::ostringstream discard;
  std::ostream& out = r.run.out ? *r.run.out : discard;
  std::ostream& log = r.run.log ? *r.run.log : discard;
  const FolderLock lock(r.run.dir, "ablate " + std::string(run_kind_name(r.run.kind)) + " of sweep " + plan.name +
                                       " (submitting to Slurm)");
  SlurmSubmissions submissions = read_slurm_submissions(r.run.dir);
  const std::map<std::string, std::string> states = slurm_task_states(job_ids(submissions));
  SlurmSweepOutcome outcome;
  std::vector<std::string> to_run;
  for (const SweepPoint& point : plan.points) {
    const RunFolderStatus folder = read_run_folder((fs::path(r.run.dir) / point.name).string());
    const auto state = states.find(submissions.task_of(point.name));
    if ((state != states.end() && slurm_state_is_active(state->second)) || folder.state == RunFolderState::kRunning) {
      ++outcome.active;
    } else if (folder.state == RunFolderState::kDone && !r.run.force) {
      ++outcome.done;
    } else {
      to_run.push_back(point.name);
    }
  }
  create_output_directory(slurm_dir(r.run.dir).string());
  write_sweep_summary(plan, r.run.dir);
  if (to_run.empty()) {
    out << plan.name << ": nothing to submit (" << outcome.done << " done, " << outcome.active
        << " queued or running); `ablate status " << r.run.dir << "` shows them\n";
    return outcome;
  }

  const std::vector<std::string> args = sbatch_arguments(r, to_run.size());
  const fs::path script = slurm_dir(r.run.dir) / ("array-" + std::to_string(submissions.list.size() + 1) + ".sbatch");
  const std::string text = array_script(r, to_run, args);
  write_file_atomically(script.string(), {{text.data(), text.size()}});
  std::vector<std::string> argv = args;
  argv.push_back(script.string());
  const ProcessResult sbatch = run_process(argv, ChildStderr::kWithOutput);
  if (sbatch.exit_status != 0)
    throw std::runtime_error("sbatch refused the job array of " + plan.name + " (" +
                             (sbatch.exit_status < 0 ? std::string("did not run") : "exit status " + std::to_string(sbatch.exit_status)) +
                             "): " + trim(sbatch.output) + " (script " + script.string() + ")");
  outcome.job = parsed_job_id(sbatch.output);
  outcome.submitted = static_cast<int64_t>(to_run.size());
  submissions.list.push_back({outcome.job, iso8601_utc(std::chrono::system_clock::now()), script.filename().string(), to_run});
  write_submissions(r.run.dir, submissions);
  write_sweep_summary(plan, r.run.dir);
  out << plan.name << ": submitted " << to_run.size() << " point" << (to_run.size() == 1 ? "" : "s")
      << " as Slurm job array " << outcome.job << " (" << outcome.done << " already done, " << outcome.active
      << " still queued or running); logs in " << slurm_dir(r.run.dir).string() << "; `ablate status " << r.run.dir
      << "` shows progress\n";
  if (!plan.executor.wait) return outcome;

  // Waiting: poll the queue until no task of this array is queued or running.
  std::string last;
  for (;;) {
    int64_t pending = 0, running = 0;
    for (const auto& [task, state] : slurm_task_states({outcome.job})) {
      if (state == "PENDING") ++pending;
      else if (slurm_state_is_active(state)) ++running;
    }
    if (pending + running == 0) break;
    const std::string line = plan.name + ": job array " + outcome.job + ": " + std::to_string(pending) + " queued, " +
                             std::to_string(running) + " running";
    if (line != last) log << line << "\n" << std::flush;
    last = line;
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  write_sweep_summary(plan, r.run.dir);
  for (const std::string& name : to_run)
    if (read_run_folder((fs::path(r.run.dir) / name).string()).state != RunFolderState::kDone) ++outcome.failed;
  return outcome;
}

}  // namespace ablate
