#include "harness/checkpoints/experiment_inputs.h"

#include "harness/checkpoints/checkpoint_formats.h"
#include "harness/tokenizers/factory.h"

namespace ablate {

ExperimentInputs experiment_inputs_from_files() {
  return {[](const std::string& path) { return read_checkpoint_model_config(path); },
          [](const std::string& spec) { return make_tokenizer(spec)->vocab_size(); }};
}

}  // namespace ablate
