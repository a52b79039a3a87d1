// Where and how a run ran (see run_info.h).
#include "harness/common/run_info.h"

#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <thread>
#include <vector>

#include <Eigen/Core>
#include <oneapi/tbb/version.h>

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

nlohmann::json machine_info(int threads_used) {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
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
  return {{"hostname", or_unknown(host)},
          {"os", or_unknown(os)},
          {"cpu", or_unknown(proc_field("/proc/cpuinfo", "model name"))},
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
          {"nlohmann_json",
           dotted(NLOHMANN_JSON_VERSION_MAJOR, NLOHMANN_JSON_VERSION_MINOR, NLOHMANN_JSON_VERSION_PATCH)},
          {"yaml_cpp", or_unknown(ABLATE_YAML_CPP_VERSION)},
          {"build_type", or_unknown(ABLATE_BUILD_TYPE)},
          {"native_arch", ABLATE_NATIVE_ARCH != 0}};
}

int64_t peak_rss_bytes() {
  int64_t peak = 0;
  struct rusage usage {};
  if (::getrusage(RUSAGE_SELF, &usage) == 0) {
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

}  // namespace ablate
