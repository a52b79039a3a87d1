// Helpers shared by the tests: random fills, central-difference gradient checks, tensor comparison,
// and small model configs of each family.
#pragma once

#include <gtest/gtest.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "components/core/random.h"
#include "components/model/model_config.h"
#include "harness/data/batch_loader.h"

namespace ablate::testing {

// (inputs, targets) of one batch, and the next n batches of a loader.
using Batch = std::pair<std::vector<int32_t>, std::vector<int32_t>>;
inline std::vector<Batch> draw_batches(BatchLoader& loader, int n) {
  std::vector<Batch> out(static_cast<size_t>(n));
  for (auto& [x, y] : out) loader.next(x, y);
  return out;
}

// AddressSanitizer (scripts/sanitize) reserves terabytes of shadow address space and aborts on a
// failed allocation, so tests that measure memory under RLIMIT_AS / RLIMIT_DATA skip themselves
// there; the normal build runs them.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kAddressSanitizer = true;
#else
constexpr bool kAddressSanitizer = false;
#endif
#else
constexpr bool kAddressSanitizer = false;
#endif
#define ABLATE_SKIP_UNDER_ASAN() \
  if (::ablate::testing::kAddressSanitizer) GTEST_SKIP() << "a memory-limit test: AddressSanitizer's shadow memory defeats the limit"

inline std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(out.good()) << path;
}

// The message of whatever `f` throws, or "(no exception)".
inline std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no exception)";
}

#define EXPECT_CONTAINS(text, part) EXPECT_NE(std::string(text).find(part), std::string::npos) << (text)

#ifdef ABLATE_BINARY
// Starts the real `ablate` binary with `args` in a child process, its output sent to /dev/null,
// optionally under an address-space limit (RLIMIT_AS, bytes; 0 = none). Returns the child's pid.
inline pid_t spawn_ablate(const std::vector<std::string>& args, size_t address_space_bytes = 0) {
  std::vector<std::string> argv_strings = {ABLATE_BINARY};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_strings) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t child = fork();
  if (child == 0) {
    const int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 1);
    dup2(devnull, 2);
    if (address_space_bytes > 0) {
      struct rlimit rl = {address_space_bytes, address_space_bytes};
      setrlimit(RLIMIT_AS, &rl);
    }
    execv(ABLATE_BINARY, argv.data());
    _exit(127);
  }
  return child;
}

// Runs the real `ablate` binary to completion under one resource limit (e.g. RLIMIT_FSIZE, a
// file-size limit that makes writes fail like a full disk). Returns the exit code (or 128 + the
// signal that ended it) and what it wrote to stderr (read through a pipe, so the limit does not
// cut it short).
struct ChildOutcome {
  int code;
  std::string err;
};
inline ChildOutcome run_ablate_limited(const std::vector<std::string>& args, int resource, rlim_t limit) {
  std::vector<std::string> argv_strings = {ABLATE_BINARY};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_strings) argv.push_back(a.data());
  argv.push_back(nullptr);
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) return {-1, "pipe failed"};
  const pid_t child = fork();
  if (child == 0) {
    const int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 1);
    dup2(pipe_fds[1], 2);
    close(pipe_fds[0]);
    struct rlimit rl = {limit, limit};
    setrlimit(resource, &rl);
    execv(ABLATE_BINARY, argv.data());
    _exit(127);
  }
  close(pipe_fds[1]);
  ChildOutcome outcome{0, ""};
  char buffer[4096];
  for (ssize_t got; (got = read(pipe_fds[0], buffer, sizeof buffer)) != 0;) {
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) break;
    outcome.err.append(buffer, static_cast<size_t>(got));
  }
  close(pipe_fds[0]);
  int status = 0;
  waitpid(child, &status, 0);
  outcome.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return outcome;
}

// Waits for the child; its exit code, or 128 + the signal that ended it.
inline int wait_for_child(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Polls until `path` exists (5 minutes at most), then SIGKILLs the child and reaps it. True when
// the kill ended it (false: it had exited on its own first).
inline bool kill_when_exists(pid_t pid, const std::string& path) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
  while (!std::filesystem::exists(path) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  kill(pid, SIGKILL);
  return wait_for_child(pid) == 128 + SIGKILL;
}
#endif

// Sets an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    const char* old = getenv(name);
    had_ = old != nullptr;
    if (had_) old_ = old;
    setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (had_) setenv(name_, old_.c_str(), 1);
    else unsetenv(name_);
  }

 private:
  const char* name_;
  bool had_ = false;
  std::string old_;
};

