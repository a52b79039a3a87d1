// `ablate report`: the report's sections, and the command (see report.h).
#include "reports/report.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <optional>
#include <ostream>
#include <set>
#include <stdexcept>

#include "harness/common/command_line.h"
#include "harness/common/file_io.h"
#include "harness/common/folder_swap.h"
#include "harness/common/format.h"
#include "harness/common/result.h"
#include "harness/common/run_info.h"
#include "reports/browser.h"
#include "reports/claims.h"
#include "reports/document.h"
#include "reports/plotter.h"
#include "reports/report_data.h"
#include "reports/statistics.h"

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

// ---- statistics: per-seed values and differences from the baseline ----

// A metric's value as its table column writes it.
std::string metric_text(const std::string& metric, double v) {
  if (metric == "validation loss") return fixed(v, 4);
  if (metric == "perplexity") return fixed(v, 3);
  if (metric == "train tokens/s") return fixed(v, 0);
  if (metric == "parameter bytes" || metric == "optimizer bytes" || metric == "peak RSS")
    return std::isfinite(v) ? format_bytes_detailed(v) : "nan";
  if (metric == "parameters" || metric == "KV cache bytes/token") return std::isfinite(v) ? format_with_commas(v) : "nan";
  return fixed(v, 4);  // accuracies
}

// A difference with its sign: "+0.0231", "-0.0140", and "0.0000" for what rounds to zero.
std::string signed_text(const std::string& metric, double v) {
  std::string text = metric_text(metric, v);
  const bool zero = text.find_first_of("123456789") == std::string::npos || text.find_first_of("123456789") >= text.find(' ');
  if (zero && !text.empty() && text[0] == '-') text.erase(0, 1);
  return (v > 0 && !zero ? "+" : "") + text;
}

// The baseline among `names`: `requested` when it is one of them, the first when nothing was
// requested, else "" (the requested variant has none of this section's data).
std::string pick_baseline(const std::vector<std::string>& names, const std::string& requested) {
  if (names.empty()) return "";
  if (requested.empty()) return names.front();
  return std::find(names.begin(), names.end(), requested) != names.end() ? requested : "";
}

const char* kDifferencesNote =
    "Difference = variant − baseline, with its 95% interval: paired by seed where both variants have at least two "
    "seeds in common (the mean of the per-seed differences ± t(0.975, n − 1) · sd / √n), else Welch's two-sample "
    "interval (Student t with the Welch–Satterthwaite degrees of freedom); an interval containing 0 is marked "
    "\"not distinguishable\", and a variant or baseline with one seed has no interval (\"n = 1\"). Metrics that are "
    "the same for every seed (parameter counts) have a zero-width interval; a seed's perplexity is exp of its loss.";

struct DifferenceRow {
  std::string metric, variant;
  Difference d;
};

void differences_table(const std::vector<DifferenceRow>& rows, Document& doc) {
  std::vector<std::vector<std::string>> table;
  for (const DifferenceRow& r : rows)
    table.push_back({r.metric, r.variant, signed_text(r.metric, r.d.difference),
                     r.d.kind == IntervalKind::kNone
                         ? kNone
                         : "[" + signed_text(r.metric, r.d.low) + ", " + signed_text(r.metric, r.d.high) + "]",
                     interval_method_text(r.d), distinguishability_mark(r.d)});
  doc.table({"metric", "variant", "difference", "95% interval", "interval", "note"}, table, 2);
}

// A forest plot of one metric's differences (rows: difference index low high).
void differences_plot(const std::vector<DifferenceRow>& rows, const std::string& metric, const std::string& baseline,
                      const std::string& name, const std::string& unit, Document& doc, Plotter& plotter) {
  PlotData plot;
  plot.title = "Difference in " + metric + " from " + baseline + " (point: difference; bar: 95% interval over seeds)";
  plot.columns = {"difference", "index", "low", "high"};
  double lo = 0, hi = 0;
  for (const DifferenceRow& r : rows) {
    if (r.metric != metric || !std::isfinite(r.d.difference)) continue;
    const bool interval = r.d.kind != IntervalKind::kNone;
    const double low = interval ? r.d.low : r.d.difference, high = interval ? r.d.high : r.d.difference;
    plot.series.push_back({r.variant, {{r.d.difference, double(plot.series.size()), low, high}}});
    lo = std::min(lo, low);
    hi = std::max(hi, high);
  }
  const double pad = hi > lo ? 0.08 * (hi - lo) : 1;
  plotter.plot(doc, name, "differences", plot,
               {{"xlabel", gnuplot_string(metric + " difference from " + baseline + unit)},
                {"xmin", gnuplot_number(lo - pad)},
                {"xmax", gnuplot_number(hi + pad)}});
}

