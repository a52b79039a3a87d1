// `ablate report`: the report's sections, and the command (see report.h).
#include "reports/report.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <ostream>
#include <set>
#include <stdexcept>

#include "harness/common/command_line.h"
#include "harness/common/file_io.h"
#include "harness/common/folder_swap.h"
#include "harness/common/format.h"
#include "harness/common/result.h"
#include "harness/common/run_info.h"
#include "reports/document.h"
#include "reports/plotter.h"
#include "reports/report_data.h"

namespace ablate {
namespace {

namespace fs = std::filesystem;

constexpr int kTrainSmoothing = 10;  // steps in the train-loss moving average

// ---- table cells ----

// format_fixed, with "nan" for any value that is not finite.
std::string fixed(double v, int digits) { return std::isfinite(v) ? format_fixed(v, digits) : "nan"; }

const char* kNone = "—";

// "mean ± std" (std only over several seeds), "—" without values.
std::string stat_text(const Stat& s, int digits) {
  if (s.n == 0) return kNone;
  return s.n > 1 ? fixed(s.mean, digits) + " ± " + fixed(s.std, digits) : fixed(s.mean, digits);
}
// A perplexity of the mean loss (perplexity_of_mean_loss): one value, no spread.
std::string perplexity_text(const Stat& s, int digits) { return s.n == 0 ? kNone : fixed(s.mean, digits); }
std::string count_text(const Stat& s) { return s.n == 0 ? kNone : format_with_commas(s.mean); }
std::string bytes_stat(const Stat& s) { return s.n == 0 ? kNone : format_bytes_detailed(s.mean); }

// A file-name-safe form of a variant or task name.
std::string slug(const std::string& name) {
  std::string s;
  for (char c : name) s += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '=') ? c : '_';
  return s.empty() ? "unnamed" : s;
}

fs::path reports_dir() {
  const char* env = std::getenv("ABLATE_REPORTS_DIR");
  if (env && *env) return fs::path(env);
  return fs::path(ABLATE_SOURCE_DIR) / "reports";
}

std::string unique_name(std::set<std::string>& used, const std::string& base) {
  std::string name = base;
  for (int i = 2; !used.insert(name).second; ++i) name = base + "_" + std::to_string(i);
  return name;
}

// ---- sections ----

void training_section(const ReportSet& set, Document& doc, Plotter& plotter) {
  const PlotData train = train_loss_plot(set, kTrainSmoothing), validation = validation_curve_plot(set);
  if (train.empty() && validation.empty()) return;
  doc.heading(2, "Training curves");
  doc.paragraph("Loss in nats per token against optimizer step. Train loss is each seed's curve smoothed by a trailing " +
                std::to_string(kTrainSmoothing) +
                "-step moving average, then averaged over seeds (band: min to max over seeds). Validation loss is "
                "measured on held-out tokens every eval_every steps (bars: min to max over seeds).");
  plotter.plot(doc, "train_loss", "train_loss", train, {});
  plotter.plot(doc, "validation_curve", "validation_curve", validation, {});
}

void metrics_section(const ReportSet& set, Document& doc, Plotter& plotter) {
  const std::vector<MetricsRow> rows = metrics_rows(set);
  const KvCachePlot kv = kv_cache_plot(set);
  if (rows.empty() && kv.plot.empty()) return;
  doc.heading(2, "Final metrics");
  if (!rows.empty()) {
    doc.paragraph("One row per variant; mean ± sample standard deviation over seeds (n). Validation loss is the "
                  "full-split evaluation of ablate run or ablate eval where present, else the last validation point of "
                  "training; perplexity = exp(mean validation loss over seeds): the mean of the losses, then exp. "
                  "Train tokens/s: training tokens over the time spent in training steps (validation, checkpoints and "
                  "evaluations excluded), measured by wall clock on a machine that may have been shared with other "
                  "work, so not a speed comparison: ablate bench times each model alone, with repeats. Bytes: fp32 "
                  "parameters, AdamW state (2 × parameters), the run's peak resident memory (the high-water mark is "
                  "reset when each run starts, so sweep points sharing a process are measured apart; \"(process)\" marks "
                  "the process's peak instead, where no reset was possible), and the analytic KV cache per token "
                  "(2 · layers · kv heads · head dim · 4 bytes).");
    std::vector<std::vector<std::string>> models, table;
    for (const MetricsRow& r : rows) {
      models.push_back({r.variant, r.components.empty() ? kNone : r.components});
      table.push_back({r.variant, std::to_string(std::max(r.validation_loss.n, r.parameters.n)), count_text(r.parameters),
                       stat_text(r.validation_loss, 4), perplexity_text(r.perplexity, 3), stat_text(r.tokens_per_second, 0),
                       bytes_stat(r.parameter_bytes), bytes_stat(r.optimizer_bytes),
                       bytes_stat(r.peak_rss_bytes) + (r.peak_rss_process_wide && r.peak_rss_bytes.n ? " (process)" : ""),
                       count_text(r.kv_bytes_per_token)});
    }
    doc.table({"variant", "model"}, models, 2);
    doc.table({"variant", "n", "parameters", "validation loss", "perplexity", "train tokens/s", "parameter bytes",
               "optimizer bytes", "peak RSS", "KV cache bytes/token"},
              table);
    const PlotData loss_bars = validation_loss_bars(rows);
    if (!loss_bars.empty()) {
      // Differences between variants are small next to the loss itself: start the axis near them.
      double lo = INFINITY, hi = -INFINITY;
      for (const Series& s : loss_bars.series) {
        lo = std::min(lo, s.rows[0][1] - s.rows[0][2]);
        hi = std::max(hi, s.rows[0][1] + s.rows[0][2]);
      }
      const double ymin = std::max(0.0, lo - std::max(hi - lo, 0.02 * std::abs(lo)));
      PlotData bars = loss_bars;
      bars.title += "; y axis from " + fixed(ymin, 3);
      plotter.plot(doc, "validation_loss", "bars", bars,
                   {{"ylabel", gnuplot_string("validation loss (nats/token)")}, {"groups", "''"}, {"ymin", gnuplot_number(ymin)}});
    }
    plotter.plot(doc, "train_tokens_per_second", "bars", tokens_per_second_bars(rows),
                 {{"ylabel", gnuplot_string("training throughput (tokens/s)")}, {"groups", "''"}});
  }
  std::string colors;
  for (int c : kv.measured_colors) colors += (colors.empty() ? "" : " ") + std::to_string(c);
  plotter.plot(doc, "kv_cache", "kv_cache", kv.plot,
               {{"m", std::to_string(kv.measured_colors.size())}, {"colors", gnuplot_string(colors)}});
}

void extension_section(const ReportSet& set, Document& doc, Plotter& plotter, std::set<std::string>& names) {
  const std::vector<Extension> all = extensions(set);
  if (all.empty()) return;
  doc.heading(2, "Context extension");
  doc.paragraph("Perplexity of a model evaluated at context lengths beyond the one it was trained at, under each "
                "RoPE scaling method: exp of the token-weighted mean NLL, averaged over seeds before the exp (the mean "
                "of the seeds' losses, then exp); n/a = the method does not apply at that length.");
  for (const Extension& e : all) {
    doc.heading(3, e.variant + (e.trained_context ? " (trained context " + std::to_string(e.trained_context) + ")" : ""));
    std::vector<std::string> header = {"method"};
    for (int64_t L : e.lengths) header.push_back(std::to_string(L) + (L == e.trained_context ? " (trained)" : ""));
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> reasons;
    for (const ExtensionMethod& m : e.methods) {
      std::vector<std::string> row = {m.name};
      for (int64_t L : e.lengths) {
        auto it = m.by_length.find(L);
        if (it == m.by_length.end()) {
          row.push_back(kNone);
        } else if (it->second.applicable) {
          row.push_back(perplexity_text(it->second.perplexity, 3));
        } else {
          row.push_back("n/a");
          reasons.push_back(m.name + " at " + std::to_string(L) + ": " + it->second.reason);
        }
      }
      rows.push_back(row);
    }
    doc.table(header, rows);
    if (!reasons.empty()) {
      std::string text = "n/a: ";
      for (size_t i = 0; i < reasons.size(); ++i) text += (i ? "; " : "") + reasons[i];
      doc.paragraph(text);
    }
    GnuplotVars vars;
    if (e.trained_context > 0) vars.push_back({"trained", std::to_string(e.trained_context)});
    const std::string s = slug(e.variant);
    plotter.plot(doc, unique_name(names, "extension_" + s), "extension", e.perplexity_plot(), vars);
    plotter.plot(doc, unique_name(names, "loss_by_position_" + s), "loss_by_position", e.loss_by_position_plot(), vars);
  }
}

void choice_section(const ReportSet& set, Document& doc, Plotter& plotter, std::set<std::string>& names) {
  const std::vector<ChoiceTask> tasks = choice_tasks(set);
  if (tasks.empty()) return;
  doc.heading(2, "Multiple choice");
  doc.paragraph("Log-likelihood scoring as lm-evaluation-harness does it: acc = the choice with the highest summed "
                "log-probability, acc_norm = the same divided by the choice's length in characters, acc_bytes = in UTF-8 bytes; "
                "the llama.cpp score is llama.cpp's HellaSwag measure (mean log-probability per token after the "
                "endings' common prefix). Means over seeds; ± is the standard error over items (the mean of the "
                "seeds' standard errors).");
  for (const ChoiceTask& t : tasks) {
    doc.heading(3, t.task.empty() ? "(unnamed task)" : t.task);
    std::vector<std::string> metrics;  // the scores some row has
    for (const std::string& m : kChoiceMetrics)
      for (const ChoiceRow& r : t.rows)
        if (r.scores.count(m) && std::find(metrics.begin(), metrics.end(), m) == metrics.end()) metrics.push_back(m);
    std::vector<std::string> header = {"variant", "format", "items", "n"};
    for (const std::string& m : metrics) header.push_back(m == "acc_llamacpp" ? "llama.cpp score" : m);
    std::vector<std::vector<std::string>> rows;
    for (const ChoiceRow& r : t.rows) {
      int64_t n = 0;
      for (const auto& [m, score] : r.scores) n = std::max(n, score.value.n);
      std::vector<std::string> row = {r.variant, r.format.empty() ? kNone : r.format, format_with_commas(double(r.items)),
                                      std::to_string(n)};
      for (const std::string& m : metrics) {
        auto it = r.scores.find(m);
        row.push_back(it == r.scores.end() ? kNone
                                           : fixed(it->second.value.mean, 4) + " ± " + fixed(it->second.se, 4));
      }
      rows.push_back(row);
    }
    doc.table(header, rows, 2);
    plotter.plot(doc, unique_name(names, "choice_" + slug(t.task)), "bars", t.bars(),
                 {{"ylabel", gnuplot_string("accuracy")}, {"groups", gnuplot_string("acc acc_norm")}});
  }
}

void efficiency_section(const ReportSet& set, Document& doc, Plotter& plotter) {
  const std::vector<BenchRow> rows = bench_rows(set);
  if (rows.empty()) return;
  doc.heading(2, "Efficiency");
  doc.paragraph("From ablate bench: training, prefill (whole prompt in one pass) and decode (one token at a time with "
                "the KV cache) throughput, and memory. Means over seeds.");
  std::vector<std::vector<std::string>> table;
  std::set<int64_t> contexts;
  for (const BenchRow& r : rows) {
    table.push_back({r.name, stat_text(r.train_tokens_per_second, 0), bytes_stat(r.parameter_bytes),
                     bytes_stat(r.optimizer_bytes), bytes_stat(r.peak_rss_bytes), count_text(r.kv_bytes_per_token)});
    for (const auto& [c, s] : r.prefill) contexts.insert(c);
    for (const auto& [c, s] : r.decode) contexts.insert(c);
  }
  doc.table({"model", "train tokens/s", "parameter bytes", "optimizer bytes", "peak RSS", "KV cache bytes/token"}, table);
  std::vector<std::vector<std::string>> mfu;
  for (const BenchRow& r : rows)
    if (r.mfu_percent.n || r.mfu_fma_percent.n)
      mfu.push_back({r.name, stat_text(r.mfu_percent, 1), stat_text(r.mfu_fma_percent, 1)});
  if (!mfu.empty()) {
    doc.paragraph("Model FLOPs utilisation of training (6·N + 12·L·T·d FLOPs per token × tokens/s), held against the "
                  "engine's own matrix-product peak and against the CPU's vector FMA peak, both measured in the same "
                  "ablate bench run on the same threads.");
    doc.table({"model", "MFU vs GEMM peak (%)", "MFU vs FMA peak (%)"}, mfu);
  }
  for (const bool decode : {false, true}) {
    std::vector<std::string> header = {decode ? "decode tokens/s" : "prefill tokens/s"};
    for (int64_t c : contexts) header.push_back("context " + std::to_string(c));
    std::vector<std::vector<std::string>> by_context;
    for (const BenchRow& r : rows) {
      const auto& points = decode ? r.decode : r.prefill;
      if (points.empty()) continue;
      std::vector<std::string> row = {r.name};
      for (int64_t c : contexts) row.push_back(points.count(c) ? stat_text(points.at(c), 0) : kNone);
      by_context.push_back(row);
    }
    if (by_context.empty()) continue;
    doc.table(header, by_context);
    plotter.plot(doc, decode ? "decode" : "prefill", "throughput", throughput_plot(rows, decode),
                 {{"ylabel", gnuplot_string(decode ? "decode throughput (tokens/s)" : "prefill throughput (tokens/s)")}});
  }
}

void files_section(const ReportSet& set, const fs::path& results_dir, Document& doc) {
  doc.heading(2, "Result files");
  std::vector<std::vector<std::string>> rows;
  for (const ReportResult& r : set.results) {
    std::error_code ec;
    std::string rel = fs::relative(r.path, results_dir, ec).string();
    if (ec || rel.empty()) rel = r.path;
    const nlohmann::json& j = r.json;
    auto text = [&](const char* a, const char* b) -> std::string {  // a string, number or boolean
      if (j.contains(a) && j[a].is_object() && j[a].contains(b) && j[a][b].is_primitive() && !j[a][b].is_null())
        return j[a][b].is_string() ? j[a][b].get<std::string>() : j[a][b].dump();
      return kNone;
    };
    std::string revision = text("git", "revision");
    if (revision.size() > 12) revision = revision.substr(0, 12);
    // Fields of the wrong type count as missing (json::value() would throw on them).
    if (j.contains("git") && j["git"].is_object() && j["git"].contains("dirty") && j["git"]["dirty"] == true)
      revision += " (dirty)";
    const std::string kind = j.contains("kind") && j["kind"].is_string() ? j["kind"].get<std::string>() : kNone;
    rows.push_back({rel, kind, r.variant, r.seed.empty() ? kNone : r.seed,
                    r.finished_at.empty() ? kNone : r.finished_at,
                    text("machine", "cpu") + ", " + text("machine", "threads") + " threads", revision});
  }
  doc.table({"file", "kind", "variant", "seed", "finished", "machine", "git revision"}, rows, 7);
}

void write_text(const fs::path& path, const std::string& text) {
  try {
    write_file_atomically(path.string(), {{text.data(), text.size()}});
  } catch (const std::exception& e) {
    throw std::runtime_error(path.string() + ": " + e.what());
  }
}

// What a report folder holds; an existing OUT with anything else is not overwritten.
const std::set<std::string> kReportEntries = {"index.html", "report.md", "plots", "data", "screenshot.png"};

void check_report_folder(const std::string& out_dir) {
  std::error_code ec;
  if (!fs::exists(out_dir, ec)) return;
  if (!fs::is_directory(out_dir, ec)) throw std::runtime_error(out_dir + ": exists and is not a folder (-o OUT: the report folder)");
  for (const auto& entry : fs::directory_iterator(out_dir, ec))
    if (!kReportEntries.count(entry.path().filename().string()))
      throw std::runtime_error(out_dir + ": holds " + entry.path().filename().string() +
                               ", which no report writes; the report replaces the whole folder, so choose another -o OUT"
                               " (or remove it)");
}

// Writes the whole report into `out`; returns the number of plots.
int write_report_into(const ReportSet& set, const std::string& results_dir, const fs::path& out,
                      const fs::path& reports, const std::string& page, const std::string& gnuplot, std::ostream& err);

}  // namespace

