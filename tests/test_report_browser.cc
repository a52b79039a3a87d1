// The report in a real browser: headless Chromium opens a generated index.html and finds every
// image loaded (naturalWidth > 0), the page no wider than its 1280-pixel window, and no console
// error; the check itself catches a broken page; --screenshot writes the page's PNG. Skipped,
// saying so, where Chromium is not installed (scripts/setup installs Debian's chromium).
#include <gtest/gtest.h>
#include <gmock/gmock.h>

#include <filesystem>
#include <optional>
#include <sstream>
#include <string>

#include "experiments/cli.h"
#include "reports/browser.h"
#include "reports/plotter.h"
#include "tests/test_support.h"

namespace ablate {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

#define SKIP_WITHOUT_CHROMIUM()                                                                   \
  const std::optional<std::string> chromium = find_chromium();                                   \
  if (!chromium) GTEST_SKIP() << "Chromium not found (install Debian's chromium: scripts/setup); " \
                                 "the report's browser check is not run"

// Two variants of two seeds each, one with a name long enough to widen every table it is in.
const std::string kSweep =
    "name: browser_report\n"
    "threads: 2\n"
    "model: {d_model: 32, n_layers: 1, context: 32, attention: {n_heads: 2}}\n"
    "data: {type: synthetic, bytes: 40000, seed: 5}\n"
    "train: {steps: 4, batch_size: 2, warmup: 1, eval_every: 2, eval_tokens: 256}\n"
    "eval: {max_tokens: 256}\n"
    "sweep:\n"
    "  variants:\n"
    "    rms: {}\n"
    "    layernorm_with_a_very_long_variant_name_that_keeps_going_and_going_past_the_page_width: "
    "{model.norm.type: layernorm}\n"
    "  grid: {seed: [0, 1]}\n";

class ReportBrowserTest : public testing::TempDirTest {};

TEST_F(ReportBrowserTest, TheReportLoadsFitsAndLogsNoError) {
  SKIP_WITHOUT_CHROMIUM();
  testing::write_bytes(file("sweep.yaml"), kSweep);
  std::ostringstream out, err;
  ASSERT_EQ(run_cli({"run", file("sweep.yaml"), "-o", file("results")}, out, err), 0) << err.str();
  ASSERT_EQ(run_cli({"report", file("results"), "-o", file("report"), "--screenshot"}, out, err), 0) << err.str();
  const PageCheck check = check_page(*chromium, file("report/index.html"));
  EXPECT_GE(check.images, 6);  // training, validation, bars, differences, KV cache
  EXPECT_TRUE(check.broken.empty()) << check.summary();
  EXPECT_LE(check.scroll_width, check.inner_width) << check.summary();
  EXPECT_EQ(check.inner_width, 1280);
  EXPECT_TRUE(check.errors.empty()) << check.summary();
  EXPECT_TRUE(check.ok()) << check.summary();
  // The screenshot: a PNG 1280 pixels wide (bytes 16..19 of the IHDR chunk), as tall as the page.
  const std::string png = testing::read_bytes(file("report/screenshot.png"));
  ASSERT_GT(png.size(), 24u);
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(png[i]); };
  EXPECT_EQ((byte(16) << 24) | (byte(17) << 16) | (byte(18) << 8) | byte(19), 1280);
  EXPECT_GT((byte(20) << 24) | (byte(21) << 16) | (byte(22) << 8) | byte(23), 900);
  // The check's copy of the page is gone; the folder holds what a report holds.
  for (const auto& entry : fs::directory_iterator(file("report")))
    EXPECT_NE(entry.path().filename().string().rfind(".browser-check", 0), 0u) << entry.path();
}

// The check is not a formality: a page with a missing image, an over-wide block and a
// console.error fails on each.
TEST_F(ReportBrowserTest, TheCheckCatchesABrokenPage) {
  SKIP_WITHOUT_CHROMIUM();
  testing::write_bytes(file("page.html"),
                       "<!DOCTYPE html>\n<html><head><title>t</title></head><body>\n"
                       "<img src=\"plots/missing.png\">\n<div style=\"width: 3000px\">wide</div>\n"
                       "<script>console.error('something broke');</script>\n</body></html>\n");
  const PageCheck check = check_page(*chromium, file("page.html"));
  EXPECT_EQ(check.images, 1);
  EXPECT_EQ(check.broken, std::vector<std::string>{"plots/missing.png"});
  EXPECT_FALSE(check.fits());
  EXPECT_GT(check.scroll_width, 3000);
  EXPECT_FALSE(check.ok());
  EXPECT_THAT(check.summary(), HasSubstr("image not loaded: plots/missing.png"));
  EXPECT_THAT(check.summary(), HasSubstr("page wider than its window"));
  EXPECT_THAT(check.summary(), HasSubstr("console.error: something broke"));
}

TEST_F(ReportBrowserTest, ScreenshotWithoutChromiumIsAClearError) {
  testing::write_bytes(file("sweep.yaml"), kSweep);
  std::ostringstream out, err;
  ASSERT_EQ(run_cli({"run", file("sweep.yaml"), "-o", file("results")}, out, err), 0) << err.str();
  testing::ScopedEnv browser("ABLATE_CHROMIUM", "");
  fs::create_directories(file("bin"));
  fs::create_symlink(find_gnuplot(), file("bin/gnuplot"));  // gnuplot stays; no browser is on PATH
  testing::ScopedEnv path("PATH", file("bin"));
  EXPECT_EQ(run_cli({"report", file("results"), "-o", file("report"), "--screenshot"}, out, err), 1);
  EXPECT_THAT(err.str(), HasSubstr("--screenshot: Chromium not found: install the chromium package (scripts/setup does)"));
  EXPECT_FALSE(fs::exists(file("report/index.html")));
}

}  // namespace
}  // namespace ablate
