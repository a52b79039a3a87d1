# Passkey retrieval accuracy against context length, one series per RoPE scaling method
# (averaged over key depths and seeds); the chance level (every digit guessed) and the trained
# context as dashed lines.
#
# Data (index i = series i): first line "NAME", then rows: length accuracy correct trials.
# Variables: datafile, n (number of series), chance (optional), trained (optional: the trained
# context in tokens), plus style.gp's format, outfile, title, lts, rows.
load 'style.gp'
set xlabel 'context length (tokens)'
set ylabel 'passkey accuracy (exact match)'
set logscale x 2
set format x '%.0f'
set yrange [-0.03:1.03]
set offsets graph 0.03, graph 0.03, 0, 0
if (exists("chance")) {
  set arrow 1 from graph 0, first chance to graph 1, first chance nohead linecolor rgb '#555555' dashtype 3 linewidth 1.5
  set label 1 sprintf('chance %.2g', chance) at graph 0.01, first chance offset 0, 0.7 left textcolor rgb '#555555'
}
if (exists("trained")) {
  set arrow 2 from trained, graph 0 to trained, graph 1 nohead linecolor rgb '#777777' dashtype 2 linewidth 1.5
  set label 2 'trained context' at trained, graph 0.5 offset 0.6, 0 left textcolor rgb '#555555'
}
plot for [i=0:n-1] datafile index i using 1:2 with linespoints linetype lt(i) pointinterval pi(i) title columnheader(1)
