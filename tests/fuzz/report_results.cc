// Fuzzes what `ablate report` reads: the input is up to 6 result JSON files separated by kSeparator
// ("\n@@@@\n"), written under a results folder (the first two in one sub-folder, so variants and
// seeds meet), read by collect_results and turned into every section's tables and plot data
// (report_data.h: training curves, metrics, KV cache, context extension, multiple choice,
// efficiency) and .dat files.
// Expected: nothing: unusable files are skipped with a message on `err`, and any JSON that parses
// must yield tables (missing or mistyped fields count as absent). A failure is any exception, a
// crash, a sanitizer report or a hang.
#include <sstream>

#include "reports/report_data.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ablate;
  const std::vector<std::string> parts = fuzz::split_input(fuzz::bytes_of(data, size), 6);
  const std::string dir = fuzz::fresh_dir("results");
  std::filesystem::create_directories(dir + "/sweep_point");
  for (size_t i = 0; i < parts.size(); ++i)
    fuzz::write_file(dir + (i < 2 ? "/sweep_point/r" : "/r") + std::to_string(i) + ".json", parts[i]);
  std::ostringstream err;
  const ReportSet set = collect_results(dir, dir + "/report", err);
  const std::string dat = dir + "/plot.dat";
  auto write = [&](const PlotData& plot) {
    if (!plot.empty()) write_dat(dat, plot);
  };
  write(train_loss_plot(set, 10));
  write(validation_curve_plot(set));
  const std::vector<MetricsRow> rows = metrics_rows(set);
  write(validation_loss_bars(rows));
  write(tokens_per_second_bars(rows));
  write(kv_cache_plot(set).plot);
  for (const Extension& e : extensions(set)) {
    write(e.perplexity_plot());
    write(e.loss_by_position_plot());
  }
  for (const ChoiceTask& t : choice_tasks(set)) write(t.bars());
  const std::vector<BenchRow> bench = bench_rows(set);
  write(throughput_plot(bench, false));
  write(throughput_plot(bench, true));
  return 0;
}
