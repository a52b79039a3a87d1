# Differences from the baseline variant with their 95% intervals (a forest plot): one row per
# variant, the difference as a point, the interval as a bar; the dashed line at 0 is "no
# difference", so an interval crossing it is not distinguishable. Variants without an interval
# (one seed) are drawn as a point alone.
#
# Data (index i = series i): first line "NAME", then rows: difference index low high.
# Variables: datafile, n (number of series), xlabel, xmin and xmax (the range, 0 and every
# interval included), plus style.gp's format, outfile, title, lts.
load 'style.gp'
if (!exists("xlabel")) xlabel = 'difference from the baseline'
set xlabel xlabel
if (exists("xmin") && exists("xmax")) { set xrange [xmin:xmax] }
set yrange [n - 0.5:-0.5]
unset ytics
set grid xtics noytics
set bars small
set arrow 1 from first 0, graph 0 to first 0, graph 1 nohead linecolor rgb '#555555' dashtype 2 linewidth 1.5
plot for [i=0:n-1] datafile index i using 1:2:3:4 with xerrorbars linetype lt(i) pointsize 1.4 title columnheader(1)
