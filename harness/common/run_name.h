// The characters a run's name may hold: it names the run's output folder (a sweep point's too).
#pragma once

namespace ablate {

// Letters, digits and _ - . = + (ASCII).
bool is_run_name_char(char c);

}  // namespace ablate
