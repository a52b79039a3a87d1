# Mean negative log-likelihood by position within the evaluation window, one series per RoPE
# scaling method (each at its longest applicable length, named in the key).
#
# Data (index i = series i): first line "NAME", then rows: position mean_nll (position = the
# centre of its bucket, in tokens).
# Variables: datafile, n (number of series), trained (optional: the trained context), plus
# style.gp's format, outfile, title.
load 'style.gp'
set xlabel 'position in window (tokens)'
set ylabel 'mean NLL (nats/token)'
if (exists("trained")) {
  set arrow 1 from trained, graph 0 to trained, graph 1 nohead linecolor rgb '#777777' dashtype 2 linewidth 1.5
  set label 1 'trained context' at trained, graph 0.96 offset 0.6, 0 left textcolor rgb '#555555'
}
plot for [i=0:n-1] datafile index i using 1:2 with linespoints linetype lt(i) pointinterval pi(i) title columnheader(1)
