// `ablate report`: orchestration, gnuplot runs, and the HTML/Markdown pages (see report.h).
#include "reports/report.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <ostream>
#include <set>
#include <sstream>
#include <stdexcept>

#include "harness/common/file_io.h"
#include "harness/common/result.h"
#include "harness/common/run_info.h"
#include "reports/report_data.h"

extern char** environ;

namespace ablate {
namespace {

namespace fs = std::filesystem;

constexpr int kTrainSmoothing = 10;  // steps in the train-loss moving average

// ---- text formatting ----

std::string fixed(double v, int digits) {
  if (!std::isfinite(v)) return "nan";
  std::ostringstream o;
  o.setf(std::ios::fixed);
  o.precision(digits);
  o << v;
  return o.str();
}

std::string with_commas(double v) {
  if (!std::isfinite(v)) return "nan";
  std::string digits = std::to_string(static_cast<long long>(std::llround(std::abs(v))));
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) digits.insert(static_cast<size_t>(i), ",");
  return (v < 0 ? "-" : "") + digits;
}

std::string bytes_text(double b) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (std::abs(b) >= 1024 && u < 4) {
    b /= 1024;
    ++u;
  }
  return u == 0 ? with_commas(b) + " B" : fixed(b, b < 10 ? 2 : 1) + " " + units[u];
}

const char* kNone = "—";

// "mean ± std" (std only over several seeds), "—" without values.
std::string stat_text(const Stat& s, int digits) {
  if (s.n == 0) return kNone;
  return s.n > 1 ? fixed(s.mean, digits) + " ± " + fixed(s.std, digits) : fixed(s.mean, digits);
}
std::string count_text(const Stat& s) { return s.n == 0 ? kNone : with_commas(s.mean); }
std::string bytes_stat(const Stat& s) { return s.n == 0 ? kNone : bytes_text(s.mean); }

std::string html_escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      default: o += c;
    }
  }
  return o;
}

// Escapes what would break a Markdown table cell or start markup; '_' stays (GFM does not emphasise
// inside words), so variant names read as they are.
std::string md_escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (std::strchr("\\|*`<>", c)) o += '\\';
    o += (c == '\n' ? ' ' : c);
  }
  return o;
}

// A file-name-safe form of a variant or task name.
std::string slug(const std::string& name) {
  std::string s;
  for (char c : name) s += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '=') ? c : '_';
  return s.empty() ? "unnamed" : s;
}

// A gnuplot string literal: single quotes, in which only '' needs escaping.
std::string gp_string(const std::string& s) {
  std::string o = "'";
  for (char c : s) {
    if (c == '\'') o += "''";
    else if (c != '\n' && c != '\r') o += c;
  }
  return o + "'";
}
std::string gp_number(double v) {
  std::ostringstream o;
  o.precision(12);
  o << v;
  std::string s = o.str();
  if (s.find_first_of(".e") == std::string::npos) s += ".0";  // real, so n/2 is not integer division
  return s;
}
std::string gp_int(int64_t v) { return std::to_string(v); }

// ---- the two output documents, built side by side ----

