# Throughput against context, one series per benchmarked model (prefill or decode tokens/s).
#
# Data (index i = series i): first line "NAME", then rows: context tokens_per_second n.
# Variables: datafile, n (number of series), ylabel, plus style.gp's format, outfile, title.
load 'style.gp'
if (!exists("ylabel")) ylabel = 'tokens/s'
set xlabel 'context (tokens)'
set ylabel ylabel
set logscale x 2
set format x '%.0f'
set yrange [0:*]
plot for [i=0:n-1] datafile index i using 1:2 with linespoints linetype lt(i) pointinterval pi(i) title columnheader(1)
