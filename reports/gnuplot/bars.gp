# Grouped bars with error bars: one bar per series (variant) in each group (a metric), coloured
# per series, named in the key.
#
# Data (index i = series i): first line "NAME", then rows: group value error (group = 0, 1, ...).
# Variables: datafile, n (number of series), ylabel, groups (the groups' tic labels separated by
# spaces, '' for one unlabelled group), ymin (optional: where the y axis starts, default 0),
# plus style.gp's format, outfile, title.
load 'style.gp'
if (!exists("groups")) groups = ''
if (!exists("ylabel")) ylabel = ''
set ylabel ylabel
if (exists("ymin")) { set yrange [ymin:*] } else { set yrange [0:*] }
w = 0.8 / n
set boxwidth w absolute
set bars small
ng = words(groups)
set xrange [-0.5:(ng > 1 ? ng : 1) - 0.5]
if (ng == 0) { unset xtics } else { set xtics () ; do for [k=1:ng] { set xtics add (word(groups, k) k-1) } }
set grid noxtics ytics
plot for [i=0:n-1] datafile index i using ($1 + (i - (n-1)/2.0) * w):2:3 with boxerrorbars linecolor i+1 title columnheader(1)