// Seeds in order of first appearance over a row's metrics.
std::vector<std::string> seeds_of(const MetricsRow& r) {
  std::vector<std::string> seeds;
  for (const std::string& m : kMetricNames)
    for (const SeedValue& s : r.seeds.at(m))
      if (std::find(seeds.begin(), seeds.end(), s.seed) == seeds.end()) seeds.push_back(s.seed);
  return seeds;
}

// One row per (variant, seed): validation loss, and every metric whose value differs between the
// seeds of some variant.
void per_seed_table(const std::vector<MetricsRow>& rows, Document& doc) {
  std::vector<std::string> metrics;
  for (const std::string& m : kMetricNames) {
    bool varies = m == "validation loss";
    for (const MetricsRow& r : rows)
      for (const SeedValue& s : r.seeds.at(m)) varies = varies || s.value != r.seeds.at(m).front().value;
    if (varies) metrics.push_back(m);
  }
  std::vector<std::string> header = {"variant", "seed"};
  header.insert(header.end(), metrics.begin(), metrics.end());
  std::vector<std::vector<std::string>> table;
  for (const MetricsRow& r : rows)
    for (const std::string& seed : seeds_of(r)) {
      std::vector<std::string> row = {r.variant, seed.empty() ? kNone : seed};
      for (const std::string& m : metrics) {
        const auto& values = r.seeds.at(m);
        auto it = std::find_if(values.begin(), values.end(), [&](const SeedValue& v) { return v.seed == seed; });
        row.push_back(it == values.end() ? kNone : metric_text(m, it->value));
      }
      table.push_back(row);
    }
  doc.heading(3, "Per-seed values");
  doc.paragraph("Each seed's final metrics (the columns that differ between seeds; the others are the same for every "
                "seed, as in the table above).");
  doc.table(header, table, 2);
}

void metric_differences(const std::vector<MetricsRow>& rows, const std::string& requested, Document& doc,
                        Plotter& plotter) {
  std::vector<std::string> names;
  for (const MetricsRow& r : rows) names.push_back(r.variant);
  const std::string baseline = pick_baseline(names, requested);
  doc.heading(3, "Differences from the baseline" + (baseline.empty() ? std::string() : " (" + baseline + ")"));
  if (baseline.empty()) {
    doc.paragraph("The baseline " + requested + " has no final metrics: no differences.");
    return;
  }
  if (rows.size() < 2) {
    doc.paragraph("One variant: nothing to compare.");
    return;
  }
  const MetricsRow& base = *std::find_if(rows.begin(), rows.end(), [&](const MetricsRow& r) { return r.variant == baseline; });
  std::vector<DifferenceRow> diffs;
  for (const std::string& m : kMetricNames)
    for (const MetricsRow& r : rows)
      if (r.variant != baseline && !base.seeds.at(m).empty() && !r.seeds.at(m).empty())
        diffs.push_back({m, r.variant, difference_interval(base.seeds.at(m), r.seeds.at(m))});
  doc.paragraph(std::string(kDifferencesNote) + " Baseline: " + baseline +
                (requested.empty() ? " (the first variant; ablate report --baseline NAME chooses another)." : "."));
  differences_table(diffs, doc);
  differences_plot(diffs, "validation loss", baseline, "validation_loss_difference", " (nats/token)", doc, plotter);
}

void metrics_section(const ReportSet& set, const std::string& baseline, Document& doc, Plotter& plotter) {
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
    // Bars start at 0 so that their heights compare; the differences below show what is small.
    plotter.plot(doc, "validation_loss", "bars", validation_loss_bars(rows),
                 {{"ylabel", gnuplot_string("validation loss (nats/token)")}, {"groups", "''"}});
    plotter.plot(doc, "train_tokens_per_second", "bars", tokens_per_second_bars(rows),
                 {{"ylabel", gnuplot_string("training throughput (tokens/s)")}, {"groups", "''"}});
    per_seed_table(rows, doc);
    metric_differences(rows, baseline, doc, plotter);
  }
  std::string colors;
  for (int c : kv.measured_colors) colors += (colors.empty() ? "" : " ") + std::to_string(c);
  plotter.plot(doc, "kv_cache", "kv_cache", kv.plot,
               {{"m", std::to_string(kv.measured_colors.size())}, {"colors", gnuplot_string(colors)}});
}

// The figure drawn for a variant (plot name and title), to show again beside another.
using DrawnPlots = std::map<std::string, std::pair<std::string, std::string>>;

