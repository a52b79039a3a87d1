// Reading results and shaping the report's tables and plot series (see report_data.h). The
// fields read, by their dotted paths ("metrics.validation.loss", "extend.methods", ...), are the
// result files' as docs/results.md describes them.
#include "reports/report_data.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <ostream>
#include <set>
#include <sstream>
#include <stdexcept>

#include "harness/common/file_io.h"
#include "harness/common/format.h"
#include "harness/common/result.h"

namespace ablate {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const json* find_path(const json& j, const std::string& dotted) {
  const json* node = &j;
  size_t start = 0;
  while (true) {
    const size_t dot = dotted.find('.', start);
    const std::string key = dotted.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!node->is_object()) return nullptr;
    auto it = node->find(key);
    if (it == node->end()) return nullptr;
    node = &*it;
    if (dot == std::string::npos) return node;
    start = dot + 1;
  }
}

std::string string_at(const json& j, const std::string& dotted) {
  const json* v = find_path(j, dotted);
  if (!v) return "";
  if (v->is_string()) return v->get<std::string>();
  if (v->is_number()) return v->dump();
  return "";
}

std::optional<double> number_in(const json& j, const char* key) {
  if (!j.is_object()) return std::nullopt;
  auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

// A count or a context length: the number, when it is within ±2^53 (beyond that a cast to int64 is
// undefined, and no result writes such a number); absent otherwise, like a missing field.
std::optional<int64_t> count_in(const json& j, const char* key) {
  const std::optional<double> v = number_in(j, key);
  if (!v || !(std::abs(*v) <= 9007199254740992.0)) return std::nullopt;
  return static_cast<int64_t>(*v);
}

// The boolean at `key`; `fallback` when it is missing or not a boolean.
bool bool_in(const json& j, const char* key, bool fallback) {
  if (!j.is_object()) return fallback;
  auto it = j.find(key);
  return it != j.end() && it->is_boolean() ? it->get<bool>() : fallback;
}

// Seeds as text compare as numbers when both are integers ("2" < "10").
bool seed_less(const std::string& a, const std::string& b) {
  char *ea = nullptr, *eb = nullptr;
  const long long x = std::strtoll(a.c_str(), &ea, 10), y = std::strtoll(b.c_str(), &eb, 10);
  const bool na = !a.empty() && *ea == '\0', nb = !b.empty() && *eb == '\0';
  if (na && nb) return x < y;
  if (na != nb) return na;
  return a < b;
}

// The result of each seed among those satisfying `has`, the last finished winning. A result
// without a seed counts alone (keyed by its path).
std::vector<const ReportResult*> latest_by_seed(const Variant& variant,
                                                const std::function<bool(const ReportResult&)>& has) {
  std::map<std::string, const ReportResult*, bool (*)(const std::string&, const std::string&)> by_seed(seed_less);
  for (const ReportResult* r : variant.results) {
    if (!has(*r)) continue;
    const std::string key = r->seed.empty() ? "~" + r->path : r->seed;
    auto it = by_seed.find(key);
    if (it == by_seed.end() || it->second->finished_at <= r->finished_at) by_seed[key] = r;
  }
  std::vector<const ReportResult*> out;
  for (const auto& [seed, r] : by_seed) out.push_back(r);
  return out;
}

// Mean/min/max over the values collected at each x: rows x mean min max n.
std::vector<std::vector<double>> aggregate_rows(const std::map<double, std::vector<double>>& at) {
  std::vector<std::vector<double>> rows;
  for (const auto& [x, values] : at) {
    const Stat s = summarize(values);
    rows.push_back({x, s.mean, s.min, s.max, static_cast<double>(s.n)});
  }
  return rows;
}

std::string dat_number(double v) { return std::isfinite(v) ? format_significant(v, 10) : "nan"; }

// A series name as a gnuplot column header: double quotes and line breaks would end it early.
std::string header_text(const std::string& name) {
  std::string s;
  for (char c : name) s += (c == '"' ? '\'' : (c == '\n' || c == '\r' || c == '\t') ? ' ' : c);
  return s;
}

std::string model_summary(const json& config) {
  const json* model = find_path(config, "model");
  if (!model || !model->is_object()) return "";
  std::ostringstream o;
  const std::string norm = string_at(*model, "norm.type"), mlp = string_at(*model, "mlp.type"),
                    position = string_at(*model, "position.type"), scaling = string_at(*model, "position.scaling.type"),
                    attention = string_at(*model, "attention.type"), heads = string_at(*model, "attention.n_heads"),
                    kv = string_at(*model, "attention.n_kv_heads"), d = string_at(*model, "d_model"),
                    layers = string_at(*model, "n_layers");
  o << norm << ", " << mlp << ", " << position;
  if (!scaling.empty() && scaling != "none") o << " (" << scaling << ")";
  o << ", " << attention;
  if (!heads.empty()) o << " (" << heads << " heads, " << kv << " kv)";
  if (!d.empty()) o << "; d=" << d << ", " << layers << (layers == "1" ? " layer" : " layers");
  return o.str();
}

double to_mib(double bytes) { return bytes / (1024.0 * 1024.0); }

}  // namespace

std::optional<double> number_at(const json& j, const std::string& dotted) {
  const json* v = find_path(j, dotted);
  if (!v || !v->is_number()) return std::nullopt;
  return v->get<double>();
}

