# Common style of every Ablate report plot, loaded by each script in this folder ("load 'style.gp'";
# `ablate report` puts this folder on gnuplot's loadpath). Restyle the whole report here.
#
# Variables (set with -e before the script): format ('png' or 'svg', default 'png'), outfile (the
# image to write), title (the plot's title, already wrapped into lines), lts (each series' line
# type, separated by spaces: the same variant or method has the same one in every plot), rows
# (each series' row count), xpoint / ypoint (set when every row has that one x / y: the range is
# opened around it, since gnuplot finds a single value an empty range). Series names are arbitrary
# text (variant names hold '=' and '_'), so enhanced text is off everywhere: no markup is
# interpreted in titles or keys.
#
# Functions for the scripts: lt(i) = the line type of series i (0-based), rows_of(i) = its rows,
# pi(i) = a point interval that puts about ten markers on series i (1 for short series, so a
# one-row series is a point).

if (!exists("format")) format = 'png'
if (format eq 'svg') {
  set terminal svg size 900,560 dynamic noenhanced font 'Helvetica,13' background '#ffffff'
} else {
  set terminal pngcairo size 900,560 noenhanced font 'Sans,11' background '#ffffff'
}
if (exists("outfile")) set output outfile
if (exists("title")) set title title font ',13'
if (!exists("lts")) lts = ''
if (!exists("rows")) rows = ''
lt(i) = i < words(lts) ? int(word(lts, i + 1)) : i + 1
rows_of(i) = i < words(rows) ? int(word(rows, i + 1)) : 1
pi(i) = rows_of(i) > 20 ? int(rows_of(i) / 10) : 1

# Ten distinguishable colours (Okabe-Ito without its yellow, then Tableau's brown, grey, olive
# and a dark red), each line type with its own colour, dash pattern and point shape: colours
# repeat after 10, dashes after 5, points after 7, and no two of the first 30 line types agree in
# all three.
array palette[10] = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#8C564B', '#7F7F7F', '#B22222']
array points[7] = [7, 5, 9, 11, 13, 3, 1]
do for [i=1:30] {
  dash = ((i - 1) + (i - 1) / 10) % 5 + 1
  set linetype i linecolor rgb palette[(i - 1) % 10 + 1] linewidth 2 dashtype dash pointtype points[(i - 1) % 7 + 1] pointsize 1
}
set linetype cycle 30

set border 3 linecolor rgb '#444444'
set tics nomirror textcolor rgb '#333333'
set grid xtics ytics linecolor rgb '#dddddd' linewidth 1 dashtype solid
# The key above the plot (under the title), so that long variant names never squeeze the plot.
set key outside top center horizontal Left reverse noautotitle samplen 4 spacing 1.1 maxrows 4 box linecolor rgb '#cccccc'
set style fill solid 0.85 border -1
set datafile commentschars '#'
set datafile missing 'nan'
if (exists("xpoint")) { set xrange [xpoint - (xpoint == 0 ? 1 : abs(xpoint) / 2) : xpoint + (xpoint == 0 ? 1 : abs(xpoint))] }
if (exists("ypoint")) { set yrange [ypoint - (ypoint == 0 ? 1 : abs(ypoint) / 2) : ypoint + (ypoint == 0 ? 1 : abs(ypoint))] }