// The figures of a variant whose curves come at several fine-tuning budgets: perplexity against
// length at each budget (one line per method), then perplexity against fine-tuning steps at the
// fine-tuning context and at the longest length, with their table.
void budgets_part(const Extension& e, const std::vector<int64_t>& budgets, const GnuplotVars& vars, Document& doc,
                  Plotter& plotter, std::set<std::string>& names, DrawnPlots& drawn) {
  const std::string s = slug(e.variant);
  for (int64_t steps : budgets) {
    const std::string name = unique_name(names, "extension_" + s + (steps > 0 ? "_ft" + std::to_string(steps) : ""));
    const PlotData plot = e.budget_plot(steps);
    if (plotter.plot(doc, name, "extension", plot, vars) && !drawn.count(e.variant)) drawn[e.variant] = {name, plot.title};
  }
  std::vector<int64_t> lengths;
  if (const int64_t ft = e.finetune_context(); ft > 0) lengths.push_back(ft);
  if (!e.lengths.empty() && std::find(lengths.begin(), lengths.end(), e.lengths.back()) == lengths.end())
    lengths.push_back(e.lengths.back());
  std::vector<std::string> header = {"method", "length"};
  for (int64_t steps : budgets) header.push_back(std::to_string(steps) + " steps");
  std::vector<std::vector<std::string>> rows;
  for (int64_t L : lengths)
    for (const std::string& method : e.method_names()) {
      std::vector<std::string> row = {method, std::to_string(L)};
      for (int64_t steps : budgets) {
        auto m = std::find_if(e.methods.begin(), e.methods.end(),
                              [&](const ExtensionMethod& x) { return x.method == method && x.finetuned_steps == steps; });
        const ExtensionCell* cell = nullptr;
        if (m != e.methods.end() && m->by_length.count(L)) cell = &m->by_length.at(L);
        row.push_back(cell && cell->applicable ? perplexity_text(cell->perplexity, 3) : kNone);
      }
      rows.push_back(row);
    }
  doc.paragraph("Perplexity by fine-tuning budget (extend.finetune.steps; 0 = as trained, factor auto following "
                "each length; a budget > 0 = the scaled model fine-tuned that many steps from the same trained weights "
                "at context " + std::to_string(e.finetune_context()) + ", its factor fixed there):");
  doc.table(header, rows, 2);
  std::string steps_text;
  for (int64_t steps : budgets) steps_text += (steps_text.empty() ? "" : " ") + std::to_string(steps);
  for (int64_t L : lengths)
    plotter.plot(doc, unique_name(names, "finetune_steps_" + s + "_" + std::to_string(L)), "finetune_steps",
                 e.steps_plot(L), {{"steps", gnuplot_string(steps_text)}});
}

void extension_section(const ReportSet& set, Document& doc, Plotter& plotter, std::set<std::string>& names,
                       DrawnPlots& drawn) {
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
    const std::vector<int64_t> budgets = e.budgets();
    if (budgets.size() < 2) {
      const std::string name = unique_name(names, "extension_" + s);
      const PlotData perplexity = e.perplexity_plot();
      if (plotter.plot(doc, name, "extension", perplexity, vars)) drawn[e.variant] = {name, perplexity.title};
    } else {
      budgets_part(e, budgets, vars, doc, plotter, names, drawn);
    }
    plotter.plot(doc, unique_name(names, "loss_by_position_" + s), "loss_by_position", e.loss_by_position_plot(), vars);
  }
  // Across variants: one plot per method that several variants were evaluated with.
  bool heading = false;
  for (const std::string& method : extension_method_names(all)) {
    const PlotData plot = extension_method_plot(all, method);
    if (plot.series.size() < 2) continue;
    if (!heading) {
      doc.heading(3, "Variants compared at each method");
      heading = true;
    }
    int64_t trained = 0;  // marked when every variant was trained at the same context
    for (const Extension& e : all) trained = trained == 0 || trained == e.trained_context ? e.trained_context : -1;
    GnuplotVars vars;
    if (trained > 0) vars.push_back({"trained", std::to_string(trained)});
    plotter.plot(doc, unique_name(names, "extension_method_" + slug(method)), "extension", plot, vars);
  }
}

