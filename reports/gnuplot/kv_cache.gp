# KV-cache size against context: the analytic size (bytes per token x context) as a line per
# variant, and, where a benchmark measured it, the bytes actually allocated as points on top.
#
# Data (index i = series i): first line "NAME", then rows: context bytes MiB.
# Series 0..n-m-1 are analytic, the last m measured. Variants with the same attention shape have
# the same line: each variant's own dash pattern keeps overlapping lines visible.
# Variables: datafile, n (all series), m (measured series), colors (optional: for each measured
# series, 1 + the index of its model's analytic series, whose colour it takes; separated by
# spaces), plus style.gp's format, outfile, title, lts.
load 'style.gp'
if (!exists("m")) m = 0
if (!exists("colors")) colors = ''
color(j) = j <= words(colors) ? int(word(colors, j)) : n - m + j
mlt(j) = lt(color(j) - 1)
set xlabel 'context (tokens)'
set ylabel 'KV cache (MiB)'
set logscale x 2
set logscale y
set format x '%.0f'
if (m > 0) {
  plot for [i=0:n-m-1] datafile index i using 1:3 with lines linetype lt(i) title columnheader(1), \
       for [i=n-m:n-1] datafile index i using 1:3 with points linetype mlt(i-n+m+1) pointtype 6 pointsize 1.6 title columnheader(1)
} else {
  plot for [i=0:n-1] datafile index i using 1:3 with lines linetype lt(i) title columnheader(1)
}
