// Fuzzes Hugging Face model directories: the input is config.json, optionally followed by
// kSeparator and a model.safetensors file. read_hf_config reads config.json (architectures,
// model_type, sizes, rope_scaling / rope_parameters, biases, the notes); with weights and a small
// model, load_hf_checkpoint also maps the tensors (names, shapes, dtypes, GPT-2's fused c_attn).
// Expected: InteropError, SafetensorsError (hf_checkpoint.h). A failure is any other exception,
// a crash, a sanitizer report or a hang.
#include "harness/checkpoints/hf/hf_checkpoint.h"
#include "harness/checkpoints/safetensors.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ablate;
  const std::vector<std::string> parts = fuzz::split_input(fuzz::bytes_of(data, size), 2);
  const std::string dir = fuzz::fresh_dir("hf");
  fuzz::write_file(dir + "/config.json", parts[0]);
  try {
    const HfConfig config = read_hf_config(dir);
    if (parts.size() == 2 && fuzz::small_model(config.model)) {
      fuzz::write_file(dir + "/model.safetensors", parts[1]);
      load_hf_checkpoint(dir);
    }
  } catch (const InteropError& e) {
    fuzz::expected(e);
  } catch (const SafetensorsError& e) {
    fuzz::expected(e);
  }
  return 0;
}