void choice_section(const ReportSet& set, const std::string& baseline, Document& doc, Plotter& plotter,
                    std::set<std::string>& names) {
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
    bool has_chance = false, has_truncated = false;
    for (const ChoiceRow& r : t.rows) {
      has_chance = has_chance || std::isfinite(r.chance);
      has_truncated = has_truncated || r.truncated.n > 0;
    }
    std::vector<std::string> header = {"variant", "format", "items", "n"};
    if (has_truncated) header.push_back("truncated");
    if (has_chance) header.push_back("chance");
    for (const std::string& m : metrics) header.push_back(m == "acc_llamacpp" ? "llama.cpp score" : m);
    const bool interval = std::find(metrics.begin(), metrics.end(), "acc") != metrics.end();
    if (interval) header.insert(header.end(), {"acc 95% interval", "vs chance"});
    std::vector<std::vector<std::string>> rows;
    for (const ChoiceRow& r : t.rows) {
      int64_t n = 0;
      for (const auto& [m, score] : r.scores) n = std::max(n, score.value.n);
      std::vector<std::string> row = {r.variant, r.format.empty() ? kNone : r.format, format_with_commas(double(r.items)),
                                      std::to_string(n)};
      if (has_truncated) row.push_back(r.truncated.n ? format_with_commas(r.truncated.mean) : kNone);
      if (has_chance) row.push_back(std::isfinite(r.chance) ? fixed(r.chance, 4) : kNone);
      for (const std::string& m : metrics) {
        auto it = r.scores.find(m);
        row.push_back(it == r.scores.end() ? kNone
                                           : fixed(it->second.value.mean, 4) + " ± " + fixed(it->second.se, 4));
      }
      if (interval) {
        auto it = r.scores.find("acc");
        if (it == r.scores.end()) {
          row.insert(row.end(), {kNone, kNone});
        } else {
          const double z = student_t_quantile(0.975, INFINITY), mean = it->second.value.mean, se = it->second.se;
          row.push_back("[" + fixed(mean - z * se, 4) + ", " + fixed(mean + z * se, 4) + "]");
          row.push_back(!std::isfinite(r.chance) ? kNone
                        : mean - z * se > r.chance ? "above chance"
                        : mean + z * se < r.chance ? "below chance"
                                                   : "not distinguishable from chance");
        }
      }
      rows.push_back(row);
    }
    doc.table(header, rows, 2);
    if (has_truncated)
      doc.paragraph("truncated: items whose context was cut to the model's window (their fact may be lost), mean "
                    "over seeds.");
    if (interval)
      doc.paragraph("acc 95% interval: acc ± 1.960 · its standard error over items (normal approximation, as "
                    "lm-evaluation-harness reports the error); \"vs chance\" compares it with the chance level "
                    "(the mean over items of 1 / number of choices).");
    plotter.plot(doc, unique_name(names, "choice_" + slug(t.task)), "bars", t.bars(),
                 {{"ylabel", gnuplot_string("accuracy")}, {"groups", gnuplot_string("acc acc_norm")}});
    GnuplotVars vars = {{"xlabel", gnuplot_string(t.difficulty().empty() ? "difficulty" : t.difficulty())}};
    if (std::isfinite(t.chance())) vars.push_back({"chance", gnuplot_number(t.chance())});
    plotter.plot(doc, unique_name(names, "choice_difficulty_" + slug(t.task)), "difficulty", t.difficulty_plot(), vars);
    // acc across variants, over seeds.
    std::vector<std::string> variants;
    for (const ChoiceRow& r : t.rows) variants.push_back(r.variant);
    const std::string base = pick_baseline(variants, baseline);
    if (t.rows.size() < 2 || base.empty()) continue;
    const ChoiceRow& b = *std::find_if(t.rows.begin(), t.rows.end(), [&](const ChoiceRow& r) { return r.variant == base; });
    std::vector<DifferenceRow> diffs;
    for (const ChoiceRow& r : t.rows)
      if (r.variant != base && !r.acc_seeds.empty() && !b.acc_seeds.empty())
        diffs.push_back({"acc", r.variant, difference_interval(b.acc_seeds, r.acc_seeds)});
    if (diffs.empty()) continue;
    doc.paragraph("acc of each variant − acc of " + base + " over seeds (the interval as for the final metrics: paired "
                  "by seed, else Welch).");
    differences_table(diffs, doc);
  }
}

// ---- passkey retrieval ----

std::string join_numbers(const std::vector<double>& values) {
  std::string s;
  for (double v : values) s += (s.empty() ? "" : " ") + format_significant(v, 6);
  return s;
}

