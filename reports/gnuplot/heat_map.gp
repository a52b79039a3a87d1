# Passkey accuracy of one method on the grid of context length (x) and key depth (y), each cell
# coloured by its accuracy and labelled with it; a blank cell was not measured.
#
# Data (index 0): first line "NAME", then rows: length_index depth_index accuracy length depth.
# Variables: datafile, xlabels and ylabels (the lengths and depths, separated by spaces), plus
# style.gp's format, outfile, title.
load 'style.gp'
nx = words(xlabels)
ny = words(ylabels)
set xlabel 'context length (tokens)'
set ylabel 'key depth (0 = start of the filler, 1 = its end)'
set xrange [-0.5:nx - 0.5]
set yrange [-0.5:ny - 0.5]
set xtics () scale 0
set ytics () scale 0
do for [k=1:nx] { set xtics add (word(xlabels, k) k - 1) }
do for [k=1:ny] { set ytics add (word(ylabels, k) k - 1) }
unset grid
unset key
set border 0
set cbrange [0:1]
set cblabel 'accuracy'
set palette defined (0 '#f7fbff', 0.5 '#6baed6', 1 '#08306b')
set style fill solid 1 noborder
plot datafile index 0 using 1:2:(0.5):(0.5):3 with boxxy fillcolor palette, \
     '' index 0 using 1:2:(sprintf('%.2f', $3)):($3 > 0.6 ? 0xffffff : 0x222222) with labels textcolor rgb variable
