# Common style of every Ablate report plot, loaded by each script in this folder ("load 'style.gp'";
# `ablate report` puts this folder on gnuplot's loadpath). Restyle the whole report here.
#
# Variables (set with -e before the script): format ('png' or 'svg', default 'png'), outfile (the
# image to write), title (the plot's title). Series names are arbitrary text (variant names hold
# '=' and '_'), so enhanced text is off everywhere: no markup is interpreted in titles or keys.

if (!exists("format")) format = 'png'
if (format eq 'svg') {
  set terminal svg size 900,560 dynamic noenhanced font 'Helvetica,13' background '#ffffff'
} else {
  set terminal pngcairo size 900,560 noenhanced font 'Sans,11' background '#ffffff'
}
if (exists("outfile")) set output outfile
if (exists("title")) set title title font ',13'

# A colour-blind-friendly palette (Okabe-Ito), repeated with dashes past eight series.
array palette[8] = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#F0E442', '#000000']
do for [i=1:8] {
  set linetype i linecolor rgb palette[i] linewidth 2 pointtype 7 pointsize 0.8 dashtype solid
  set linetype i+8 linecolor rgb palette[i] linewidth 2 pointtype 5 pointsize 0.8 dashtype 2
}
set linetype cycle 16

set border 3 linecolor rgb '#444444'
set tics nomirror textcolor rgb '#333333'
set grid xtics ytics linecolor rgb '#dddddd' linewidth 1 dashtype solid
set key outside right top vertical Left reverse noautotitle samplen 2 spacing 1.1 box linecolor rgb '#cccccc'
set style fill solid 0.85 border -1
set datafile commentschars '#'
set datafile missing 'nan'