// A fixture whose every test gets a fresh directory under ::testing::TempDir(), removed afterwards.
class TempDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "ablate_test_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr) << tmpl;
    dir_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string file(const std::string& name) const { return dir_ + "/" + name; }
  std::vector<std::string> listing() const {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(dir_)) names.push_back(entry.path().filename().string());
    return names;
  }
  std::string dir_;
};

template <typename S>
void fill_normal(std::vector<S>& v, Rng& rng, double std = 1.0, double mean = 0.0) {
  for (auto& x : v) x = static_cast<S>(mean + std * rng.normal());
}

template <typename S>
std::vector<S> normal_vector(size_t n, Rng& rng, double std = 1.0) {
  std::vector<S> v(n);
  fill_normal(v, rng, std);
  return v;
}

// Checks analytic[i] against the central difference (f(x+h) − f(x−h)) / 2h of `loss` with respect
// to values[i], on up to `max_checks` indices spread over the vector. Double precision.
inline void expect_gradient(const std::string& what, std::vector<double>& values, const std::vector<double>& analytic,
                            const std::function<double()>& loss, double tolerance = 1e-6, size_t max_checks = 48,
                            double h = 1e-6) {
  ASSERT_EQ(values.size(), analytic.size()) << what;
  const size_t n = values.size();
  const size_t step = std::max<size_t>(1, n / max_checks);
  double worst = 0;
  for (size_t i = 0; i < n; i += step) {
    const double saved = values[i];
    values[i] = saved + h;
    const double up = loss();
    values[i] = saved - h;
    const double down = loss();
    values[i] = saved;
    const double numeric = (up - down) / (2 * h);
    const double error = std::abs(numeric - analytic[i]) / std::max(1.0, std::abs(numeric));
    worst = std::max(worst, error);
    EXPECT_LE(error, tolerance) << what << "[" << i << "]: analytic " << analytic[i] << ", numeric " << numeric;
  }
  EXPECT_LE(worst, tolerance) << what;
}

// max |a − b| / max |b|: the error of a relative to the reference b, scaled by b's magnitude.
template <typename A, typename B>
double relative_error(const std::vector<A>& a, const std::vector<B>& b) {
  double diff = 0, scale = 0;
  for (size_t i = 0; i < b.size(); ++i) {
    diff = std::max(diff, std::abs(double(a[i]) - double(b[i])));
    scale = std::max(scale, std::abs(double(b[i])));
  }
  return diff / std::max(scale, 1e-30);
}

// A small model of each family, resolved. `family` is gpt2, llama or yarn.
inline ModelConfig tiny_config(const std::string& family) {
  ModelConfig c;
  c.vocab_size = 32;
  c.d_model = 16;
  c.n_layers = 2;
  c.context = 16;
  c.init_std = 0.3;
  c.attention.n_heads = 4;
  if (family == "gpt2") {
    c.norm.type = "layernorm";
    c.mlp.type = "gelu";
    c.position.type = "learned";
    c.attention.type = "mha";
    c.tie_embeddings = true;
    c.bias = true;
  } else if (family == "llama") {
    c.norm.type = "rmsnorm";
    c.mlp.type = "swiglu";
    c.position.type = "rope";
    c.attention.type = "gqa";
    c.attention.n_kv_heads = 2;
    c.tie_embeddings = false;
  } else if (family == "yarn") {
    c.norm.type = "rmsnorm";
    c.mlp.type = "swiglu";
    c.position.type = "rope";
    c.position.rotary_dim = 2;
    c.position.scaling.type = "yarn";
    c.position.scaling.factor = 4;
    c.context = 4;
    c.attention.type = "mqa";
    c.tie_embeddings = false;
  } else {
    ADD_FAILURE() << "unknown family " << family;
  }
  c.resolve();
  return c;
}

inline const std::vector<std::string>& families() {
  static const std::vector<std::string> f = {"gpt2", "llama", "yarn"};
  return f;
}

}  // namespace ablate::testing
