// Peak resident memory per sweep point: a sweep runs its points one after another in one process,
// whose high-water mark would otherwise hold the largest earlier point's peak. Each run resets the
// mark (PeakRssScope), so a small point after a large one reports its own, lower, peak.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "experiments/cli.h"
#include "harness/common/run_info.h"
#include "tests/test_support.h"

namespace ablate {
namespace {

using nlohmann::json;

// Whether this system lets a process reset its own high-water mark (Linux >= 4.0, /proc mounted).
bool can_reset_peak() {
  std::ofstream clear_refs("/proc/self/clear_refs");
  clear_refs << "5";
  clear_refs.flush();
  return clear_refs.good();
}

class PeakMemory : public testing::TempDirTest {
 protected:
  // Runs a sweep of the two points in the given order; returns each point's metrics.
  std::map<std::string, json> sweep(const std::string& name, const std::vector<std::string>& order) {
    const std::map<std::string, std::string> overrides = {
        {"small", "{}"},
        // ~3.2M parameters: weights, gradients and AdamW state ≈ 52 MB more than the small point.
        {"large", "{model.d_model: 256, model.n_layers: 4, model.attention.n_heads: 4}"}};
    std::string yaml =
        "name: " + name + "\n"
        "threads: 1\n"
        "model: {d_model: 32, n_layers: 1, context: 32, attention: {n_heads: 2}}\n"
        "data: {type: synthetic, bytes: 40000, seed: 5}\n"
        "train: {steps: 2, batch_size: 2, warmup: 1, eval_every: 0, eval_tokens: 128, checkpoint_every: 0}\n"
        "eval: {max_tokens: 256}\n"
        "sweep:\n"
        "  variants:\n";
    for (const std::string& point : order) yaml += "    " + point + ": " + overrides.at(point) + "\n";
    testing::write_bytes(file(name + ".yaml"), yaml);
    std::ostringstream out, err;
    EXPECT_EQ(run_cli({"run", file(name + ".yaml"), "-o", file(name)}, out, err), 0) << err.str();
    std::map<std::string, json> metrics;
    for (const std::string& point : order)
      metrics[point] = json::parse(testing::read_bytes(file(name + "/" + point + "/result.json")))["metrics"];
    return metrics;
  }
};

TEST_F(PeakMemory, EachSweepPointHasItsOwnPeak) {
  if (!can_reset_peak()) GTEST_SKIP() << "/proc/self/clear_refs cannot be written here: peaks are the process's";
  // AddressSanitizer keeps freed blocks resident in its quarantine (256 MB by default), so under it
  // a run's peak grows with how much the run allocates and frees (oneDNN's per-call buffers, for
  // one), not with what it holds: the small point after the large one measured 10 MB more.
  if (testing::kAddressSanitizer) GTEST_SKIP() << "AddressSanitizer's quarantine keeps freed memory resident";
  constexpr int64_t kMiB = 1 << 20;
  for (const std::vector<std::string>& order : {std::vector<std::string>{"small", "large"},
                                                std::vector<std::string>{"large", "small"}}) {
    const std::string name = order[0] + "_first";
    std::map<std::string, json> m = sweep(name, order);
    for (const std::string& point : order) EXPECT_EQ(m[point]["peak_rss_scope"], "run") << name << "/" << point;
    const int64_t small = m["small"]["peak_rss_bytes"].get<int64_t>(), large = m["large"]["peak_rss_bytes"].get<int64_t>();
    // The large point holds ~52 MB more: with the mark reset per run, the small point's peak is
    // lower whichever ran first (without the reset, small after large would report large's peak).
    EXPECT_GT(large - small, 32 * kMiB) << name << ": small " << small << ", large " << large;
  }
}

// Scopes open side by side (a sweep's parallel jobs) share the process's mark: none resets it
// while another is open, and both say "process".
TEST(PeakRssScope, OverlappingScopesShareTheProcessPeak) {
  if (!can_reset_peak()) GTEST_SKIP() << "/proc/self/clear_refs cannot be written here";
  {
    const PeakRssScope alone;
    EXPECT_STREQ(alone.scope(), "run");
  }
  const PeakRssScope first;
  EXPECT_STREQ(first.scope(), "run");
  {
    const PeakRssScope second;
    EXPECT_STREQ(second.scope(), "process");
    EXPECT_STREQ(first.scope(), "process");
  }
  EXPECT_STREQ(first.scope(), "process");  // its peak covered the second's run too
  EXPECT_GE(first.peak_bytes(), current_rss_bytes());
}

}  // namespace
}  // namespace ablate
