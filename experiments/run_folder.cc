// The run folder's files and its forced-run commit (see run_folder.h).
#include "experiments/run_folder.h"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <vector>

#include "harness/common/file_io.h"
#include "harness/common/folder_lock.h"
#include "harness/common/run_info.h"

namespace ablate {
namespace {

namespace fs = std::filesystem;

constexpr const char* kResult = "result.json";
constexpr const char* kFailure = "failure.json";
constexpr const char* kFailureFormat = "ablate-failure/1";

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// "1234_5" for a Slurm array task, "1234" for a plain job, "" outside Slurm.
std::string slurm_job_of_this_process() {
  const std::string array = env("SLURM_ARRAY_JOB_ID"), task = env("SLURM_ARRAY_TASK_ID");
  if (!array.empty() && !task.empty()) return array + "_" + task;
  return env("SLURM_JOB_ID");
}

void move_or_throw(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::rename(from, to, ec);
  if (ec) throw std::runtime_error(from.string() + ": cannot move it to " + to.string() + ": " + ec.message());
}

}  // namespace

std::string incoming_dir(const std::string& dir) { return (fs::path(dir) / ".incoming").string(); }

void settle_incoming(const std::string& dir) {
  const fs::path incoming = incoming_dir(dir);
  std::error_code ec;
  if (!fs::is_directory(incoming, ec)) return;
  if (fs::exists(incoming / kResult, ec)) {
    commit_incoming(dir);
    return;
  }
  fs::remove_all(incoming, ec);
  if (ec) throw std::runtime_error(incoming.string() + ": cannot remove an interrupted forced run: " + ec.message());
}

void discard_incoming(const std::string& dir) {
  std::error_code ec;
  fs::remove_all(incoming_dir(dir), ec);
}

void commit_incoming(const std::string& dir) {
  const fs::path incoming = incoming_dir(dir);
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(incoming))
    if (entry.is_regular_file() && entry.path().filename() != kResult) files.push_back(entry.path());
  for (const fs::path& f : files) move_or_throw(f, fs::path(dir) / f.filename());
  move_or_throw(incoming / kResult, fs::path(dir) / kResult);
  std::error_code ec;
  fs::remove_all(incoming, ec);  // only temporaries of killed writers can be left
}

void write_failure_record(const std::string& dir, const std::string& error) {
  const nlohmann::json record = {{"format", kFailureFormat},
                                 {"error", error},
                                 {"failed_at", iso8601_utc(std::chrono::system_clock::now())},
                                 {"host", host_name()},
                                 {"slurm_job", slurm_job_of_this_process()}};
  const std::string text = record.dump(2) + "\n";
  try {
    write_file_atomically((fs::path(dir) / kFailure).string(), {{text.data(), text.size()}});
  } catch (const std::exception&) {
    // The error itself is what the caller reports.
  }
}

void remove_failure_record(const std::string& dir) {
  std::error_code ec;
  fs::remove(fs::path(dir) / kFailure, ec);
}

const char* run_folder_state_name(RunFolderState state) {
  switch (state) {
    case RunFolderState::kPending: return "pending";
    case RunFolderState::kRunning: return "running";
    case RunFolderState::kUnfinished: return "unfinished";
    case RunFolderState::kFailed: return "failed";
    case RunFolderState::kDone: return "done";
  }
  return "pending";
}

RunFolderStatus read_run_folder(const std::string& dir) {
  RunFolderStatus s;
  const fs::path d(dir);
  std::error_code ec;
  try {
    const nlohmann::json f = nlohmann::json::parse(read_whole_file((d / kFailure).string()));
    if (f.is_object() && f.value("format", "") == kFailureFormat) {
      s.error = f.value("error", "");
      s.failed_at = f.value("failed_at", "");
      s.slurm_job = f.value("slurm_job", "");
    }
  } catch (const std::exception&) {
    // No record (or an unreadable one): no failure to report.
  }
  if (folder_is_locked(dir)) {
    s.state = RunFolderState::kRunning;
    s.holder = lock_holder(dir);
  } else if (fs::exists(d / kResult, ec)) {
    s.state = RunFolderState::kDone;
  } else if (!s.error.empty()) {
    s.state = RunFolderState::kFailed;
  } else if (fs::exists(d / "checkpoint.safetensors", ec)) {
    s.state = RunFolderState::kUnfinished;
  }
  return s;
}

}  // namespace ablate
