// Drawing the report's plots with gnuplot: each plot's numbers go to OUT/data/NAME.dat
// (write_dat, report_data.h), then one script of the reports/gnuplot/ folder draws
// OUT/plots/NAME.png (pngcairo 900x560) and OUT/plots/NAME.svg, run as
// `gnuplot -e "VARIABLES" SCRIPT` with stdin from /dev/null. A failing gnuplot is an error
// naming the script; what a working one prints is passed on.
#pragma once

#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <string>
#include <utility>
#include <vector>

#include "reports/document.h"
#include "reports/report_data.h"

namespace ablate {

// A gnuplot string literal: single quotes, in which only '' needs escaping.
std::string gnuplot_string(const std::string& s);
// A gnuplot real ("2.0", not "2", so that n/2 is not integer division).
std::string gnuplot_number(double v);

using GnuplotVars = std::vector<std::pair<std::string, std::string>>;  // name -> gnuplot literal

// The gnuplot executable on PATH (std::runtime_error naming the package when there is none).
std::string find_gnuplot();

class Plotter {
 public:
  // scripts: the folder of the .gp scripts; out: the report folder.
  Plotter(std::string gnuplot, std::filesystem::path scripts, std::filesystem::path out, std::ostream& err);

  // Writes the data and both images with SCRIPT.gp, and adds the figure to `doc`; the script
  // gets `datafile`, `title`, `n` (the series count), `format`, `outfile` and `vars`. Series
  // without rows are left out. Returns false (drawing nothing) when no series has rows.
  bool plot(Document& doc, const std::string& name, const std::string& script, PlotData data, GnuplotVars vars);

  int count() const { return count_; }

 private:
  std::string gnuplot_;
  std::filesystem::path scripts_, out_;
  std::ostream& err_;
  int count_ = 0;
};

}  // namespace ablate