void passkey_section(const ReportSet& set, const std::string& baseline, const DrawnPlots& drawn, Document& doc,
                     Plotter& plotter, std::set<std::string>& names) {
  const std::vector<Passkey> all = passkeys(set);
  if (all.empty()) return;
  std::map<std::string, int64_t> trained;
  for (const Extension& e : extensions(set)) trained[e.variant] = e.trained_context;
  doc.heading(2, "Passkey retrieval");
  doc.paragraph("The test of the position-interpolation and YaRN papers: a random key of k digits is stated once inside "
                "filler text, at a depth f (0 = the filler's start, 1 = its end), and asked for at the end; a trial is "
                "correct when the model's greedy continuation gives all k digits (chance 10^-k). Accuracy = correct / "
                "trials over every depth and seed. Each variant's perplexity curve is shown again beside its passkey "
                "curve.");
  std::vector<std::string> variants;
  for (const Passkey& p : all) variants.push_back(p.variant);
  const std::string base = pick_baseline(variants, baseline);
  for (const Passkey& p : all) {
    doc.heading(3, p.variant);
    std::vector<std::string> header = {"method", "finetuned steps"};
    for (int64_t L : p.lengths) header.push_back(std::to_string(L));
    std::vector<std::vector<std::string>> rows;
    for (const PasskeyMethod& m : p.methods) {
      std::vector<std::string> row = {m.name, std::to_string(m.finetuned_steps)};
      for (int64_t L : p.lengths) {
        auto it = m.by_length.find(L);
        row.push_back(it == m.by_length.end() ? kNone
                                              : fixed(it->second.accuracy(), 3) + " (" + std::to_string(it->second.correct) +
                                                    "/" + std::to_string(it->second.trials) + ")");
      }
      rows.push_back(row);
    }
    doc.paragraph(std::to_string(p.digits) + " digits; filler: " + (p.filler.empty() ? std::string(kNone) : p.filler) +
                  "; depths " + join_numbers(p.depths) + "; accuracy (correct/trials) by context length:");
    doc.table(header, rows, 2);
    auto it = drawn.find(p.variant);
    if (it != drawn.end()) doc.plot(it->second.first, it->second.second);
    GnuplotVars vars;
    if (std::isfinite(p.chance)) vars.push_back({"chance", gnuplot_number(p.chance)});
    const int64_t trained_context = p.trained_context > 0 ? p.trained_context : trained[p.variant];
    if (trained_context > 0) vars.push_back({"trained", std::to_string(trained_context)});
    const std::string s = slug(p.variant);
    plotter.plot(doc, unique_name(names, "passkey_" + s), "passkey", p.accuracy_plot(), vars);
    // Length × depth maps: the baseline's, or every variant's when there are at most two.
    if (all.size() > 2 && p.variant != base) continue;
    std::vector<double> lengths(p.lengths.begin(), p.lengths.end());
    for (const PasskeyMethod& m : p.methods)
      plotter.plot(doc, unique_name(names, "passkey_map_" + s + "_" + slug(m.name)), "heat_map", p.heat_map(m),
                   {{"xlabels", gnuplot_string(join_numbers(lengths))}, {"ylabels", gnuplot_string(join_numbers(p.depths))}});
  }
}

// ---- published claims (--claims) ----

// Seconds since the epoch of an ISO 8601 UTC time "2026-01-01T00:00:00Z" (nullopt otherwise).
std::optional<int64_t> epoch_seconds(const std::string& iso) {
  std::tm t{};
  char z = 0;
  if (std::sscanf(iso.c_str(), "%d-%d-%dT%d:%d:%d%c", &t.tm_year, &t.tm_mon, &t.tm_mday, &t.tm_hour, &t.tm_min, &t.tm_sec,
                  &z) != 7 || z != 'Z')
    return std::nullopt;
  t.tm_year -= 1900;
  t.tm_mon -= 1;
  return static_cast<int64_t>(timegm(&t));
}

// "82 results, 2026-... to 2026-... (wall time 1 h 02 min); machine: CPU, 16 cores, 1 threads; git ..."
std::string run_summary(const ReportSet& set) {
  std::optional<int64_t> first, last;
  std::string first_text, last_text;
  std::set<std::string> machines, revisions;
  for (const ReportResult& r : set.results) {
    const nlohmann::json& j = r.json;
    const std::string started = j.contains("started_at") && j["started_at"].is_string() ? j["started_at"].get<std::string>() : "";
    if (auto t = epoch_seconds(started); t && (!first || *t < *first)) first = t, first_text = started;
    if (auto t = epoch_seconds(r.finished_at); t && (!last || *t > *last)) last = t, last_text = r.finished_at;
    if (j.contains("machine") && j["machine"].is_object()) {
      const nlohmann::json& m = j["machine"];
      auto text = [&](const char* k) { return m.contains(k) && !m[k].is_null() ? (m[k].is_string() ? m[k].get<std::string>() : m[k].dump()) : std::string("?"); };
      machines.insert(text("cpu") + ", " + text("cores") + " cores, " + text("threads") + " threads");
    }
    if (j.contains("git") && j["git"].is_object() && j["git"].contains("revision") && j["git"]["revision"].is_string())
      revisions.insert(j["git"]["revision"].get<std::string>().substr(0, 12) + (j["git"].value("dirty", false) ? " (dirty)" : ""));
  }
  auto joined = [](const std::set<std::string>& items) {
    std::string out;
    for (const std::string& x : items) out += (out.empty() ? "" : "; ") + x;
    return out.empty() ? std::string(kNone) : out;
  };
  std::string text = std::to_string(set.results.size()) + " result files";
  if (first && last && *last >= *first) {
    const int64_t seconds = *last - *first;
    const std::string minutes = (seconds % 3600 / 60 < 10 && seconds >= 3600 ? "0" : "") + std::to_string(seconds % 3600 / 60);
    text += ", from " + first_text + " to " + last_text + " (wall time " +
            (seconds >= 3600 ? std::to_string(seconds / 3600) + " h " + minutes + " min"
                             : seconds >= 60 ? minutes + " min " + std::to_string(seconds % 60) + " s"
                                             : std::to_string(seconds) + " s") +
            ")";
  }
  return text + "; machine: " + joined(machines) + "; git revision: " + joined(revisions) + ".";
}

