// Fuzzes Ablate's own checkpoint reader: the input is a .safetensors file, read by open_checkpoint
// (metadata "format", "config" and "state" JSON), read_checkpoint_model_config (the saved config's
// model section) and experiment_from_json (the whole saved config, as a resumed run compares it);
// when the model it states is small, the model is built and load_weights copies the tensors in.
// Expected: SafetensorsError, ConfigError, InteropError (checkpoint.h, checkpoint_formats.h).
// A failure is any other exception, a crash, a sanitizer report or a hang.
#include "harness/checkpoints/checkpoint.h"
#include "harness/checkpoints/checkpoint_formats.h"
#include "harness/checkpoints/experiment_inputs.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ablate;
  const std::string path = (fuzz::scratch_dir() / "checkpoint.safetensors").string();
  fuzz::write_file(path, fuzz::bytes_of(data, size));
  try {
    const Checkpoint c = open_checkpoint(path);
    try {
      experiment_from_json(c.config, path + " (saved config)", experiment_inputs_from_files());
    } catch (const ConfigError& e) {
      fuzz::expected(e);
    }
    const ModelConfig model = read_checkpoint_model_config(path);
    if (fuzz::small_model(model)) {
      Model<float> m(model, 0);
      load_weights(c.file, m);
    }
  } catch (const SafetensorsError& e) {
    fuzz::expected(e);
  } catch (const ConfigError& e) {
    fuzz::expected(e);
  } catch (const InteropError& e) {
    fuzz::expected(e);
  }
  return 0;
}
