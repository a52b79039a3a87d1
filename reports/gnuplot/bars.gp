# Grouped bars with error bars: one bar per series (variant) in each group (a metric), coloured
# per series, named in the key.
#
# Data (index i = series i): first line "NAME", then rows: group value error (group = 0, 1, ...).
# Variables: datafile, n (number of series), ylabel, groups (the groups' tic labels separated by
# spaces, '' for one unlabelled group), plus style.gp's format, outfile, title. The y axis
# starts at 0, so bar heights compare (a small difference is shown by the report's differences
# plot, with its interval, not by a cut axis).
load 'style.gp'
if (!exists("groups")) groups = ''
if (!exists("ylabel")) ylabel = ''
set ylabel ylabel
set yrange [0:*]
w = 0.8 / n
set boxwidth w absolute
set bars small
ng = words(groups)
set xrange [-0.5:(ng > 1 ? ng : 1) - 0.5]
if (ng == 0) { unset xtics } else { set xtics () ; do for [k=1:ng] { set xtics add (word(groups, k) k-1) } }
set grid noxtics ytics
plot for [i=0:n-1] datafile index i using ($1 + (i - (n-1)/2.0) * w):2:3 with boxerrorbars linetype lt(i) title columnheader(1)
