// `ablate report RESULTS_DIR [-o OUT]`: turns a folder of result JSON files into plots, tables
// and one HTML page.
//
// OUT (default RESULTS_DIR/report) receives
//   index.html        the page: every plot inline (PNG, linking its SVG) and every table
//   report.md         the same tables in Markdown, with links to the plots
//   plots/NAME.png    pngcairo 900x560, and plots/NAME.svg, drawn by gnuplot
//   data/NAME.dat     each plot's numbers (layout in report_data.h)
//   screenshot.png    with --screenshot: the page in headless Chromium, 1280 pixels wide (browser.h)
// Sections, each written only when some result has its data: with --claims FILE, the published
// claims checked (claims.h: each with Ablate's figure, its 95% interval and a verdict); training curves, final metrics
// (with validation loss, tokens/s and KV-cache plots, per-seed values and the differences from a
// baseline variant with 95% intervals: statistics.h), context extension (per variant — with
// fine-tuning budgets, the curves at each budget and perplexity against fine-tuning steps — and the
// variants compared at each method), multiple choice (with chance, truncation, accuracy by
// difficulty), passkey retrieval, efficiency benchmarks, and the list of result files read. The result files: docs/results.md;
// the pages: document.h; the plots: plotter.h.
//
// The gnuplot scripts (one per plot kind, sharing style.gp) and the HTML template live in the
// source tree's reports/ folder, so users can restyle them; ABLATE_REPORTS_DIR points elsewhere.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace ablate {

struct ReportOptions {
  std::string baseline;     // the variant differences are taken from ("": the first of each section)
  bool screenshot = false;  // also OUT/screenshot.png, by headless Chromium
  std::string claims;       // a claims file (claims.h): its section first, one verdict per claim
};

struct ReportOutcome {
  std::string index;  // OUT/index.html
  int results = 0;    // result files used
  int plots = 0;      // plots drawn (each as PNG and SVG)
};

// Writes the report of `results_dir` into `out_dir`. Unusable files are reported on `err` and
// skipped; no usable result at all, a missing gnuplot or script, or a failing gnuplot throw
// std::runtime_error, as do a baseline that is no variant and, with options.screenshot, a missing
// Chromium; a bad claims file throws its ConfigError, before anything is written.
ReportOutcome write_report(const std::string& results_dir, const std::string& out_dir, std::ostream& err,
                           const ReportOptions& options = {});

// The command: args are what follows "report". Returns the exit code (0 ok or --help, 2 usage);
// errors from write_report propagate to the CLI (exit 1).
int report_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace ablate
