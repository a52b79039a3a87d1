// What result files record about the run: the UTC timestamp format, the git revision, the
// machine, library versions, and the process's resident memory.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <regex>
#include <string>
#include <vector>

#include "harness/common/run_info.h"

namespace ablate {
namespace {

TEST(RunInfo, Iso8601Utc) {
  using std::chrono::seconds;
  using std::chrono::system_clock;
  EXPECT_EQ(iso8601_utc(system_clock::time_point{}), "1970-01-01T00:00:00Z");
  EXPECT_EQ(iso8601_utc(system_clock::time_point{seconds{1000000000}}), "2001-09-09T01:46:40Z");
  // Fractions of a second are dropped, not rounded up.
  EXPECT_EQ(iso8601_utc(system_clock::time_point{seconds{1000000000}} + std::chrono::milliseconds{999}),
            "2001-09-09T01:46:40Z");
  EXPECT_EQ(iso8601_utc(system_clock::time_point{seconds{1795428245}}), "2026-11-23T10:04:05Z");
}

TEST(RunInfo, GitInfo) {
  const nlohmann::json g = git_info();
  ASSERT_TRUE(g.contains("revision") && g["revision"].is_string()) << g.dump();
  ASSERT_TRUE(g.contains("dirty") && g["dirty"].is_boolean()) << g.dump();
  ASSERT_TRUE(g.contains("source_dir") && g["source_dir"].is_string()) << g.dump();
  const std::string revision = g["revision"];
  EXPECT_TRUE(std::regex_match(revision, std::regex("[0-9a-f]{40}|[0-9a-f]{64}|unknown"))) << revision;
  if (revision == "unknown") {
    EXPECT_FALSE(g["dirty"].get<bool>());
  }
  EXPECT_EQ(g["source_dir"].get<std::string>(), ABLATE_SOURCE_DIR);
}

TEST(RunInfo, MachineInfo) {
  const nlohmann::json m = machine_info(7);
  EXPECT_EQ(m.at("threads").get<int>(), 7) << m.dump();
  EXPECT_GE(m.at("cores").get<int64_t>(), 1) << m.dump();
  EXPECT_GT(m.at("memory_bytes").get<int64_t>(), 0) << m.dump();
  for (const char* key : {"hostname", "os", "cpu", "bf16_instructions", "onednn_isa", "bf16_kernel"}) {
    ASSERT_TRUE(m.at(key).is_string()) << key;
    EXPECT_FALSE(m.at(key).get<std::string>().empty()) << key;
  }
  EXPECT_EQ(machine_info(1).at("threads").get<int>(), 1);
}

TEST(RunInfo, LibraryVersions) {
  const nlohmann::json v = library_versions();
  const std::regex version("[0-9]+\\.[0-9]+(\\.[0-9]+)?");
  for (const char* key : {"eigen", "onetbb", "onednn", "nlohmann_json"}) {
    ASSERT_TRUE(v.contains(key) && v[key].is_string()) << key << ": " << v.dump();
    EXPECT_TRUE(std::regex_match(v[key].get<std::string>(), version)) << key << ": " << v[key];
  }
  // CMake found yaml-cpp through its config file, which always states a version.
  EXPECT_TRUE(std::regex_match(v.at("yaml_cpp").get<std::string>(), version)) << v.dump();
  EXPECT_TRUE(std::regex_match(v.at("compiler").get<std::string>(), std::regex("(gcc|clang) .+"))) << v.dump();
  EXPECT_NE(v.at("build_type").get<std::string>(), "unknown") << v.dump();
  EXPECT_TRUE(v.at("native_arch").is_boolean()) << v.dump();
}

TEST(RunInfo, ResidentSetSize) {
  const int64_t current0 = current_rss_bytes(), peak0 = peak_rss_bytes();
  EXPECT_GT(current0, 0);
  EXPECT_GE(peak0, current0);

  // Touch 64 MiB more than the gap between the current and the peak RSS, so the peak must rise.
  constexpr int64_t kMiB = 1 << 20;
  const int64_t extra = std::max<int64_t>(peak0 - current0, 0) + 64 * kMiB;
  std::vector<char> buffer(static_cast<size_t>(extra));
  for (size_t i = 0; i < buffer.size(); i += 4096) buffer[i] = static_cast<char>(i / 4096 + 1);
  const int64_t current1 = current_rss_bytes(), peak1 = peak_rss_bytes();
  EXPECT_GE(current1, current0 + 60 * kMiB);
  EXPECT_GE(peak1, peak0 + 48 * kMiB);
  EXPECT_GE(peak1, current1);
  EXPECT_EQ(buffer[4096], 2);  // keeps the buffer (and its pages) alive until after the readings
}

}  // namespace
}  // namespace ablate
