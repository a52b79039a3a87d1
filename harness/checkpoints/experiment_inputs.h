// The files a config names, read for config parsing: model.from's checkpoint (any format) and
// data.tokenizer's tokenizer. Config parsing itself opens no files (ExperimentInputs,
// harness/config/experiment_config.h); this is the reader every command passes it.
#pragma once

#include "harness/config/experiment_config.h"

namespace ablate {

ExperimentInputs experiment_inputs_from_files();

}  // namespace ablate