class Document {
 public:
  void heading(int level, const std::string& text) {
    html_ += "<h" + std::to_string(level) + ">" + html_escape(text) + "</h" + std::to_string(level) + ">\n";
    md_ += std::string(static_cast<size_t>(level), '#') + " " + md_escape(text) + "\n\n";
  }
  void paragraph(const std::string& text) {
    html_ += "<p>" + html_escape(text) + "</p>\n";
    md_ += md_escape(text) + "\n\n";
  }
  // The first `text_columns` columns are text, the others numbers (right-aligned).
  void table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows,
             size_t text_columns = 1) {
    html_ += "<table>\n<thead><tr>";
    for (size_t c = 0; c < header.size(); ++c) html_ += (c >= text_columns ? "<th class=\"num\">" : "<th>") + html_escape(header[c]) + "</th>";
    html_ += "</tr></thead>\n<tbody>\n";
    for (const auto& row : rows) {
      html_ += "<tr>";
      for (size_t c = 0; c < row.size(); ++c) html_ += (c >= text_columns ? "<td class=\"num\">" : "<td>") + html_escape(row[c]) + "</td>";
      html_ += "</tr>\n";
    }
    html_ += "</tbody>\n</table>\n";
    md_ += "|";
    for (const auto& h : header) md_ += " " + md_escape(h) + " |";
    md_ += "\n|";
    for (size_t c = 0; c < header.size(); ++c) md_ += c >= text_columns ? " ---: |" : " --- |";
    md_ += "\n";
    for (const auto& row : rows) {
      md_ += "|";
      for (const auto& cell : row) md_ += " " + md_escape(cell) + " |";
      md_ += "\n";
    }
    md_ += "\n";
  }
  void plot(const std::string& name, const std::string& title) {
    const std::string png = "plots/" + name + ".png", svg = "plots/" + name + ".svg", dat = "data/" + name + ".dat";
    html_ += "<figure>\n<a href=\"" + svg + "\"><img src=\"" + png + "\" alt=\"" + html_escape(title) +
             "\" width=\"900\" height=\"560\"></a>\n<figcaption>" + html_escape(title) + " · <a href=\"" + svg +
             "\">SVG</a> · <a href=\"" + dat + "\">data</a></figcaption>\n</figure>\n";
    md_ += "![" + md_escape(title) + "](" + png + ")\n\n[SVG](" + svg + ") · [data](" + dat + ")\n\n";
  }
  const std::string& html() const { return html_; }
  const std::string& markdown() const { return md_; }

 private:
  std::string html_, md_;
};

// ---- gnuplot ----

