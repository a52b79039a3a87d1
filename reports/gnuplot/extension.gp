# Perplexity against evaluation context length, one series per RoPE scaling method; a dashed
# vertical line marks the context the model was trained at. Lengths where a method does not
# apply are absent from its series.
#
# Data (index i = series i): first line "NAME", then rows: length perplexity loss n_seeds.
# Variables: datafile, n (number of series), trained (the trained context in tokens), plus
# style.gp's format, outfile, title.
load 'style.gp'
set xlabel 'context length (tokens)'
set ylabel 'perplexity'
set logscale x 2
set logscale y
set format x '%.0f'
set offsets graph 0.03, graph 0.03, 0, 0
if (exists("trained")) {
  set arrow 1 from trained, graph 0 to trained, graph 1 nohead linecolor rgb '#777777' dashtype 2 linewidth 1.5
  set label 1 'trained context' at trained, graph 0.96 offset 0.6, 0 left textcolor rgb '#555555'
}
plot for [i=0:n-1] datafile index i using 1:2 with linespoints linetype lt(i) pointinterval pi(i) title columnheader(1)