bool perplexity_claim(const Claim& c) { return c.metric == "perplexity"; }

// A difference in the claim's unit: nats for perplexity claims, accuracy for passkey.
std::string claim_number(const Claim& c, double v) {
  const std::string t = fixed(v, c.metric == "perplexity" ? 3 : 3);
  return v > 0 && t.find_first_of("123456789") != std::string::npos ? "+" + t : t;
}

// A side's value over seeds as read: a perplexity (exp of the mean loss) or an accuracy.
std::string side_text(const Claim& c, const std::vector<SeedValue>& values) {
  if (values.empty()) return kNone;
  std::vector<double> v;
  for (const SeedValue& x : values) v.push_back(x.value);
  const Stat st = summarize(v);
  return perplexity_claim(c) ? "perplexity " + fixed(std::exp(st.mean), 3) : "accuracy " + fixed(st.mean, 3);
}

std::string per_seed_text(const std::vector<SeedValue>& values, bool perplexity) {
  std::string out;
  for (const SeedValue& x : values)
    out += (out.empty() ? "" : ", ") + (x.seed.empty() ? std::string("?") : x.seed) + ": " +
           fixed(perplexity ? std::exp(x.value) : x.value, 3);
  return out;
}

std::string expectation_text(const Claim& c) {
  return std::string("a − b ") + (c.greater ? "> " : "< ") + shortest_number(c.threshold) +
         (perplexity_claim(c) ? " nats (perplexity ratio " + std::string(c.greater ? "> " : "< ") +
                                    fixed(std::exp(c.threshold), 3) + ")"
                              : "");
}

std::string figure_text(const ClaimOutcome& o) {
  const Claim& c = *o.claim;
  if (!std::isfinite(o.d.difference)) return kNone;
  std::string t = claim_number(c, o.d.difference) + (perplexity_claim(c) ? " nats (× " + fixed(std::exp(o.d.difference), 3) + ")" : "");
  return t;
}

std::string interval_text(const ClaimOutcome& o) {
  const Claim& c = *o.claim;
  if (o.d.kind == IntervalKind::kNone || !std::isfinite(o.d.difference)) return kNone;
  std::string t = "[" + claim_number(c, o.d.low) + ", " + claim_number(c, o.d.high) + "]";
  if (perplexity_claim(c)) t += " (× " + fixed(std::exp(o.d.low), 3) + " to " + fixed(std::exp(o.d.high), 3) + ")";
  return t;
}

int64_t outcome_seeds(const ClaimOutcome& o) { return static_cast<int64_t>(std::min(o.a.size(), o.b.size())); }

// A forest plot of the claims of one metric: how far each interval lies beyond its claim's
// threshold in the claimed direction (rows: support index low high); > 0 everywhere = reproduced.
void claims_plot(const std::vector<ClaimOutcome>& outcomes, bool perplexity, bool variants, Document& doc,
                 Plotter& plotter, std::set<std::string>& names) {
  PlotData plot;
  plot.title = std::string("Published claims: ") + (perplexity ? "perplexity" : "passkey") +
               " differences beyond each claim's threshold, in the claimed direction (point: mean over seeds; bar: 95% "
               "interval; right of 0 = as the paper reports)";
  plot.columns = {"support", "index", "low", "high"};
  double lo = 0, hi = 0;
  for (const ClaimOutcome& o : outcomes) {
    if (perplexity_claim(*o.claim) != perplexity || !std::isfinite(o.d.difference)) continue;
    const double sign = o.claim->greater ? 1 : -1, t = o.claim->threshold;
    const bool interval = o.d.kind != IntervalKind::kNone;
    const double mid = sign * (o.d.difference - t);
    double a = interval ? sign * (o.d.low - t) : mid, b = interval ? sign * (o.d.high - t) : mid;
    if (a > b) std::swap(a, b);
    plot.series.push_back({o.claim->id + (variants ? " (" + o.variant + ")" : ""), {{mid, double(plot.series.size()), a, b}}});
    lo = std::min(lo, a);
    hi = std::max(hi, b);
  }
  const double pad = hi > lo ? 0.08 * (hi - lo) : 1;
  plotter.plot(doc, unique_name(names, perplexity ? "claims_perplexity" : "claims_passkey"), "differences", plot,
               {{"xlabel", gnuplot_string(perplexity ? "(a − b) beyond the threshold, in the claimed direction (nats)"
                                                     : "(a − b) beyond the threshold, in the claimed direction (accuracy)")},
                {"xmin", gnuplot_number(lo - pad)},
                {"xmax", gnuplot_number(hi + pad)}});
}

