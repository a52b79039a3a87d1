// Where and how a run ran (see run_info.h).
#include "harness/common/run_info.h"

#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include <Eigen/Core>
#include <oneapi/tbb/version.h>

#include "components/core/precision.h"
#include "components/core/weight_matmul.h"
#include "harness/common/process.h"
#include "harness/common/text.h"

// Set by CMakeLists.txt for the ablate_harness library; the fallbacks keep the file buildable
// on its own.
#ifndef ABLATE_SOURCE_DIR
#define ABLATE_SOURCE_DIR ""
#endif
#ifndef ABLATE_YAML_CPP_VERSION
#define ABLATE_YAML_CPP_VERSION ""
#endif
#ifndef ABLATE_BUILD_TYPE
#define ABLATE_BUILD_TYPE ""
#endif
#ifndef ABLATE_NATIVE_ARCH
#define ABLATE_NATIVE_ARCH 0
#endif

namespace ablate {
namespace {

std::string or_unknown(const std::string& s) { return s.empty() ? "unknown" : s; }

// Runs git in `dir` (read-only: --no-optional-locks) with stderr discarded; its stdout, and whether
// it exited 0.
bool run_git(const std::string& dir, const std::vector<std::string>& args, std::string& output) {
  std::vector<std::string> argv = {"git", "--no-optional-locks", "-C", dir};
  argv.insert(argv.end(), args.begin(), args.end());
  try {
    const ProcessResult r = run_process(argv, ChildStderr::kDiscarded);
    output = r.output;
    return r.exit_status == 0;
  } catch (const std::exception&) {  // no pipe: as if git were absent
    output.clear();
    return false;
  }
}

bool is_hex_revision(const std::string& s) {
  if (s.size() != 40 && s.size() != 64) return false;  // SHA-1, or SHA-256 repositories
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; });
}

// The value after the first "key<spaces>:" line of a /proc file such as /proc/cpuinfo.
std::string proc_field(const std::string& path, const std::string& key) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    if (trim(line.substr(0, colon)) == key) return trim(line.substr(colon + 1));
  }
  return "";
}

}  // namespace

std::string iso8601_utc(std::chrono::system_clock::time_point t) {
  const auto secs = std::chrono::floor<std::chrono::seconds>(t.time_since_epoch()).count();
  const std::time_t tt = static_cast<std::time_t>(secs);
  std::tm tm{};
  ::gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

nlohmann::json git_info() {
  const std::string dir = ABLATE_SOURCE_DIR;
  nlohmann::json info = {{"revision", "unknown"}, {"dirty", false}, {"source_dir", or_unknown(dir)}};
  if (dir.empty()) return info;
  std::string out;
  if (!run_git(dir, {"rev-parse", "HEAD"}, out)) return info;
  const std::string revision = trim(out);
  if (!is_hex_revision(revision)) return info;
  info["revision"] = revision;
  if (run_git(dir, {"status", "--porcelain", "--untracked-files=no"}, out)) info["dirty"] = !trim(out).empty();
  return info;
}

std::string host_name() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return or_unknown(host);
}

nlohmann::json machine_info(int threads_used) {
  std::string os;
  struct utsname u {};
  if (::uname(&u) == 0) os = std::string(u.sysname) + " " + u.release;

  int64_t cores = std::thread::hardware_concurrency();
  if (cores <= 0) cores = ::sysconf(_SC_NPROCESSORS_ONLN);
  if (cores <= 0) cores = 1;

  int64_t memory = 0;
  const std::string mem_total = proc_field("/proc/meminfo", "MemTotal");  // "131072000 kB"
  if (!mem_total.empty()) memory = std::strtoll(mem_total.c_str(), nullptr, 10) * 1024;
  if (memory <= 0) {
    const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGE_SIZE);
    memory = pages > 0 && page > 0 ? int64_t{pages} * page : 0;
  }
  return {{"hostname", host_name()},
          {"os", or_unknown(os)},
          {"cpu", or_unknown(proc_field("/proc/cpuinfo", "model name"))},
          {"bf16_instructions", cpu_bf16_feature().empty() ? "none" : cpu_bf16_feature()},
          {"onednn_isa", onednn_isa()},
          {"bf16_kernel", bf16_kernel_name()},
          {"cores", cores},
          {"memory_bytes", memory},
          {"threads", threads_used}};
}

