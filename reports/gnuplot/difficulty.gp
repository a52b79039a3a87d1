# Multiple-choice accuracy against the task's difficulty axis, one series per variant (mean over
# seeds, error bars = the standard error over items), with the chance level as a dashed line.
#
# Data (index i = series i): first line "NAME", then rows: value acc stderr items acc_norm.
# Variables: datafile, n (number of series), xlabel (the axis' name), chance (optional: the
# chance accuracy), plus style.gp's format, outfile, title, lts, rows.
load 'style.gp'
if (!exists("xlabel")) xlabel = 'difficulty'
set xlabel xlabel
set ylabel 'accuracy'
set yrange [0:1]
set bars small
set offsets graph 0.03, graph 0.03, 0, 0
if (exists("chance")) {
  set arrow 1 from graph 0, first chance to graph 1, first chance nohead linecolor rgb '#555555' dashtype 2 linewidth 1.5
  set label 1 sprintf('chance %.3f', chance) at graph 0.01, first chance offset 0, 0.7 left textcolor rgb '#555555'
}
plot for [i=0:n-1] datafile index i using 1:2:3 with yerrorlines linetype lt(i) title columnheader(1)
