// What a run folder holds, and the two ways it changes without ever losing a finished result.
//
//   DIR/.lock                      the one-writer lock (harness/common/folder_lock.h)
//   DIR/result.json                a finished run (written last, atomically)
//   DIR/checkpoint.safetensors     the run's latest checkpoint
//   DIR/failure.json               the last attempt failed and there is no finished result:
//                                  {"format": "ablate-failure/1", "error", "failed_at", "host",
//                                  "slurm_job"}; removed when a run finishes
//   DIR/.incoming/                 a --force run in progress: it trains and evaluates here while
//                                  the previous result stays where it is
//
// A forced run is committed by moving its files from .incoming/ into DIR, result.json last; the
// presence of .incoming/result.json is the commit point. So a forced run that fails or is killed
// before it finishes leaves the previous files as they were (its .incoming/ is discarded by the
// next run in DIR), and one killed while committing is completed by the next run in DIR.
#pragma once

#include <string>

namespace ablate {

// DIR/.incoming
std::string incoming_dir(const std::string& dir);

// Run by every run of DIR under its lock before anything else: completes a committed forced run,
// discards an uncommitted one.
void settle_incoming(const std::string& dir);

// Removes DIR/.incoming (a forced run that failed).
void discard_incoming(const std::string& dir);

// Moves the finished forced run in DIR/.incoming/ into DIR (result.json last).
void commit_incoming(const std::string& dir);

// The failure record (best effort: a record that cannot be written is no reason to hide `error`).
void write_failure_record(const std::string& dir, const std::string& error);
void remove_failure_record(const std::string& dir);

enum class RunFolderState {
  kPending,     // nothing yet
  kRunning,     // a process holds the folder's lock
  kUnfinished,  // a checkpoint and no result: the next run resumes it
  kFailed,      // the last attempt failed and there is no result
  kDone,        // result.json
};

const char* run_folder_state_name(RunFolderState state);  // "pending", "running", ...

struct RunFolderStatus {
  RunFolderState state = RunFolderState::kPending;
  std::string error;      // from failure.json, when there is one
  std::string failed_at;  // its time
  std::string slurm_job;  // the Slurm job (array task) of the failed attempt, when it ran under Slurm
  std::string holder;     // kRunning: who holds the lock
};

// Read-only: never takes the lock (a running process keeps it).
RunFolderStatus read_run_folder(const std::string& dir);

}  // namespace ablate