nlohmann::json library_versions() {
#if defined(__clang__)
  const std::string compiler = std::string("clang ") + __VERSION__;
#elif defined(__GNUC__)
  const std::string compiler = std::string("gcc ") + __VERSION__;
#else
  const std::string compiler = "unknown";
#endif
  auto dotted = [](long a, long b, long c) {
    return std::to_string(a) + "." + std::to_string(b) + "." + std::to_string(c);
  };
#ifdef TBB_VERSION_PATCH
  const std::string tbb = dotted(TBB_VERSION_MAJOR, TBB_VERSION_MINOR, TBB_VERSION_PATCH);
#else
  const std::string tbb = std::to_string(TBB_VERSION_MAJOR) + "." + std::to_string(TBB_VERSION_MINOR);
#endif
  return {{"compiler", compiler},
          {"eigen", dotted(EIGEN_WORLD_VERSION, EIGEN_MAJOR_VERSION, EIGEN_MINOR_VERSION)},
          {"onetbb", tbb},
          {"onednn", onednn_version()},
          {"nlohmann_json",
           dotted(NLOHMANN_JSON_VERSION_MAJOR, NLOHMANN_JSON_VERSION_MINOR, NLOHMANN_JSON_VERSION_PATCH)},
          {"yaml_cpp", or_unknown(ABLATE_YAML_CPP_VERSION)},
          {"build_type", or_unknown(ABLATE_BUILD_TYPE)},
          {"native_arch", ABLATE_NATIVE_ARCH != 0}};
}

namespace {

// "VmHWM:     1772 kB" in /proc/self/status, in bytes; 0 where it cannot be read.
int64_t vm_hwm_bytes() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) != 0) continue;
    std::istringstream fields(line.substr(6));
    int64_t kib = 0;
    std::string unit;
    return (fields >> kib >> unit) && unit == "kB" ? kib * 1024 : 0;
  }
  return 0;
}

// PeakRssScope's bookkeeping: how many scopes are open, and how many times one opened while
// another was (after which every scope open then has a shared peak).
std::mutex scope_mutex;
int open_scopes = 0;
uint64_t overlaps = 0;

}  // namespace

int64_t peak_rss_bytes() {
  int64_t peak = vm_hwm_bytes();
  struct rusage usage {};
  if (peak == 0 && ::getrusage(RUSAGE_SELF, &usage) == 0) {
#ifdef __APPLE__
    peak = static_cast<int64_t>(usage.ru_maxrss);  // bytes on macOS
#else
    peak = static_cast<int64_t>(usage.ru_maxrss) * 1024;  // kilobytes on Linux
#endif
  }
  // The kernel's high-water mark can trail the page counts /proc reports by a few batched
  // pages; the peak is never below the current size.
  return std::max(peak, current_rss_bytes());
}

int64_t current_rss_bytes() {
  std::ifstream in("/proc/self/statm");
  int64_t size_pages = 0, resident_pages = 0;
  if (!(in >> size_pages >> resident_pages)) return 0;
  return resident_pages * static_cast<int64_t>(::sysconf(_SC_PAGE_SIZE));
}

PeakRssScope::PeakRssScope() {
  const std::lock_guard<std::mutex> lock(scope_mutex);
  if (open_scopes > 0) {
    ++overlaps;  // the mark is shared with the runs open now: no reset
  } else {
#if defined(__GLIBC__)
    ::malloc_trim(0);  // earlier runs' freed heap pages would otherwise count as this run's
#endif
    std::ofstream clear_refs("/proc/self/clear_refs");
    clear_refs << "5";
    clear_refs.flush();
    reset_ = clear_refs.good() && vm_hwm_bytes() > 0;
  }
  ++open_scopes;
  overlaps_at_open_ = overlaps;
}

PeakRssScope::~PeakRssScope() {
  const std::lock_guard<std::mutex> lock(scope_mutex);
  --open_scopes;
}

const char* PeakRssScope::scope() const {
  const std::lock_guard<std::mutex> lock(scope_mutex);
  return reset_ && overlaps == overlaps_at_open_ ? "run" : "process";
}

}  // namespace ablate