std::string find_gnuplot() {
  const char* env = std::getenv("PATH");
  std::stringstream path(env ? env : "/usr/local/bin:/usr/bin:/bin");
  std::string dir;
  while (std::getline(path, dir, ':')) {
    const std::string candidate = (dir.empty() ? std::string(".") : dir) + "/gnuplot";
    std::error_code ec;
    if (fs::is_regular_file(candidate, ec) && access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  throw std::runtime_error("gnuplot not found: install the gnuplot-nox package (scripts/setup does)");
}

// Runs argv (no shell) with stdin from /dev/null; returns the exit status (-1: killed or not
// started) and stdout+stderr together.
int run_process(const std::vector<std::string>& argv, std::string& output) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error(std::string("cannot create a pipe: ") + std::strerror(errno));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 2);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  if (spawned != 0) {
    close(fds[0]);
    output = std::string("cannot start ") + argv[0] + ": " + std::strerror(spawned);
    return -1;
  }
  char buffer[4096];
  while (true) {
    const ssize_t n = read(fds[0], buffer, sizeof buffer);
    if (n > 0) output.append(buffer, static_cast<size_t>(n));
    else if (n == 0 || errno != EINTR) break;
  }
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string trim(const std::string& s) {
  const size_t a = s.find_first_not_of(" \n\r\t"), b = s.find_last_not_of(" \n\r\t");
  return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

using GnuplotVars = std::vector<std::pair<std::string, std::string>>;  // name -> gnuplot literal

// Draws each plot as OUT/plots/NAME.{png,svg} from OUT/data/NAME.dat with one script.
class Plotter {
 public:
  Plotter(std::string gnuplot, fs::path scripts, fs::path out, std::ostream& err)
      : gnuplot_(std::move(gnuplot)), scripts_(std::move(scripts)), out_(std::move(out)), err_(err) {}

  // Writes the data and both images; adds the figure to `doc`. Series without rows are left out.
  // Returns false (drawing nothing) when no series has rows.
  bool plot(Document& doc, const std::string& name, const std::string& script, PlotData data, GnuplotVars vars) {
    data.series.erase(std::remove_if(data.series.begin(), data.series.end(), [](const Series& s) { return s.rows.empty(); }),
                      data.series.end());
    if (data.series.empty()) return false;
    const fs::path script_path = scripts_ / (script + ".gp");
    if (!fs::is_regular_file(script_path))
      throw std::runtime_error(script_path.string() + ": gnuplot script not found (the scripts live in the source tree's "
                               "reports/gnuplot/; set ABLATE_REPORTS_DIR to the folder that holds gnuplot/ and template.html)");
    const fs::path dat = out_ / "data" / (name + ".dat");
    write_dat(dat.string(), data);
    vars.insert(vars.begin(), {{"datafile", gp_string(dat.string())}, {"title", gp_string(data.title)},
                               {"n", gp_int(static_cast<int64_t>(data.series.size()))}});
    for (const char* format : {"png", "svg"}) {
      const fs::path image = out_ / "plots" / (name + "." + format);
      const fs::path partial = image.string() + ".part";
      std::string e = "set loadpath " + gp_string(scripts_.string()) + "; format=" + gp_string(format) +
                      "; outfile=" + gp_string(partial.string());
      for (const auto& [k, v] : vars) e += "; " + k + "=" + v;
      std::string output;
      const int status = run_process({gnuplot_, "-e", e, script_path.string()}, output);
      std::error_code ec;
      const bool drawn = status == 0 && fs::is_regular_file(partial, ec) && fs::file_size(partial, ec) > 0;
      if (!drawn) {
        fs::remove(partial, ec);
        std::string tail = trim(output);
        if (tail.size() > 2000) tail = "..." + tail.substr(tail.size() - 2000);
        throw std::runtime_error("gnuplot failed on " + script_path.string() + " (plot " + name + ", " + format +
                                 (status >= 0 ? ", exit status " + std::to_string(status) : std::string(", killed")) +
                                 (status == 0 ? ", no image written" : "") + ")" + (tail.empty() ? "" : ":\n" + tail));
      }
      if (!trim(output).empty()) err_ << "report: gnuplot on " << script_path.string() << " (plot " << name << "): " << trim(output) << "\n";
      fs::rename(partial, image);
      written_.insert(image);
    }
    written_.insert(dat);
    doc.plot(name, data.title);
    ++count_;
    return true;
  }

  int count() const { return count_; }
  // Removes plots and data from earlier reports that this one did not write.
  void remove_stale() const {
    for (const char* sub : {"plots", "data"}) {
      std::error_code ec;
      for (const auto& entry : fs::directory_iterator(out_ / sub, ec)) {
        const std::string ext = entry.path().extension().string();
        if ((ext == ".png" || ext == ".svg" || ext == ".dat" || ext == ".part") && !written_.count(entry.path()))
          fs::remove(entry.path(), ec);
      }
    }
  }

 private:
  std::string gnuplot_;
  fs::path scripts_, out_;
  std::ostream& err_;
  std::set<fs::path> written_;
  int count_ = 0;
};

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
                  "training; perplexity = exp(loss). Tokens/s: training throughput of the run. Bytes: fp32 "
                  "parameters, AdamW state (2 × parameters), the process's peak resident memory, and the analytic "
                  "KV cache per token (2 · layers · kv heads · head dim · 4 bytes).");
    std::vector<std::vector<std::string>> models, table;
    for (const MetricsRow& r : rows) {
      models.push_back({r.variant, r.components.empty() ? kNone : r.components});
      table.push_back({r.variant, std::to_string(std::max(r.validation_loss.n, r.parameters.n)), count_text(r.parameters),
                       stat_text(r.validation_loss, 4), stat_text(r.perplexity, 3), stat_text(r.tokens_per_second, 0),
                       bytes_stat(r.parameter_bytes), bytes_stat(r.optimizer_bytes), bytes_stat(r.peak_rss_bytes),
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
                   {{"ylabel", gp_string("validation loss (nats/token)")}, {"groups", "''"}, {"ymin", gp_number(ymin)}});
    }
    plotter.plot(doc, "train_tokens_per_second", "bars", tokens_per_second_bars(rows),
                 {{"ylabel", gp_string("training throughput (tokens/s)")}, {"groups", "''"}});
  }
  std::string colors;
  for (int c : kv.measured_colors) colors += (colors.empty() ? "" : " ") + std::to_string(c);
  plotter.plot(doc, "kv_cache", "kv_cache", kv.plot,
               {{"m", gp_int(static_cast<int64_t>(kv.measured_colors.size()))}, {"colors", gp_string(colors)}});
}

