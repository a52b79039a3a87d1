// Drawing the report's plots with gnuplot: each plot's numbers go to OUT/data/NAME.dat
// (write_dat, report_data.h), then one script of the reports/gnuplot/ folder draws
// OUT/plots/NAME.png (pngcairo 900x560) and OUT/plots/NAME.svg, run as
// `gnuplot -e "VARIABLES" SCRIPT` with stdin from /dev/null. A failing gnuplot is an error
// naming the script; what a working one prints is passed on.
//
// Every series keeps one line style (colour, dash, point: style.gp's linetypes) across all plots
// of a report, chosen by its name in order of first use, so a variant or a method looks the same
// in every figure. Titles are wrapped into lines that fit the image.
#pragma once

#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <map>
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
// `text` broken at spaces into lines of at most `width` characters, as one gnuplot string
// expression ('line one'."\n".'line two').
std::string gnuplot_lines(const std::string& text, size_t width);

using GnuplotVars = std::vector<std::pair<std::string, std::string>>;  // name -> gnuplot literal

// The gnuplot executable on PATH (std::runtime_error naming the package when there is none).
std::string find_gnuplot();

class Plotter {
 public:
  // scripts: the folder of the .gp scripts; out: the report folder.
  Plotter(std::string gnuplot, std::filesystem::path scripts, std::filesystem::path out, std::ostream& err);

  // Writes the data and both images with SCRIPT.gp, and adds the figure to `doc`; the script
  // gets `datafile`, `title` (wrapped), `n` (the series count), `lts` (each series' line type),
  // `rows` (each series' row count), `xpoint` / `ypoint` where every row has the same x / y
  // (column 1 / data.y_column: a range gnuplot would find empty), `format`, `outfile` and `vars`.
  // Series without rows are left out. Returns false (drawing nothing) when no series has rows.
  bool plot(Document& doc, const std::string& name, const std::string& script, PlotData data, GnuplotVars vars);

  // The line type (1-based) of a series name: the same name always gets the same one.
  int line_type(const std::string& name);

  int count() const { return count_; }

 private:
  std::string gnuplot_;
  std::filesystem::path scripts_, out_;
  std::ostream& err_;
  int count_ = 0;
  std::map<std::string, int> line_types_;
};

}  // namespace ablate
