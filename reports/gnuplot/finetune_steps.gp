# Perplexity at one context length against fine-tuning steps (extend.finetune.steps budgets), one
# series per RoPE scaling method: step 0 is the method without fine-tuning (its factor following
# the length), the others the model fine-tuned at the fine-tuning context for that many steps.
#
# Data (index i = series i): first line "NAME", then rows: steps perplexity loss n_seeds.
# Variables: datafile, n (number of series), steps (the budgets, separated by spaces: the x tics),
# plus style.gp's format, outfile, title, lts.
load 'style.gp'
set xlabel 'fine-tuning steps'
set ylabel 'perplexity'
set logscale y
if (exists("steps")) {
  set xtics ()
  do for [i=1:words(steps)] { set xtics add (word(steps, i) real(word(steps, i))) }
}
set offsets graph 0.04, graph 0.04, 0, 0
plot for [i=0:n-1] datafile index i using 1:2 with linespoints linetype lt(i) pointinterval pi(i) title columnheader(1)