ReportOutcome write_report(const std::string& results_dir, const std::string& out_dir, std::ostream& err) {
  const ReportSet set = collect_results(results_dir, out_dir, err);
  if (set.results.empty())
    throw std::runtime_error(results_dir + ": no Ablate results found (no *.json file with \"format\": \"" +
                             std::string(kResultFormat) + "\")");
  const fs::path reports = reports_dir();
  const fs::path template_path = reports / "template.html";
  std::string page;
  try {
    page = strip_html_comments(read_whole_file(template_path.string()));
  } catch (const std::exception& e) {
    throw std::runtime_error(template_path.string() + ": cannot read the HTML template: " + e.what() +
                             " (set ABLATE_REPORTS_DIR to the folder that holds gnuplot/ and template.html)");
  }
  if (page.find("{{body}}") == std::string::npos)
    throw std::runtime_error(template_path.string() + ": the HTML template has no {{body}} placeholder");
  const std::string gnuplot = find_gnuplot();

  // The report is built in a staging folder and swapped in whole at the end (folder_swap.h): a
  // killed or failed report leaves the previous one as it was.
  const std::string target = fs::path(out_dir).lexically_normal().string();
  check_report_folder(target);
  const fs::path out = make_staging_folder(target);
  int plots = 0;
  try {
    plots = write_report_into(set, results_dir, out, reports, page, gnuplot, err);
    swap_in_folder(out.string(), target);
  } catch (...) {
    std::error_code ec;
    fs::remove_all(out, ec);
    throw;
  }
  ReportOutcome outcome;
  outcome.index = (fs::path(out_dir) / "index.html").string();
  outcome.results = static_cast<int>(set.results.size());
  outcome.plots = plots;
  return outcome;
}

