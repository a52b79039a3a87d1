# Training loss against step, one series per variant: the mean over seeds as a line, the min-max
# spread over seeds as a shaded band (flat when there is one seed); markers every tenth of the
# curve tell overlapping variants apart (a one-row series is its marker).
#
# Data (index i = series i): first line "NAME", then rows: step mean min max n_seeds.
# Variables: datafile, n (number of series), plus style.gp's format, outfile, title.
load 'style.gp'
set xlabel 'step'
set ylabel 'loss (nats/token)'
plot for [i=0:n-1] datafile index i using 1:3:4 with filledcurves linetype lt(i) fillstyle transparent solid 0.18 noborder notitle, \
     for [i=0:n-1] datafile index i using 1:2 with linespoints linetype lt(i) pointinterval pi(i) title columnheader(1)