void claims_section(const ClaimsFile& claims, const ReportSet& set, Document& doc, Plotter& plotter,
                    std::set<std::string>& names) {
  const std::vector<ClaimOutcome> outcomes = evaluate_claims(claims, set);
  std::set<std::string> variant_names;
  for (const ClaimOutcome& o : outcomes) variant_names.insert(o.variant);
  const bool variants = variant_names.size() > 1;
  doc.heading(2, claims.title);
  doc.paragraph("Each claim (from " + claims.path + ") compares two measured cells a and b — a scaling method at a "
                "fine-tuning budget and a context length — or a cell and a constant, in the direction the paper "
                "reports. Perplexity claims compare losses (log perplexity, nats): a − b is the log of the perplexity "
                "ratio, shown also as the ratio ×. Passkey claims compare accuracies (correct / trials over every depth). "
                "Ablate's figure is the mean over seeds of a − b with its 95% Student t interval, paired by seed "
                "(reports/statistics.h). Verdict: \"reproduced in shape\" when the interval lies entirely on the "
                "claimed side of the threshold, \"not reproduced\" when it lies entirely on the other side, \"not "
                "distinguishable\" when it contains the threshold (or there is one seed), \"not measured\" when the "
                "results lack a cell. The model is small and trained here; a claim is checked in shape (its direction), "
                "not in the paper's numbers, and negative results stay.");
  if (!claims.commands.empty()) {
    doc.paragraph("Commands:");
    doc.code(claims.commands);
  }
  doc.paragraph("Results: " + run_summary(set));
  std::vector<std::string> header = {"claim"};
  if (variants) header.push_back("variant");
  header.insert(header.end(), {"source", "a", "b", "expected", "Ablate (a − b)", "95% interval", "n", "verdict"});
  std::vector<std::vector<std::string>> rows;
  for (const ClaimOutcome& o : outcomes) {
    std::vector<std::string> row = {o.claim->id};
    if (variants) row.push_back(o.variant.empty() ? kNone : o.variant);
    row.insert(row.end(), {o.claim->source, o.a_cell.empty() ? o.claim->a.text() : o.a_cell,
                           o.b_cell.empty() ? o.claim->b.text() : o.b_cell, expectation_text(*o.claim), figure_text(o),
                           interval_text(o), std::to_string(outcome_seeds(o)),
                           verdict_text(o.verdict, outcome_seeds(o))});
    rows.push_back(row);
  }
  doc.table(header, rows, variants ? 6 : 5);
  claims_plot(outcomes, true, variants, doc, plotter, names);
  claims_plot(outcomes, false, variants, doc, plotter, names);
  for (const ClaimOutcome& o : outcomes) {
    const Claim& c = *o.claim;
    doc.heading(3, c.id + (variants ? " (" + o.variant + ")" : "") + ": " + verdict_text(o.verdict, outcome_seeds(o)));
    doc.paragraph("The paper (" + c.source + "): " + c.paper);
    if (o.verdict == Verdict::kNotMeasured) {
      doc.paragraph("Not measured: " + o.missing + ".");
    } else {
      const bool ppl = perplexity_claim(c);
      doc.paragraph("Measured: a = " + o.a_cell + " (" + side_text(c, o.a) + "; per seed " + per_seed_text(o.a, ppl) +
                    "), b = " + o.b_cell + (c.b.value ? "" : " (" + side_text(c, o.b) + "; per seed " + per_seed_text(o.b, ppl) + ")") +
                    "; expected " + expectation_text(c) + ".");
      doc.paragraph("Ablate: a − b = " + figure_text(o) + ", 95% interval " + interval_text(o) + " (" +
                    interval_method_text(o.d) + ") → " + verdict_text(o.verdict, outcome_seeds(o)) + ".");
    }
    if (!c.note.empty()) doc.paragraph("Note: " + c.note);
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
                      const fs::path& reports, const std::string& page, const std::string& gnuplot,
                      const ReportOptions& options, const ClaimsFile* claims, std::ostream& err);

}  // namespace