namespace {

int write_report_into(const ReportSet& set, const std::string& results_dir, const fs::path& out,
                      const fs::path& reports, const std::string& page, const std::string& gnuplot, std::ostream& err) {
  try {
    fs::create_directories(out / "plots");
    fs::create_directories(out / "data");
  } catch (const std::exception& e) {
    throw std::runtime_error(out.string() + ": cannot create the report folder: " + e.what());
  }
  Plotter plotter(gnuplot, reports / "gnuplot", out, err);
  Document doc;
  std::set<std::string> names = {"train_loss", "validation_curve", "validation_loss", "train_tokens_per_second",
                                 "kv_cache", "prefill", "decode"};
  std::string variants;
  for (const Variant& v : set.variants) variants += (variants.empty() ? "" : ", ") + v.name;
  doc.paragraph(std::to_string(set.results.size()) + " results from " + results_dir + "; " +
                std::to_string(set.variants.size()) + " variants: " + variants + ". Generated " +
                iso8601_utc(std::chrono::system_clock::now()) + ".");
  training_section(set, doc, plotter);
  metrics_section(set, doc, plotter);
  extension_section(set, doc, plotter, names);
  choice_section(set, doc, plotter, names);
  efficiency_section(set, doc, plotter);
  files_section(set, results_dir, doc);

  const std::string title = "Ablate report: " + fs::path(results_dir).lexically_normal().filename().string();
  write_text(out / "index.html", fill_html_template(page, title, doc.html()));
  write_text(out / "report.md", "# " + markdown_escape(title) + "\n\n" + doc.markdown());
  return plotter.count();
}

}  // namespace

int report_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::string results_dir, out_dir;
  CommandLine line("report",
                   "Plots (PNG, SVG), tables, OUT/index.html and OUT/report.md from every result JSON file under\n"
                   "RESULTS_DIR (files that are not Ablate results are reported and skipped). Needs gnuplot; the\n"
                   "scripts and the page template are in the source tree's reports/ (ABLATE_REPORTS_DIR: another).");
  line.argument("RESULTS_DIR", "results folder", results_dir)
      .option({"-o", "--output"}, "OUT", "the report folder (default RESULTS_DIR/report)", out_dir)
      .usage_note("   (OUT defaults to RESULTS_DIR/report)");
  if (const auto exit = line.parse(args, out, err)) return *exit;
  if (out_dir.empty()) out_dir = (fs::path(results_dir) / "report").string();
  const ReportOutcome o = write_report(results_dir, out_dir, err);
  out << "report: " << results_dir << " -> " << o.index << " (" << o.results << " results, " << o.plots << " plots)\n";
  return 0;
}

}  // namespace ablate
