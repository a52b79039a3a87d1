// gnuplot runs for the report (see plotter.h).
#include "reports/plotter.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <ostream>
#include <set>
#include <sstream>
#include <stdexcept>

#include "harness/common/format.h"
#include "harness/common/process.h"
#include "harness/common/text.h"

namespace ablate {

namespace fs = std::filesystem;

std::string gnuplot_string(const std::string& s) {
  std::string o = "'";
  for (char c : s) {
    if (c == '\'') o += "''";
    else if (c != '\n' && c != '\r') o += c;
  }
  return o + "'";
}

std::string gnuplot_number(double v) {
  std::string s = format_significant(v, 12);
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

std::string gnuplot_lines(const std::string& text, size_t width) {
  std::vector<std::string> lines;
  std::istringstream words(text);
  std::string word;
  while (words >> word) {
    if (!lines.empty() && lines.back().size() + 1 + word.size() <= width) lines.back() += " " + word;
    else lines.push_back(word);
  }
  std::string expression;
  for (const std::string& line : lines) expression += (expression.empty() ? "" : ".\"\\n\".") + gnuplot_string(line);
  return expression.empty() ? "''" : expression;
}

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

Plotter::Plotter(std::string gnuplot, fs::path scripts, fs::path out, std::ostream& err)
    : gnuplot_(std::move(gnuplot)), scripts_(std::move(scripts)), out_(std::move(out)), err_(err) {}

bool Plotter::plot(Document& doc, const std::string& name, const std::string& script, PlotData data, GnuplotVars vars) {
  data.series.erase(std::remove_if(data.series.begin(), data.series.end(), [](const Series& s) { return s.rows.empty(); }),
                    data.series.end());
  if (data.series.empty()) return false;
  const fs::path script_path = scripts_ / (script + ".gp");
  if (!fs::is_regular_file(script_path))
    throw std::runtime_error(script_path.string() + ": gnuplot script not found (the scripts live in the source tree's "
                             "reports/gnuplot/; set ABLATE_REPORTS_DIR to the folder that holds gnuplot/ and template.html)");
  const fs::path dat = out_ / "data" / (name + ".dat");
  write_dat(dat.string(), data);
  std::string lts, rows;
  std::set<double> xs, ys;
  for (const Series& s : data.series) {
    lts += (lts.empty() ? "" : " ") + std::to_string(line_type(s.name));
    rows += (rows.empty() ? "" : " ") + std::to_string(s.rows.size());
    for (const auto& row : s.rows) {
      if (!row.empty() && std::isfinite(row[0])) xs.insert(row[0]);
      if (data.y_column < row.size() && std::isfinite(row[data.y_column])) ys.insert(row[data.y_column]);
    }
  }
  // 900 pixels at the title font: about 95 characters; the key is below the plot, so the title
  // is centred on (nearly) the whole width.
  vars.insert(vars.begin(), {{"datafile", gnuplot_string(dat.string())}, {"title", gnuplot_lines(data.title, 90)},
                             {"n", std::to_string(data.series.size())}, {"lts", gnuplot_string(lts)},
                             {"rows", gnuplot_string(rows)}});
  if (xs.size() == 1) vars.push_back({"xpoint", gnuplot_number(*xs.begin())});
  if (ys.size() == 1) vars.push_back({"ypoint", gnuplot_number(*ys.begin())});
  for (const char* format : {"png", "svg"}) {
    const fs::path image = out_ / "plots" / (name + "." + format);
    const fs::path partial = image.string() + ".part";
    std::string e = "set loadpath " + gnuplot_string(scripts_.string()) + "; format=" + gnuplot_string(format) +
                    "; outfile=" + gnuplot_string(partial.string());
    for (const auto& [k, v] : vars) e += "; " + k + "=" + v;
    const ProcessResult run = run_process({gnuplot_, "-e", e, script_path.string()}, ChildStderr::kWithOutput);
    const std::string output = trim(run.output);
    std::error_code ec;
    const bool drawn = run.exit_status == 0 && fs::is_regular_file(partial, ec) && fs::file_size(partial, ec) > 0;
    if (!drawn) {
      fs::remove(partial, ec);
      const std::string tail = output.size() > 2000 ? "..." + output.substr(output.size() - 2000) : output;
      throw std::runtime_error("gnuplot failed on " + script_path.string() + " (plot " + name + ", " + format +
                               (run.exit_status >= 0 ? ", exit status " + std::to_string(run.exit_status)
                                                     : std::string(", killed")) +
                               (run.exit_status == 0 ? ", no image written" : "") + ")" +
                               (tail.empty() ? "" : ":\n" + tail));
    }
    if (!output.empty()) err_ << "report: gnuplot on " << script_path.string() << " (plot " << name << "): " << output << "\n";
    fs::rename(partial, image);
  }
  doc.plot(name, data.title);
  ++count_;
  return true;
}

int Plotter::line_type(const std::string& name) {
  auto it = line_types_.find(name);
  if (it != line_types_.end()) return it->second;
  const int next = static_cast<int>(line_types_.size()) + 1;
  line_types_[name] = next;
  return next;
}

}  // namespace ablate
