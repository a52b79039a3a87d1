// The data side of `ablate report`: reading a results folder into variants, aggregating seeds,
// and turning each section's numbers into tables and plot series (written as gnuplot .dat files).
//
// A result is any *.json with "format": "ablate-result/1"; its variant is sweep.variant when it
// came from a sweep, else its name. Where several results hold the same quantity for one
// (variant, seed) — a run re-evaluated by `ablate eval`, say — the one finished last counts, so
// a variant's samples are one per seed. Seeds are aggregated as mean, sample std, min and max.
//
// .dat layout (one file per plot, read by reports/gnuplot/*.gp): '#' comment lines naming the
// plot, its columns and its series, then one block per series separated by two blank lines; a
// block's first line is the series name in double quotes (gnuplot's `title columnheader(1)`),
// the rest are rows of numbers.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "reports/statistics.h"

namespace ablate {

struct ReportResult {
  std::string path;         // as found under the results folder
  nlohmann::json json;
  std::string variant;      // sweep.variant, else name
  std::string seed;         // the "seed" field as text ("" when absent: the result counts alone)
  std::string finished_at;  // ISO 8601; later wins when two results of a seed hold the same data
};

struct Variant {
  std::string name;
  std::vector<const ReportResult*> results;  // in path order
};

// Variants point into `results`: the set moves but never copies.
struct ReportSet {
  std::vector<ReportResult> results;  // sorted by path
  std::vector<Variant> variants;      // in order of first appearance (path order)
  ReportSet() = default;
  ReportSet(ReportSet&&) = default;
  ReportSet& operator=(ReportSet&&) = default;
  ReportSet(const ReportSet&) = delete;
  ReportSet& operator=(const ReportSet&) = delete;
};

// Reads every *.json under `dir` recursively, skipping the folder `skip` (the report's own).
// Files that are not JSON or not Ablate results are reported on `err` ("report: skipping PATH:
// ...") and left out; a sweep's own summary (format ablate-sweep/...), failure records
// (ablate-failure/...) and Slurm submissions (ablate-slurm/...) are left out silently, as are
// hidden folders (work in progress: a forced run's .incoming/, a report's staging folder).
// Variants come in their sweep's order (as sweep.json lists its points), the others after them.
ReportSet collect_results(const std::string& dir, const std::string& skip, std::ostream& err);

// The number at a dotted path ("metrics.validation.loss"), if present and a number.
std::optional<double> number_at(const nlohmann::json& j, const std::string& dotted);

// One value per seed of `variant`: for each seed, the last-finished result for which `get` gives
// a value. Ordered by seed.
std::vector<double> per_seed(const Variant& variant,
                             const std::function<std::optional<double>(const nlohmann::json&)>& get);
// The same values with their seeds ("" for a result without a seed, which pairs with nothing).
std::vector<SeedValue> seed_values(const Variant& variant,
                                   const std::function<std::optional<double>(const nlohmann::json&)>& get);
// The last-finished result per seed among those that satisfy `has`, ordered by seed.
std::vector<const ReportResult*> latest_per_seed(const Variant& variant,
                                                 const std::function<bool(const nlohmann::json&)>& has);

struct Stat {
  int64_t n = 0;
  double mean = 0, std = 0, min = 0, max = 0;  // std: sample standard deviation (0 when n < 2)
};
Stat summarize(const std::vector<double>& values);
// The perplexity of a mean loss: exp(mean over seeds of the losses), not the mean of per-seed
// perplexities (which exp's convexity makes larger). n as the losses'; min, max = exp of the
// extreme losses; std 0: there is no spread of one value.
Stat perplexity_of_mean_loss(const Stat& loss);

// ---- plot data ----

struct Series {
  std::string name;
  std::vector<std::vector<double>> rows;
};

struct PlotData {
  std::string title;                 // also the .dat header
  std::vector<std::string> columns;  // the row columns, named in the header
  std::vector<Series> series;
  size_t y_column = 1;               // the row column drawn on the y axis (0-based)
  bool empty() const;                // no series, or no rows in any
};

// Writes `plot` to `path` (atomically) in the layout described at the top of this file.
void write_dat(const std::string& path, const PlotData& plot);

// Section 1: training curves. Train loss: each seed's curve smoothed by a trailing moving average
// of `window` steps, then mean/min/max over seeds per step (rows: step mean min max n). Validation
// loss: mean/min/max over seeds per step, unsmoothed (same columns).
PlotData train_loss_plot(const ReportSet& set, int window);
PlotData validation_curve_plot(const ReportSet& set);

// Section 2: final metrics per variant (empty when no result of the variant has metrics).
struct MetricsRow {
  std::string variant;
  std::string components;  // "rmsnorm, swiglu, rope, gqa (2 kv heads)" from the config
  Stat parameters, validation_loss, perplexity, tokens_per_second, parameter_bytes, optimizer_bytes,
      peak_rss_bytes, kv_bytes_per_token;  // perplexity = perplexity_of_mean_loss(validation_loss)
  // Some seed's peak_rss_bytes is the whole process's (peak_rss_scope "process", or absent in an
  // older result), not its run's alone.
  bool peak_rss_process_wide = false;
  // Each metric's values per seed, by its name in kMetricNames (perplexity: exp of each seed's loss).
  std::map<std::string, std::vector<SeedValue>> seeds;
};
// The final metrics, in table order: "parameters", "validation loss", "perplexity", "train tokens/s",
// "parameter bytes", "optimizer bytes", "peak RSS", "KV cache bytes/token".
extern const std::vector<std::string> kMetricNames;
std::vector<MetricsRow> metrics_rows(const ReportSet& set);
// Bars (rows: group mean std) of the validation loss and of the training tokens/s.
PlotData validation_loss_bars(const std::vector<MetricsRow>& rows);
PlotData tokens_per_second_bars(const std::vector<MetricsRow>& rows);

// KV cache against context 128..32768 (powers of two): analytic series (bytes_per_token ×
// context) for each variant with metrics and each benchmarked model, then measured series
// (bench kv_cache points). Rows: context bytes MiB. `analytic` = how many series are analytic.
struct KvCachePlot {
  PlotData plot;
  int analytic = 0;
  std::vector<int> measured_colors;  // per measured series: 1 + the index of its model's analytic series
};
KvCachePlot kv_cache_plot(const ReportSet& set);

// Section 3: context extension, one per variant with "extend" results (seeds averaged).
struct ExtensionCell {
  bool applicable = false;
  Stat perplexity, loss;  // loss per seed (its point's loss, else log of its perplexity); perplexity of the mean
  std::string reason;  // when not applicable
};
// One curve: a scaling method at one fine-tuning budget (extend.finetune.steps), named by the
// result's `label` ("linear", "linear fine-tuned 20 steps").
struct ExtensionMethod {
  std::string name;                 // the label
  std::string method;               // the scaling method's name
  int64_t finetuned_steps = 0;      // the budget (0: as trained)
  int64_t finetune_context = 0;     // where it was fine-tuned (0: not fine-tuned, or not recorded)
  std::map<int64_t, ExtensionCell> by_length;
  int64_t longest = 0;                   // the longest applicable length (0: none)
  std::vector<double> loss_by_position;  // mean over seeds per bucket, at position_length: the
  int64_t position_length = 0;           // longest applicable length that reports it
  int64_t bucket = 0;                    // tokens per bucket
};
struct Extension {
  std::string variant;
  int64_t trained_context = 0;
  int64_t seeds = 0;
  std::vector<int64_t> lengths;  // every length any method reports, increasing
  std::vector<ExtensionMethod> methods;
  PlotData perplexity_plot() const;        // rows: length perplexity loss n
  PlotData loss_by_position_plot() const;  // rows: position (bucket centre) mean_nll
  std::vector<int64_t> budgets() const;    // the fine-tuning budgets of the curves, increasing
  std::vector<std::string> method_names() const;  // the scaling methods, in order of first appearance
  // The curves fine-tuned for `steps` steps, one series per scaling method (rows as perplexity_plot).
  PlotData budget_plot(int64_t steps) const;
  // Perplexity at `length` against fine-tuning steps, one series per scaling method:
  // rows: steps perplexity loss n_seeds.
  PlotData steps_plot(int64_t length) const;
  // The fine-tuning context of the curves (the first one that records it; 0: none).
  int64_t finetune_context() const;
};
std::vector<Extension> extensions(const ReportSet& set);

// Section 4: multiple choice, per task and variant (seeds averaged; the standard error is the
// mean of the seeds' standard errors, since every seed is scored on the same items).
struct ChoiceScore {
  Stat value;
  double se = 0;  // standard error over items
};
// One bin of the task's difficulty axis (choice.difficulty.bins), seeds averaged.
struct DifficultyBin {
  int64_t items = 0;
  ChoiceScore acc, acc_norm;
};
struct ChoiceRow {
  std::string variant, format;
  int64_t items = 0;
  std::map<std::string, ChoiceScore> scores;  // by metric name (kChoiceMetrics present in the results)
  std::vector<SeedValue> acc_seeds;           // acc per seed
  double chance = NAN;                        // mean over items of 1/len(choices), if the results say
  Stat truncated;                             // items whose context was cut to the window, over seeds
  std::string difficulty;                     // the axis' name ("" without one)
  std::map<double, DifficultyBin> bins;       // by the axis value
};
// The scores read, in table order: lm-eval's acc, acc_norm, acc_bytes and llama.cpp's HellaSwag score.
extern const std::vector<std::string> kChoiceMetrics;
struct ChoiceTask {
  std::string task;
  std::vector<ChoiceRow> rows;
  PlotData bars() const;  // rows: group (0 acc, 1 acc_norm) value stderr
  // Accuracy against the difficulty axis, one series per variant with bins: rows: value acc
  // stderr items acc_norm.
  PlotData difficulty_plot() const;
  std::string difficulty() const;  // the first row's axis name ("" when no row has bins)
  double chance() const;           // the rows' chance level (NaN when none says)
};
std::vector<ChoiceTask> choice_tasks(const ReportSet& set);

// Section 4b: passkey retrieval (result "passkey"), one per variant; correct and trials summed
// over seeds, so an accuracy is correct / trials over every seed's trials.
struct PasskeyCell {
  int64_t correct = 0, trials = 0;
  double accuracy() const { return trials > 0 ? double(correct) / double(trials) : NAN; }
};
struct PasskeyMethod {
  std::string name;    // the label: "linear", "linear fine-tuned 20 steps"
  std::string method;  // the scaling method's name
  int64_t finetuned_steps = 0;
  std::map<std::pair<int64_t, double>, PasskeyCell> cells;  // (length, depth)
  std::map<int64_t, PasskeyCell> by_length;                 // summed over depths
};
struct Passkey {
  std::string variant, filler;
  int64_t digits = 0, seeds = 0;
  int64_t trained_context = 0;  // 0 when the results do not say
  double chance = NAN;
  std::vector<int64_t> lengths;
  std::vector<double> depths;
  std::vector<PasskeyMethod> methods;
  PlotData accuracy_plot() const;  // one series per method: rows: length accuracy correct trials
  // The method's length × depth grid: rows: length_index depth_index accuracy length depth.
  PlotData heat_map(const PasskeyMethod& method) const;
};
std::vector<Passkey> passkeys(const ReportSet& set);

// Perplexity against length at one extension method, one series per variant that has it
// (rows: length perplexity loss n_seeds); the methods in order of first appearance.
std::vector<std::string> extension_method_names(const std::vector<Extension>& all);
PlotData extension_method_plot(const std::vector<Extension>& all, const std::string& method);

// Section 5: efficiency benchmarks, one row per benchmarked model (named "model" when one variant
// holds bench results, else "variant/model"; seeds averaged).
struct BenchRow {
  std::string name;
  Stat train_tokens_per_second, parameter_bytes, optimizer_bytes, peak_rss_bytes, kv_bytes_per_token;
  Stat mfu_percent, mfu_fma_percent;        // training MFU against the GEMM peak and the vector FMA peak
  std::map<int64_t, Stat> prefill, decode;  // context -> tokens/s
  std::map<int64_t, Stat> kv_allocated;     // context -> bytes actually held
};
std::vector<BenchRow> bench_rows(const ReportSet& set);
// Rows: context tokens_per_second n, one series per model that has points.
PlotData throughput_plot(const std::vector<BenchRow>& rows, bool decode);

}  // namespace ablate