ReportOutcome write_report(const std::string& results_dir, const std::string& out_dir, std::ostream& err,
                           const ReportOptions& options) {
  const ReportSet set = collect_results(results_dir, out_dir, err);
  if (set.results.empty())
    throw std::runtime_error(results_dir + ": no Ablate results found (no *.json file with \"format\": \"" +
                             std::string(kResultFormat) + "\")");
  if (!options.baseline.empty() &&
      std::none_of(set.variants.begin(), set.variants.end(), [&](const Variant& v) { return v.name == options.baseline; })) {
    std::string known;
    for (const Variant& v : set.variants) known += (known.empty() ? "" : ", ") + v.name;
    throw std::runtime_error("--baseline " + options.baseline + ": no such variant in " + results_dir + " (variants: " +
                             known + ")");
  }
  std::string chromium;
  if (options.screenshot) {
    const auto found = find_chromium();
    if (!found)
      throw std::runtime_error("--screenshot: Chromium not found: install the chromium package (scripts/setup does), "
                               "or set ABLATE_CHROMIUM to the browser");
    chromium = *found;
  }
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
  std::optional<ClaimsFile> claims;
  if (!options.claims.empty()) claims = read_claims(options.claims);  // before anything is written

  // The report is built in a staging folder and swapped in whole at the end (folder_swap.h): a
  // killed or failed report leaves the previous one as it was.
  const std::string target = fs::path(out_dir).lexically_normal().string();
  check_report_folder(target);
  const fs::path out = make_staging_folder(target);
  int plots = 0;
  try {
    plots = write_report_into(set, results_dir, out, reports, page, gnuplot, options, claims ? &*claims : nullptr, err);
    if (options.screenshot) screenshot_page(chromium, (out / "index.html").string(), (out / "screenshot.png").string());
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
                      const fs::path& reports, const std::string& page, const std::string& gnuplot,
                      const ReportOptions& options, const ClaimsFile* claims, std::ostream& err) {
  try {
    fs::create_directories(out / "plots");
    fs::create_directories(out / "data");
  } catch (const std::exception& e) {
    throw std::runtime_error(out.string() + ": cannot create the report folder: " + e.what());
  }
  Plotter plotter(gnuplot, reports / "gnuplot", out, err);
  Document doc;
  std::set<std::string> names = {"train_loss", "validation_curve", "validation_loss", "train_tokens_per_second",
                                 "validation_loss_difference", "kv_cache", "prefill", "decode"};
  std::string variants;
  for (const Variant& v : set.variants) {
    variants += (variants.empty() ? "" : ", ") + v.name;
    plotter.line_type(v.name);  // each variant's line style, in variant order
  }
  doc.paragraph(std::to_string(set.results.size()) + " results from " + results_dir + "; " +
                std::to_string(set.variants.size()) + " variants: " + variants + ". Generated " +
                iso8601_utc(std::chrono::system_clock::now()) + ".");
  if (claims) claims_section(*claims, set, doc, plotter, names);
  training_section(set, doc, plotter);
  metrics_section(set, options.baseline, doc, plotter);
  DrawnPlots extension_plots;
  extension_section(set, doc, plotter, names, extension_plots);
  choice_section(set, options.baseline, doc, plotter, names);
  passkey_section(set, options.baseline, extension_plots, doc, plotter, names);
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
  ReportOptions options;
  CommandLine line("report",
                   "Plots (PNG, SVG), tables, OUT/index.html and OUT/report.md from every result JSON file under\n"
                   "RESULTS_DIR (files that are not Ablate results are reported and skipped). Needs gnuplot; the\n"
                   "scripts and the page template are in the source tree's reports/ (ABLATE_REPORTS_DIR: another).");
  line.argument("RESULTS_DIR", "results folder", results_dir)
      .option({"-o", "--output"}, "OUT", "the report folder (default RESULTS_DIR/report)", out_dir)
      .option({"--baseline"}, "NAME", "the variant differences are taken from (default: the first)", options.baseline)
      .option({"--claims"}, "FILE",
              "published claims to check, each with its verdict (YAML: reports/claims.h; e.g.\n"
              "configs/reproduce/extension_claims.yaml)",
              options.claims)
      .flag("--screenshot", "also OUT/screenshot.png, the page in headless Chromium (1280 pixels wide)",
            options.screenshot)
      .usage_note("   (OUT defaults to RESULTS_DIR/report)");
  if (const auto exit = line.parse(args, out, err)) return *exit;
  if (out_dir.empty()) out_dir = (fs::path(results_dir) / "report").string();
  const ReportOutcome o = write_report(results_dir, out_dir, err, options);
  out << "report: " << results_dir << " -> " << o.index << " (" << o.results << " results, " << o.plots << " plots)\n";
  return 0;
}

}  // namespace ablate
