// Running sweep points here and the sweep summary (see sweep_run.h).
#include "experiments/sweep_run.h"

#include <oneapi/tbb/task_arena.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <mutex>
#include <ostream>
#include <sstream>
#include <thread>
#include <vector>

#include "experiments/run_folder.h"
#include "experiments/slurm_executor.h"
#include "harness/common/file_io.h"
#include "harness/common/folder_lock.h"

namespace ablate {
namespace {

namespace fs = std::filesystem;

// Writes whole lines to the wrapped stream under a mutex, so points running at once do not
// interleave within a line.
class LineSyncedBuf : public std::stringbuf {
 public:
  LineSyncedBuf(std::ostream& target, std::mutex& mutex) : target_(target), mutex_(mutex) {}
  ~LineSyncedBuf() override {
    sync();
    if (!str().empty()) {
      std::lock_guard<std::mutex> lock(mutex_);
      target_ << str() << std::flush;
    }
  }
  int sync() override {
    std::string text = str();
    const size_t end = text.find_last_of("\n\r");
    if (end == std::string::npos) return 0;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      target_ << text.substr(0, end + 1) << std::flush;
    }
    str(text.substr(end + 1));
    return 0;
  }
  int overflow(int c) override {
    const int r = std::stringbuf::overflow(c);
    if (c == '\n' || c == '\r') sync();
    return r;
  }

 private:
  std::ostream& target_;
  std::mutex& mutex_;
};

// The run of point `i` into DIR/POINT, recording which sweep point it is in its result.
RunRequest point_request(const SweepPlan& plan, size_t i, const RunOptions& run) {
  const SweepPoint& point = plan.points[i];
  RunRequest request;
  request.run = run;
  request.run.dir = (fs::path(run.dir) / point.name).string();
  request.resume = !run.force;  // an interrupted sweep continues its unfinished points
  request.annotations = {{"sweep", sweep_annotation(plan, point)}};
  return request;
}

}  // namespace

SweepOutcome run_sweep(const SweepPlan& plan, const SweepOptions& options) {
  const FolderLock lock(options.run.dir, "ablate " + std::string(run_kind_name(options.run.kind)) + " of sweep " + plan.name);
  const int64_t jobs = std::max<int64_t>(1, std::min<int64_t>(options.jobs > 0 ? options.jobs : plan.jobs,
                                                                static_cast<int64_t>(plan.points.size())));
  const int threads_per_job = std::max(1, options.run.threads / static_cast<int>(jobs));
  std::mutex mutex;
  std::ostringstream discard;
  std::ostream& out_target = options.run.out ? *options.run.out : discard;
  std::ostream& log_target = options.run.log ? *options.run.log : discard;
  const size_t n = plan.points.size();
  std::atomic<size_t> next{0};
  std::atomic<int64_t> completed{0}, skipped{0}, failed{0};

  auto worker = [&] {
    LineSyncedBuf out_buf(out_target, mutex), log_buf(log_target, mutex);
    std::ostream out(&out_buf), log(&log_buf);
    tbb::task_arena arena(threads_per_job);
    for (size_t i = next++; i < n; i = next++) {
      const SweepPoint& point = plan.points[i];
      log << "[" << i + 1 << "/" << n << "] " << point.name << "\n";
      RunRequest request = point_request(plan, i, options.run);
      request.run.threads = threads_per_job;
      request.run.out = &out;
      request.run.log = &log;
      request.run.interactive = options.run.interactive && jobs == 1;
      try {
        RunStatus s = RunStatus::kCompleted;
        arena.execute([&] { s = run_experiment(point.config, request); });
        (s == RunStatus::kSkipped ? skipped : completed)++;
      } catch (const std::exception& e) {
        failed++;
        log << point.name << ": error: " << e.what() << "\n";
      }
      out.flush();
      log.flush();
    }
  };
  if (jobs == 1) {
    worker();
  } else {
    std::vector<std::thread> pool;
    for (int64_t j = 0; j < jobs; ++j) pool.emplace_back(worker);
    for (auto& t : pool) t.join();
  }
  write_sweep_summary(plan, options.run.dir);
  return {completed, skipped, failed};
}

RunStatus run_sweep_point(const SweepPlan& plan, const std::string& point, const SweepOptions& options) {
  const auto it = std::find_if(plan.points.begin(), plan.points.end(), [&](const SweepPoint& p) { return p.name == point; });
  if (it == plan.points.end()) {
    std::string names;
    for (const SweepPoint& p : plan.points) names += (names.empty() ? "" : ", ") + p.name;
    throw ConfigError("--point " + point + ": the sweep " + plan.name + " has no such point (its points: " + names + ")");
  }
  const RunRequest request = point_request(plan, static_cast<size_t>(it - plan.points.begin()), options.run);
  try {
    const RunStatus s = run_experiment(it->config, request);
    write_sweep_summary(plan, options.run.dir);
    return s;
  } catch (const FolderBusyError&) {
    throw;  // the running holder writes the summary
  } catch (const std::exception&) {
    write_sweep_summary(plan, options.run.dir);
    throw;
  }
}

nlohmann::json sweep_summary(const SweepPlan& plan, const std::string& dir) {
  const SlurmSubmissions submissions = read_slurm_submissions(dir);
  nlohmann::json summary = {{"format", "ablate-sweep/2"}, {"name", plan.name}, {"points", nlohmann::json::array()}};
  for (const SweepPoint& point : plan.points) {
    const RunFolderStatus s = read_run_folder((fs::path(dir) / point.name).string());
    nlohmann::json p = {{"name", point.name}, {"variant", point.variant},
                        {"status", run_folder_state_name(s.state)}, {"result", point.name + "/result.json"}};
    if (s.state == RunFolderState::kFailed) {
      p["error"] = s.error;
      p["failed_at"] = s.failed_at;
    }
    const std::string task = submissions.task_of(point.name);
    if (!task.empty()) p["slurm_job"] = task;
    summary["points"].push_back(p);
  }
  return summary;
}

void write_sweep_summary(const SweepPlan& plan, const std::string& dir) {
  const FolderLock lock(dir, "writing sweep.json", /*wait=*/true, ".sweep.lock");
  const std::string text = sweep_summary(plan, dir).dump(2) + "\n";
  remove_stale_temporaries(dir);
  write_file_atomically((fs::path(dir) / "sweep.json").string(), {{text.data(), text.size()}});
}

}  // namespace ablate
