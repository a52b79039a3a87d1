# Validation loss against step, one series per variant: the mean over seeds as points and lines,
# error bars spanning the min and max over seeds.
#
# Data (index i = series i): first line "NAME", then rows: step mean min max n_seeds.
# Variables: datafile, n (number of series), plus style.gp's format, outfile, title.
load 'style.gp'
set xlabel 'step'
set ylabel 'validation loss (nats/token)'
set bars small
set offsets graph 0.02, graph 0.02, 0, 0
plot for [i=0:n-1] datafile index i using 1:2:3:4 with yerrorlines linetype lt(i) title columnheader(1)