void extension_section(const ReportSet& set, Document& doc, Plotter& plotter, std::set<std::string>& names) {
  const std::vector<Extension> all = extensions(set);
  if (all.empty()) return;
  doc.heading(2, "Context extension");
  doc.paragraph("Perplexity (exp of the token-weighted mean NLL) of a model evaluated at context lengths beyond the one "
                "it was trained at, under each RoPE scaling method; n/a = the method does not apply at that length. "
                "Means over seeds.");
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
          row.push_back(stat_text(it->second.perplexity, 3));
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
    if (e.trained_context > 0) vars.push_back({"trained", gp_int(e.trained_context)});
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
      std::vector<std::string> row = {r.variant, r.format.empty() ? kNone : r.format, with_commas(double(r.items)),
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
                 {{"ylabel", gp_string("accuracy")}, {"groups", gp_string("acc acc_norm")}});
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
                 {{"ylabel", gp_string(decode ? "decode throughput (tokens/s)" : "prefill throughput (tokens/s)")}});
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

// The template without its HTML comments: they are notes for whoever restyles it (and may name the
// placeholders), not part of the page.
std::string strip_html_comments(std::string page) {
  for (size_t at = page.find("<!--"); at != std::string::npos; at = page.find("<!--", at)) {
    const size_t end = page.find("-->", at + 4);
    page.erase(at, end == std::string::npos ? std::string::npos : end + 3 - at);
  }
  return page;
}

std::string fill_template(std::string page, const std::string& placeholder, const std::string& value) {
  for (size_t at = page.find(placeholder); at != std::string::npos; at = page.find(placeholder, at + value.size()))
    page.replace(at, placeholder.size(), value);
  return page;
}

void write_text(const fs::path& path, const std::string& text) {
  try {
    write_file_atomically(path.string(), {{text.data(), text.size()}});
  } catch (const std::exception& e) {
    throw std::runtime_error(path.string() + ": " + e.what());
  }
}

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

  const fs::path out(out_dir);
  try {
    fs::create_directories(out / "plots");
    fs::create_directories(out / "data");
  } catch (const std::exception& e) {
    throw std::runtime_error(out_dir + ": cannot create the report folder: " + e.what());
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
  page = fill_template(fill_template(page, "{{title}}", html_escape(title)), "{{body}}", doc.html());
  write_text(out / "index.html", page);
  write_text(out / "report.md", "# " + md_escape(title) + "\n\n" + doc.markdown());
  plotter.remove_stale();

  ReportOutcome outcome;
  outcome.index = (out / "index.html").string();
  outcome.results = static_cast<int>(set.results.size());
  outcome.plots = plotter.count();
  return outcome;
}

int report_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  auto usage = [&](const std::string& what) {
    err << "ablate report: " << what << "\nusage: ablate report RESULTS_DIR [-o OUT]   (OUT defaults to RESULTS_DIR/report)\n";
    return 2;
  };
  std::string results_dir, out_dir;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "-o" || arg == "--output") {
      if (i + 1 >= args.size()) return usage(arg + " needs a value");
      out_dir = args[++i];
    } else if (!arg.empty() && arg[0] == '-') {
      return usage("unknown option '" + arg + "'");
    } else if (results_dir.empty()) {
      results_dir = arg;
    } else {
      return usage("one results folder expected, found a second: '" + arg + "'");
    }
  }
  if (results_dir.empty()) return usage("missing RESULTS_DIR");
  if (out_dir.empty()) out_dir = (fs::path(results_dir) / "report").string();
  const ReportOutcome o = write_report(results_dir, out_dir, err);
  out << "report: " << results_dir << " -> " << o.index << " (" << o.results << " results, " << o.plots << " plots)\n";
  return 0;
}

}  // namespace ablate