ReportSet collect_results(const std::string& dir, const std::string& skip, std::ostream& err) {
  if (!fs::is_directory(dir)) throw std::runtime_error(dir + ": not a directory (expected a results folder)");
  std::error_code ec;
  const fs::path skip_path = skip.empty() ? fs::path() : fs::weakly_canonical(skip, ec);
  std::vector<std::string> paths;
  std::vector<std::pair<std::string, std::string>> sweep_order;  // (sweep, variant) as sweep.json lists them
  for (auto it = fs::recursive_directory_iterator(dir, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code e2;
    if (it->is_directory(e2)) {
      // Hidden folders are work in progress (a forced run's .incoming, a report's staging folder).
      const bool hidden = it->path().filename().string().rfind('.', 0) == 0;
      if (hidden || (!skip_path.empty() && fs::weakly_canonical(it->path(), e2) == skip_path))
        it.disable_recursion_pending();
      continue;
    }
    if (it->path().extension() == ".json" && it->is_regular_file(e2)) paths.push_back(it->path().string());
  }
  if (ec) throw std::runtime_error(dir + ": cannot list the folder: " + ec.message());
  std::sort(paths.begin(), paths.end());

  ReportSet set;
  for (const std::string& path : paths) {
    std::string text;
    try {
      text = read_whole_file(path);
    } catch (const std::exception& e) {
      err << "report: skipping " << path << ": " << e.what() << "\n";
      continue;
    }
    json j;
    try {
      j = json::parse(text);
    } catch (const json::exception& e) {  // parse_error, and out_of_range for a number beyond double
      std::string what = e.what();
      const size_t bracket = what.find("] ");
      if (what.rfind("[json.exception", 0) == 0 && bracket != std::string::npos) what = what.substr(bracket + 2);
      err << "report: skipping " << path << ": not valid JSON (" << what << ")\n";
      continue;
    }
    const json* format = j.is_object() ? find_path(j, "format") : nullptr;
    if (!format || !format->is_string()) {
      err << "report: skipping " << path << ": not an Ablate result (no \"format\" field)\n";
      continue;
    }
    const std::string f = format->get<std::string>();
    // A sweep's summary (its points are read themselves, but their order is the variants' order),
    // a failed attempt's record, Slurm submissions.
    if (f.rfind("ablate-sweep/", 0) == 0) {
      if (j.contains("points") && j["points"].is_array())
        for (const json& p : j["points"])
          if (p.is_object() && p.contains("variant") && p["variant"].is_string())
            sweep_order.emplace_back(string_at(j, "name"), p["variant"].get<std::string>());
      continue;
    }
    if (f.rfind("ablate-failure/", 0) == 0 || f.rfind("ablate-slurm/", 0) == 0) continue;
    if (f != kResultFormat) {
      err << "report: skipping " << path << ": not an Ablate result (format '" << f << "', expected '"
          << kResultFormat << "')\n";
      continue;
    }
    ReportResult r;
    r.path = path;
    r.variant = string_at(j, "sweep.variant");
    if (r.variant.empty()) r.variant = string_at(j, "name");
    if (r.variant.empty()) r.variant = fs::path(path).parent_path().filename().string();
    r.seed = string_at(j, "seed");
    r.finished_at = string_at(j, "finished_at");
    if (r.finished_at.empty()) r.finished_at = string_at(j, "started_at");
    r.json = std::move(j);
    set.results.push_back(std::move(r));
  }
  // Results of several sweeps in one folder (e.g. the same ablation on two corpora) keep their
  // variants apart: "four_axes/gelu" and "four_axes_tinystories/gelu".
  std::set<std::string> sweeps;
  for (const ReportResult& r : set.results)
    if (!string_at(r.json, "sweep.name").empty()) sweeps.insert(string_at(r.json, "sweep.name"));
  if (sweeps.size() > 1)
    for (ReportResult& r : set.results)
      if (!string_at(r.json, "sweep.name").empty()) r.variant = string_at(r.json, "sweep.name") + "/" + r.variant;
  for (const ReportResult& r : set.results) {
    auto v = std::find_if(set.variants.begin(), set.variants.end(), [&](const Variant& x) { return x.name == r.variant; });
    if (v == set.variants.end()) {
      set.variants.push_back({r.variant, {}});
      v = set.variants.end() - 1;
    }
    v->results.push_back(&r);
  }
  // Variants in their sweep's order (its first variant is the default baseline), the others after
  // them in path order.
  std::vector<std::string> order;
  for (const auto& [sweep, variant] : sweep_order) order.push_back(sweeps.size() > 1 ? sweep + "/" + variant : variant);
  auto rank = [&](const Variant& v) {
    return static_cast<size_t>(std::find(order.begin(), order.end(), v.name) - order.begin());
  };
  std::stable_sort(set.variants.begin(), set.variants.end(),
                   [&](const Variant& a, const Variant& b) { return rank(a) < rank(b); });
  return set;
}

std::vector<const ReportResult*> latest_per_seed(const Variant& variant, const std::function<bool(const json&)>& has) {
  return latest_by_seed(variant, [&](const ReportResult& r) { return has(r.json); });
}

std::vector<SeedValue> seed_values(const Variant& variant, const std::function<std::optional<double>(const json&)>& get) {
  std::vector<SeedValue> values;
  for (const ReportResult* r : latest_by_seed(variant, [&](const ReportResult& x) { return get(x.json).has_value(); }))
    values.push_back({r->seed, *get(r->json)});
  return values;
}

std::vector<double> per_seed(const Variant& variant, const std::function<std::optional<double>(const json&)>& get) {
  std::vector<double> values;
  for (const SeedValue& s : seed_values(variant, get)) values.push_back(s.value);
  return values;
}

Stat summarize(const std::vector<double>& values) {
  Stat s;
  s.n = static_cast<int64_t>(values.size());
  if (values.empty()) return s;
  double sum = 0;
  s.min = s.max = values[0];
  for (double v : values) {
    sum += v;
    s.min = std::min(s.min, v);
    s.max = std::max(s.max, v);
  }
  s.mean = sum / values.size();
  if (values.size() > 1) {
    double sq = 0;
    for (double v : values) sq += (v - s.mean) * (v - s.mean);
    s.std = std::sqrt(sq / (values.size() - 1));
  }
  return s;
}

Stat perplexity_of_mean_loss(const Stat& loss) {
  Stat s;
  s.n = loss.n;
  if (loss.n == 0) return s;
  s.mean = std::exp(loss.mean);
  s.min = std::exp(loss.min);
  s.max = std::exp(loss.max);
  return s;
}

bool PlotData::empty() const {
  for (const Series& s : series)
    if (!s.rows.empty()) return false;
  return true;
}

void write_dat(const std::string& path, const PlotData& plot) {
  std::ostringstream o;
  o << "# Ablate report data: " << header_text(plot.title) << "\n# columns:";
  for (const std::string& c : plot.columns) o << " " << c;
  o << "\n# " << plot.series.size()
    << " series, one block each (gnuplot index i = series i), separated by two blank lines; each block starts with "
       "its name in quotes\n";
  for (size_t i = 0; i < plot.series.size(); ++i) {
    const Series& s = plot.series[i];
    if (i > 0) o << "\n\n";
    o << "# series " << i << ": " << header_text(s.name) << "\n\"" << header_text(s.name) << "\"\n";
    for (const auto& row : s.rows) {
      for (size_t c = 0; c < row.size(); ++c) o << (c ? " " : "") << dat_number(row[c]);
      o << "\n";
    }
  }
  const std::string text = o.str();
  write_file_atomically(path, {{text.data(), text.size()}});
}

// ---- section 1 ----

PlotData train_loss_plot(const ReportSet& set, int window) {
  PlotData plot;
  plot.title = "Training loss (" + std::to_string(window) +
               "-step moving average; line = mean over seeds, band = min-max)";
  plot.columns = {"step", "mean_loss", "min_loss", "max_loss", "n_seeds"};
  for (const Variant& v : set.variants) {
    std::map<double, std::vector<double>> at;
    for (const ReportResult* r : latest_per_seed(v, [](const json& j) {
           return j.contains("loss_curve") && j["loss_curve"].is_array() && !j["loss_curve"].empty();
         })) {
      std::vector<double> recent;
      for (const json& point : r->json["loss_curve"]) {
        const auto step = number_in(point, "step"), loss = number_in(point, "loss");
        if (!step || !loss) continue;
        recent.push_back(*loss);
        if (static_cast<int>(recent.size()) > window) recent.erase(recent.begin());
        double sum = 0;
        for (double x : recent) sum += x;
        at[*step].push_back(sum / recent.size());
      }
    }
    if (!at.empty()) plot.series.push_back({v.name, aggregate_rows(at)});
  }
  return plot;
}

PlotData validation_curve_plot(const ReportSet& set) {
  PlotData plot;
  plot.title = "Validation loss during training (mean over seeds, bars = min-max)";
  plot.columns = {"step", "mean_loss", "min_loss", "max_loss", "n_seeds"};
  for (const Variant& v : set.variants) {
    std::map<double, std::vector<double>> at;
    for (const ReportResult* r : latest_per_seed(v, [](const json& j) {
           return j.contains("validation_curve") && j["validation_curve"].is_array() && !j["validation_curve"].empty();
         })) {
      for (const json& point : r->json["validation_curve"]) {
        const auto step = number_in(point, "step"), loss = number_in(point, "loss");
        if (step && loss) at[*step].push_back(*loss);
      }
    }
    if (!at.empty()) plot.series.push_back({v.name, aggregate_rows(at)});
  }
  return plot;
}

// ---- section 2 ----

const std::vector<std::string> kMetricNames = {"parameters",      "validation loss", "perplexity", "train tokens/s",
                                               "parameter bytes", "optimizer bytes", "peak RSS",   "KV cache bytes/token"};

std::vector<MetricsRow> metrics_rows(const ReportSet& set) {
  auto val_loss = [](const json& j) -> std::optional<double> {
    if (auto v = number_at(j, "metrics.validation.loss")) return v;
    return number_at(j, "metrics.final_validation_loss");
  };
  auto metric = [](const char* path) {
    return [path](const json& j) { return number_at(j, path); };
  };
  std::vector<MetricsRow> rows;
  for (const Variant& v : set.variants) {
    const auto with_metrics = latest_per_seed(v, [](const json& j) { return j.contains("metrics") && j["metrics"].is_object(); });
    if (with_metrics.empty()) continue;
    MetricsRow row;
    row.variant = v.name;
    row.components = model_summary(with_metrics.front()->json.value("config", json::object()));
    row.parameters = summarize(per_seed(v, metric("metrics.parameters")));
    row.validation_loss = summarize(per_seed(v, val_loss));
    row.perplexity = perplexity_of_mean_loss(row.validation_loss);
    row.tokens_per_second = summarize(per_seed(v, metric("metrics.train_tokens_per_second")));
    row.parameter_bytes = summarize(per_seed(v, metric("metrics.parameter_bytes")));
    row.optimizer_bytes = summarize(per_seed(v, metric("metrics.optimizer_bytes")));
    row.peak_rss_bytes = summarize(per_seed(v, metric("metrics.peak_rss_bytes")));
    for (const ReportResult* r : latest_per_seed(v, [](const json& j) { return number_at(j, "metrics.peak_rss_bytes").has_value(); }))
      row.peak_rss_process_wide = row.peak_rss_process_wide || string_at(r->json, "metrics.peak_rss_scope") != "run";
    row.kv_bytes_per_token = summarize(per_seed(v, metric("metrics.kv_cache_bytes_per_token")));
    const std::vector<std::function<std::optional<double>(const json&)>> getters = {
        metric("metrics.parameters"),
        val_loss,
        [&](const json& j) -> std::optional<double> {
          if (auto loss = val_loss(j)) return std::exp(*loss);
          return std::nullopt;
        },
        metric("metrics.train_tokens_per_second"),
        metric("metrics.parameter_bytes"),
        metric("metrics.optimizer_bytes"),
        metric("metrics.peak_rss_bytes"),
        metric("metrics.kv_cache_bytes_per_token")};
    for (size_t i = 0; i < kMetricNames.size(); ++i) row.seeds[kMetricNames[i]] = seed_values(v, getters[i]);
    rows.push_back(row);
  }
  return rows;
}

namespace {
PlotData metric_bars(const std::vector<MetricsRow>& rows, Stat MetricsRow::*field, const std::string& title,
                     const std::string& value_column) {
  PlotData plot;
  plot.title = title;
  plot.columns = {"group", value_column, "std"};
  for (const MetricsRow& r : rows)
    if ((r.*field).n > 0) plot.series.push_back({r.variant, {{0, (r.*field).mean, (r.*field).std}}});
  return plot;
}
}  // namespace

PlotData validation_loss_bars(const std::vector<MetricsRow>& rows) {
  return metric_bars(rows, &MetricsRow::validation_loss, "Final validation loss per variant (mean, error bar = std over seeds)",
                     "mean_validation_loss");
}

PlotData tokens_per_second_bars(const std::vector<MetricsRow>& rows) {
  return metric_bars(rows, &MetricsRow::tokens_per_second,
                     "Training throughput per variant: training steps only, wall clock on a possibly shared machine "
                     "(mean, error bar = std over seeds; ablate bench compares speeds)",
                     "mean_tokens_per_second");
}

KvCachePlot kv_cache_plot(const ReportSet& set) {
  KvCachePlot out;
  out.plot.title = "KV cache at context (analytic: bytes/token x context)";
  out.plot.columns = {"context", "bytes", "MiB"};
  out.plot.y_column = 2;
  auto analytic = [&](const std::string& name, double per_token) {
    Series s{name, {}};
    for (int64_t context = 128; context <= 32768; context *= 2)
      s.rows.push_back({double(context), per_token * context, to_mib(per_token * context)});
    out.plot.series.push_back(s);
  };
  for (const MetricsRow& r : metrics_rows(set))
    if (r.kv_bytes_per_token.n > 0) analytic(r.variant, r.kv_bytes_per_token.mean);
  const std::vector<BenchRow> bench = bench_rows(set);
  for (const BenchRow& b : bench)
    if (b.kv_bytes_per_token.n > 0) analytic(b.name, b.kv_bytes_per_token.mean);
  out.analytic = static_cast<int>(out.plot.series.size());
  for (const BenchRow& b : bench) {
    if (b.kv_allocated.empty()) continue;
    if (static_cast<int>(out.plot.series.size()) == out.analytic)
      out.plot.title = "KV cache at context (lines: analytic bytes/token x context; points: measured)";
    int color = out.analytic + 1 + static_cast<int>(out.measured_colors.size());
    for (int i = 0; i < out.analytic; ++i)
      if (out.plot.series[static_cast<size_t>(i)].name == b.name) color = i + 1;
    out.measured_colors.push_back(color);
    Series s{b.name + " (measured)", {}};
    for (const auto& [context, bytes] : b.kv_allocated)
      s.rows.push_back({double(context), bytes.mean, to_mib(bytes.mean)});
    out.plot.series.push_back(s);
  }
  return out;
}

// ---- section 3 ----

namespace {

// The last-finished result per seed whose `section` holds a "methods" array (extend, passkey).
std::vector<const ReportResult*> with_methods(const Variant& v, const char* section) {
  return latest_per_seed(v, [section](const json& j) {
    return j.contains(section) && j[section].is_object() && j[section].contains("methods") &&
           j[section]["methods"].is_array();
  });
}

// A method entry's label: its `label` ("linear fine-tuned 20 steps"), else its name (an extend
// result from before budgets, with one curve per method).
std::string method_label(const json& m) {
  if (m.contains("label") && m["label"].is_string()) return m["label"].get<std::string>();
  return m["name"].get<std::string>();
}

// The item called `name`, appended (default-made) when there is none yet.
template <typename T>
T& named(std::vector<T>& items, const std::string& name) {
  auto it = std::find_if(items.begin(), items.end(), [&](const T& x) { return x.name == name; });
  if (it != items.end()) return *it;
  items.emplace_back();
  items.back().name = name;
  return items.back();
}

}  // namespace

std::vector<Extension> extensions(const ReportSet& set) {
  std::vector<Extension> out;
  for (const Variant& v : set.variants) {
    const auto results = with_methods(v, "extend");
    if (results.empty()) continue;
    Extension e;
    e.variant = v.name;
    e.seeds = static_cast<int64_t>(results.size());
    std::set<int64_t> lengths;
    // method -> length -> per-seed values
    std::map<std::string, std::map<int64_t, std::vector<double>>> loss;  // per seed
    std::map<std::string, std::map<int64_t, std::vector<std::vector<double>>>> by_position;
    std::map<std::string, int64_t> bucket;
    for (const ReportResult* r : results) {
      const json& ext = r->json["extend"];
      if (auto L = count_in(ext, "trained_context")) e.trained_context = *L;
      for (const json& m : ext["methods"]) {
        if (!m.is_object() || !m.contains("name") || !m["name"].is_string()) continue;
        const std::string name = method_label(m);
        ExtensionMethod* method = &named(e.methods, name);
        method->method = m["name"].get<std::string>();
        method->finetuned_steps = count_in(m, "finetuned_steps").value_or(0);
        if (auto c = count_in(m, "finetune_context")) method->finetune_context = *c;
        if (!m.contains("points") || !m["points"].is_array()) continue;
        for (const json& p : m["points"]) {
          const auto length = count_in(p, "length");
          if (!length) continue;
          const int64_t L = *length;
          lengths.insert(L);
          ExtensionCell& cell = method->by_length[L];
          const auto perplexity = number_in(p, "perplexity");
          if (bool_in(p, "applicable", true) && perplexity) {
            const auto l = number_in(p, "loss");
            loss[name][L].push_back(l ? *l : std::log(*perplexity));
            if (p.contains("loss_by_position") && p["loss_by_position"].is_array()) {
              std::vector<double> values;
              for (const json& x : p["loss_by_position"]) values.push_back(x.is_number() ? x.get<double>() : NAN);
              by_position[name][L].push_back(values);
              if (auto b = count_in(p, "bucket")) bucket[name] = *b;
            }
          } else if (cell.reason.empty()) {
            cell.reason = string_at(p, "reason");
            if (cell.reason.empty()) cell.reason = "not applicable";
          }
        }
      }
    }
    e.lengths.assign(lengths.begin(), lengths.end());
    for (ExtensionMethod& m : e.methods) {
      for (auto& [L, cell] : m.by_length) {
        if (loss[m.name].count(L)) {
          cell.applicable = true;
          cell.loss = summarize(loss[m.name][L]);
          cell.perplexity = perplexity_of_mean_loss(cell.loss);
          m.longest = std::max(m.longest, L);
        }
      }
      // Loss by position at the longest applicable length that has it, averaged over seeds.
      auto& curves = by_position[m.name];
      if (!curves.empty()) {
        const int64_t L = curves.rbegin()->first;
        const auto& per_seed_curves = curves.rbegin()->second;
        size_t n = 0;
        for (const auto& c : per_seed_curves) n = std::max(n, c.size());
        for (size_t i = 0; i < n; ++i) {
          std::vector<double> values;
          for (const auto& c : per_seed_curves)
            if (i < c.size() && std::isfinite(c[i])) values.push_back(c[i]);
          m.loss_by_position.push_back(values.empty() ? NAN : summarize(values).mean);
        }
        m.position_length = L;
        m.bucket = bucket.count(m.name) && bucket[m.name] > 0 ? bucket[m.name]
                                                                : std::max<int64_t>(1, L / std::max<size_t>(1, n));
      }
    }
    out.push_back(std::move(e));
  }
  return out;
}

namespace {
// A method's applicable points: rows length perplexity loss n_seeds.
Series perplexity_series(const std::string& name, const ExtensionMethod& m) {
  Series s{name, {}};
  for (const auto& [L, cell] : m.by_length)
    if (cell.applicable)
      s.rows.push_back({double(L), cell.perplexity.mean, cell.loss.mean, double(cell.perplexity.n)});
  return s;
}
}  // namespace

PlotData Extension::perplexity_plot() const {
  PlotData plot;
  plot.title = "Perplexity vs context: " + variant +
               (seeds > 1 ? " (mean of " + std::to_string(seeds) + " seeds)" : "");
  plot.columns = {"length", "perplexity", "loss", "n_seeds"};
  for (const ExtensionMethod& m : methods) plot.series.push_back(perplexity_series(m.name, m));
  return plot;
}

std::vector<int64_t> Extension::budgets() const {
  std::set<int64_t> steps;
  for (const ExtensionMethod& m : methods) steps.insert(m.finetuned_steps);
  return {steps.begin(), steps.end()};
}

std::vector<std::string> Extension::method_names() const {
  std::vector<std::string> names;
  for (const ExtensionMethod& m : methods)
    if (std::find(names.begin(), names.end(), m.method) == names.end()) names.push_back(m.method);
  return names;
}

PlotData Extension::budget_plot(int64_t steps) const {
  PlotData plot;
  plot.title = "Perplexity vs context: " + variant + ", " +
               (steps > 0 ? "fine-tuned " + std::to_string(steps) + " steps" : std::string("as trained (no fine-tuning)")) +
               (seeds > 1 ? " (mean of " + std::to_string(seeds) + " seeds)" : "");
  plot.columns = {"length", "perplexity", "loss", "n_seeds"};
  for (const ExtensionMethod& m : methods)
    if (m.finetuned_steps == steps) plot.series.push_back(perplexity_series(m.method, m));
  return plot;
}

PlotData Extension::steps_plot(int64_t length) const {
  PlotData plot;
  plot.title = "Perplexity at " + std::to_string(length) + " tokens vs fine-tuning steps: " + variant +
               (seeds > 1 ? " (mean of " + std::to_string(seeds) + " seeds)" : "");
  plot.columns = {"steps", "perplexity", "loss", "n_seeds"};
  for (const std::string& name : method_names()) {
    Series s{name, {}};
    for (const ExtensionMethod& m : methods) {
      if (m.method != name) continue;
      auto it = m.by_length.find(length);
      if (it != m.by_length.end() && it->second.applicable)
        s.rows.push_back({double(m.finetuned_steps), it->second.perplexity.mean, it->second.loss.mean,
                          double(it->second.perplexity.n)});
    }
    std::sort(s.rows.begin(), s.rows.end());
    plot.series.push_back(s);
  }
  return plot;
}

int64_t Extension::finetune_context() const {
  for (const ExtensionMethod& m : methods)
    if (m.finetune_context > 0) return m.finetune_context;
  return 0;
}

PlotData Extension::loss_by_position_plot() const {
  PlotData plot;
  plot.title = "Loss by position: " + variant + " (each method at its longest applicable length)";
  plot.columns = {"position", "mean_nll"};
  for (const ExtensionMethod& m : methods) {
    if (m.loss_by_position.empty()) continue;
    Series s{m.name + " @ " + std::to_string(m.position_length), {}};
    for (size_t i = 0; i < m.loss_by_position.size(); ++i)
      s.rows.push_back({(double(i) + 0.5) * double(m.bucket), m.loss_by_position[i]});
    plot.series.push_back(s);
  }
  return plot;
}

// ---- section 4 ----

const std::vector<std::string> kChoiceMetrics = {"acc", "acc_norm", "acc_bytes", "acc_llamacpp"};

std::vector<ChoiceTask> choice_tasks(const ReportSet& set) {
  std::vector<ChoiceTask> tasks;
  auto has_choice = [](const json& j) { return j.contains("choice") && j["choice"].is_object(); };
  for (const Variant& v : set.variants) {
    std::vector<std::string> names;
    for (const ReportResult* r : v.results)
      if (has_choice(r->json)) {
        const std::string t = string_at(r->json["choice"], "task");
        if (std::find(names.begin(), names.end(), t) == names.end()) names.push_back(t);
      }
    for (const std::string& name : names) {
      auto of_task = [&](const json& j) { return has_choice(j) && string_at(j["choice"], "task") == name; };
      ChoiceRow row;
      row.variant = v.name;
      std::map<std::string, std::vector<double>> values, errors;
      std::vector<double> chance, truncated;
      struct BinSamples {
        std::vector<double> items, acc, se, acc_norm;
      };
      std::map<double, BinSamples> bins;
      for (const ReportResult* r : latest_per_seed(v, of_task)) {
        const json& c = r->json["choice"];
        row.format = string_at(c, "format");
        if (auto items = count_in(c, "items")) row.items = *items;
        for (const std::string& metric : kChoiceMetrics) {
          if (auto x = number_in(c, metric.c_str())) values[metric].push_back(*x);
          if (auto x = number_in(c, (metric + "_stderr").c_str())) errors[metric].push_back(*x);
        }
        if (auto x = number_in(c, "chance")) chance.push_back(*x);
        if (auto x = number_in(c, "truncated")) truncated.push_back(*x);
        const json* bin_list = find_path(c, "difficulty.bins");
        if (!bin_list || !bin_list->is_array()) continue;
        if (row.difficulty.empty()) row.difficulty = string_at(c, "difficulty.name");
        for (const json& b : *bin_list) {
          const auto value = number_in(b, "value"), acc = number_in(b, "acc");
          if (!value || !acc) continue;
          BinSamples& samples = bins[*value];
          samples.acc.push_back(*acc);
          if (auto x = number_in(b, "items")) samples.items.push_back(*x);
          if (auto x = number_in(b, "acc_stderr")) samples.se.push_back(*x);
          if (auto x = number_in(b, "acc_norm")) samples.acc_norm.push_back(*x);
        }
      }
      for (const auto& [metric, v] : values) row.scores[metric] = {summarize(v), summarize(errors[metric]).mean};
      row.acc_seeds = seed_values(v, [&](const json& j) -> std::optional<double> {
        return of_task(j) ? number_in(j["choice"], "acc") : std::nullopt;
      });
      if (!chance.empty()) row.chance = summarize(chance).mean;
      row.truncated = summarize(truncated);
      for (const auto& [value, samples] : bins) {
        DifficultyBin& bin = row.bins[value];
        bin.items = static_cast<int64_t>(std::llround(summarize(samples.items).mean));
        bin.acc = {summarize(samples.acc), summarize(samples.se).mean};
        bin.acc_norm = {summarize(samples.acc_norm), 0};
      }
      auto task = std::find_if(tasks.begin(), tasks.end(), [&](const ChoiceTask& t) { return t.task == name; });
      if (task == tasks.end()) {
        tasks.push_back({name, {}});
        task = tasks.end() - 1;
      }
      task->rows.push_back(row);
    }
  }
  return tasks;
}

PlotData ChoiceTask::bars() const {
  PlotData plot;
  plot.title = "Multiple choice: " + (task.empty() ? std::string("(unnamed task)") : task) +
               " (mean over seeds, error bar = standard error)";
  plot.columns = {"group", "accuracy", "stderr"};
  for (const ChoiceRow& r : rows) {
    Series s{r.variant, {}};
    for (const char* metric : {"acc", "acc_norm"}) {
      auto it = r.scores.find(metric);
      if (it != r.scores.end())
        s.rows.push_back({std::string(metric) == "acc" ? 0.0 : 1.0, it->second.value.mean, it->second.se});
    }
    plot.series.push_back(s);
  }
  return plot;
}

PlotData ChoiceTask::difficulty_plot() const {
  PlotData plot;
  const std::string axis = difficulty();
  plot.title = "Multiple choice: " + (task.empty() ? std::string("(unnamed task)") : task) + ", accuracy by " +
               (axis.empty() ? std::string("difficulty") : axis) + " (mean over seeds, error bar = standard error)";
  plot.columns = {"value", "acc", "stderr", "items", "acc_norm"};
  for (const ChoiceRow& r : rows) {
    Series s{r.variant, {}};
    for (const auto& [value, bin] : r.bins)
      s.rows.push_back({value, bin.acc.value.mean, bin.acc.se, double(bin.items),
                        bin.acc_norm.value.n ? bin.acc_norm.value.mean : NAN});
    plot.series.push_back(s);
  }
  return plot;
}

std::string ChoiceTask::difficulty() const {
  for (const ChoiceRow& r : rows)
    if (!r.bins.empty()) return r.difficulty;
  return "";
}

double ChoiceTask::chance() const {
  std::vector<double> values;
  for (const ChoiceRow& r : rows)
    if (std::isfinite(r.chance)) values.push_back(r.chance);
  return values.empty() ? NAN : summarize(values).mean;
}

// ---- section 4b ----

std::vector<Passkey> passkeys(const ReportSet& set) {
  std::vector<Passkey> out;
  for (const Variant& v : set.variants) {
    const auto results = with_methods(v, "passkey");
    if (results.empty()) continue;
    Passkey p;
    p.variant = v.name;
    p.seeds = static_cast<int64_t>(results.size());
    std::set<int64_t> lengths;
    std::set<double> depths;
    std::vector<double> chance;
    for (const ReportResult* r : results) {
      const json& k = r->json["passkey"];
      if (auto x = count_in(k, "digits")) p.digits = *x;
      if (auto x = count_in(k, "trained_context")) p.trained_context = *x;
      if (auto x = number_in(k, "chance")) chance.push_back(*x);
      if (p.filler.empty()) p.filler = string_at(k, "filler");
      for (const json& m : k["methods"]) {
        if (!m.is_object() || !m.contains("name") || !m["name"].is_string()) continue;
        PasskeyMethod* method = &named(p.methods, method_label(m));
        method->method = m["name"].get<std::string>();
        if (auto steps = count_in(m, "finetuned_steps")) method->finetuned_steps = *steps;
        if (!m.contains("points") || !m["points"].is_array()) continue;
        for (const json& point : m["points"]) {
          const auto length = count_in(point, "length"), trials = count_in(point, "trials"),
                     correct = count_in(point, "correct");
          const auto depth = number_in(point, "depth");
          if (!length || !depth || !trials || !correct || *trials <= 0) continue;
          lengths.insert(*length);
          depths.insert(*depth);
          for (PasskeyCell* cell : {&method->cells[{*length, *depth}], &method->by_length[*length]}) {
            cell->correct += *correct;
            cell->trials += *trials;
          }
        }
      }
    }
    if (!chance.empty()) p.chance = summarize(chance).mean;
    p.lengths.assign(lengths.begin(), lengths.end());
    p.depths.assign(depths.begin(), depths.end());
    out.push_back(std::move(p));
  }
  return out;
}

PlotData Passkey::accuracy_plot() const {
  PlotData plot;
  plot.title = "Passkey retrieval: " + variant + ", accuracy vs context (" + std::to_string(digits) +
               " digits, averaged over depths" + (seeds > 1 ? " and " + std::to_string(seeds) + " seeds" : "") + ")";
  plot.columns = {"length", "accuracy", "correct", "trials"};
  for (const PasskeyMethod& m : methods) {
    Series s{m.name, {}};
    for (const auto& [L, cell] : m.by_length)
      s.rows.push_back({double(L), cell.accuracy(), double(cell.correct), double(cell.trials)});
    plot.series.push_back(s);
  }
  return plot;
}

PlotData Passkey::heat_map(const PasskeyMethod& method) const {
  PlotData plot;
  plot.title = "Passkey retrieval: " + variant + ", " + method.name + ", accuracy by context length and key depth";
  plot.columns = {"length_index", "depth_index", "accuracy", "length", "depth"};
  Series s{method.name, {}};
  for (size_t i = 0; i < lengths.size(); ++i)
    for (size_t j = 0; j < depths.size(); ++j) {
      auto it = method.cells.find({lengths[i], depths[j]});
      s.rows.push_back({double(i), double(j), it == method.cells.end() ? NAN : it->second.accuracy(), double(lengths[i]),
                        depths[j]});
    }
  plot.series.push_back(s);
  plot.y_column = 1;
  return plot;
}

// ---- section 3, across variants ----

std::vector<std::string> extension_method_names(const std::vector<Extension>& all) {
  std::vector<std::string> names;
  for (const Extension& e : all)
    for (const ExtensionMethod& m : e.methods)
      if (std::find(names.begin(), names.end(), m.name) == names.end()) names.push_back(m.name);
  return names;
}

PlotData extension_method_plot(const std::vector<Extension>& all, const std::string& method) {
  PlotData plot;
  plot.title = "Perplexity vs context at " + method + ", one line per variant (means over seeds)";
  plot.columns = {"length", "perplexity", "loss", "n_seeds"};
  for (const Extension& e : all)
    for (const ExtensionMethod& m : e.methods) {
      if (m.name == method) plot.series.push_back(perplexity_series(e.variant, m));
    }
  return plot;
}

// ---- section 5 ----

std::vector<BenchRow> bench_rows(const ReportSet& set) {
  auto has_bench = [](const json& j) {
    return j.contains("bench") && j["bench"].is_object() && j["bench"].contains("models") && j["bench"]["models"].is_array();
  };
  std::set<std::string> variants_with_bench;
  for (const ReportResult& r : set.results)
    if (has_bench(r.json)) variants_with_bench.insert(r.variant);
  const bool prefix = variants_with_bench.size() > 1;

  struct Samples {
    std::vector<double> train, parameter_bytes, optimizer_bytes, rss, kv, mfu, mfu_fma;
    std::map<int64_t, std::vector<double>> prefill, decode, allocated;
  };
  std::vector<std::string> order;
  std::map<std::string, Samples> samples;
  auto points = [](const json& model, const char* key, const char* value, std::map<int64_t, std::vector<double>>& into) {
    if (!model.contains(key) || !model[key].is_array()) return;
    for (const json& p : model[key]) {
      const auto context = count_in(p, "context");
      const auto v = number_in(p, value);
      if (context && v) into[*context].push_back(*v);
    }
  };
  for (const Variant& v : set.variants) {
    for (const ReportResult* r : latest_per_seed(v, has_bench)) {
      for (const json& m : r->json["bench"]["models"]) {
        if (!m.is_object()) continue;
        std::string model_name = string_at(m, "name");
        if (string_at(m, "precision") == "bf16") model_name += " (bf16)";  // a bench of several precisions
        const std::string name = prefix ? v.name + "/" + model_name : (model_name.empty() ? v.name : model_name);
        if (!samples.count(name)) order.push_back(name);
        Samples& s = samples[name];
        if (auto x = number_in(m, "train_tokens_per_second")) s.train.push_back(*x);
        if (auto x = number_in(m, "parameter_bytes")) s.parameter_bytes.push_back(*x);
        if (auto x = number_in(m, "optimizer_bytes")) s.optimizer_bytes.push_back(*x);
        if (auto x = number_in(m, "peak_rss_bytes")) s.rss.push_back(*x);
        if (auto x = number_in(m, "kv_cache_bytes_per_token")) s.kv.push_back(*x);
        if (auto x = number_in(m, "mfu")) s.mfu.push_back(100 * *x);
        if (auto x = number_in(m, "mfu_fma")) s.mfu_fma.push_back(100 * *x);
        points(m, "prefill", "tokens_per_second", s.prefill);
        points(m, "decode", "tokens_per_second", s.decode);
        points(m, "kv_cache", "bytes_allocated", s.allocated);
      }
    }
  }
  std::vector<BenchRow> rows;
  for (const std::string& name : order) {
    const Samples& s = samples[name];
    BenchRow row;
    row.name = name;
    row.train_tokens_per_second = summarize(s.train);
    row.parameter_bytes = summarize(s.parameter_bytes);
    row.optimizer_bytes = summarize(s.optimizer_bytes);
    row.peak_rss_bytes = summarize(s.rss);
    row.kv_bytes_per_token = summarize(s.kv);
    row.mfu_percent = summarize(s.mfu);
    row.mfu_fma_percent = summarize(s.mfu_fma);
    for (const auto& [c, v] : s.prefill) row.prefill[c] = summarize(v);
    for (const auto& [c, v] : s.decode) row.decode[c] = summarize(v);
    for (const auto& [c, v] : s.allocated) row.kv_allocated[c] = summarize(v);
    rows.push_back(row);
  }
  return rows;
}

PlotData throughput_plot(const std::vector<BenchRow>& rows, bool decode) {
  PlotData plot;
  plot.title = decode ? "Decode throughput vs context (one token at a time with the KV cache)"
                      : "Prefill throughput vs context (whole prompt in one forward pass)";
  plot.columns = {"context", "tokens_per_second", "n"};
  for (const BenchRow& r : rows) {
    const auto& points = decode ? r.decode : r.prefill;
    if (points.empty()) continue;
    Series s{r.name, {}};
    for (const auto& [context, tps] : points) s.rows.push_back({double(context), tps.mean, double(tps.n)});
    plot.series.push_back(s);
  }
  return plot;
}

}  // namespace ablate
