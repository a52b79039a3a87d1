// What every result JSON records about where and how it ran: the source revision, the machine,
// the library versions and build settings, and the process's memory use. Nothing here throws:
// what cannot be found is reported as "unknown" (or 0 for a number that cannot be read).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace ablate {

// "2026-11-23T10:04:05Z": UTC, whole seconds (fractions are truncated towards the past).
std::string iso8601_utc(std::chrono::system_clock::time_point t);

// {"revision": "<40 hex>" or "unknown", "dirty": true when tracked files have uncommitted
// changes, "source_dir": the source tree the binary was built from} from
// `git rev-parse HEAD` and `git status --porcelain --untracked-files=no` run in that tree
// (read-only: --no-optional-locks, so the index is never rewritten; stderr discarded).
// "unknown" and dirty = false when git or the repository is absent.
nlohmann::json git_info();

// {"hostname", "os" (uname sysname and release, "Linux 6.1.0-18-amd64"), "cpu" (the model name
// from /proc/cpuinfo, "unknown" if absent), "cores" (hardware threads, ≥ 1), "memory_bytes"
// (MemTotal from /proc/meminfo, else sysconf; 0 if neither is known), "threads" (threads_used)}.
nlohmann::json machine_info(int threads_used);

// This machine's host name (gethostname), "unknown" when it has none.
std::string host_name();

// {"compiler": "gcc 12.2.0" / "clang ...", "eigen": "3.4.0", "onetbb": "2021.8.0",
// "nlohmann_json": "3.11.2", "yaml_cpp": "0.7.0" (as CMake found it; "unknown" if it did not
// say), "build_type": "Release" ("unknown" if none), "native_arch": built with -march=native}.
nlohmann::json library_versions();

// Peak resident set size of this process in bytes: the kernel's high-water mark VmHWM from
// /proc/self/status (which PeakRssScope resets), else getrusage's ru_maxrss (which a reset does not
// lower); never below the current size. The current one is read from /proc/self/statm (0 where
// that cannot be read).
int64_t peak_rss_bytes();
int64_t current_rss_bytes();

// The peak resident memory of one run, in a process that may run several (a sweep runs its points
// in one process, one after another or side by side). Opening a scope returns freed heap memory to
// the system (glibc's malloc_trim) and resets the high-water mark to the current size (writing "5"
// to /proc/self/clear_refs, Linux >= 4.0, proc(5)) — only when no other scope is open, since the
// mark is the whole process's. The peak then includes what the process holds when the scope opens
// (code, libraries: a few MiB).
class PeakRssScope {
 public:
  PeakRssScope();
  ~PeakRssScope();
  PeakRssScope(const PeakRssScope&) = delete;
  PeakRssScope& operator=(const PeakRssScope&) = delete;

  // The peak so far (peak_rss_bytes()).
  int64_t peak_bytes() const { return peak_rss_bytes(); }
  // "run": the mark was reset when this scope opened and no other scope was open beside it, so the
  // peak is this run's; "process": the process's peak since it started or since another run's reset
  // (the reset is not possible here, or other runs ran beside this one).
  const char* scope() const;

 private:
  bool reset_ = false;
  uint64_t overlaps_at_open_ = 0;
};

}  // namespace ablate
