// Fuzzes the llama2.c checkpoint reader: the input is a whole .bin file (version 0 or 1 header and
// float32 weights), read by read_llama2c_config and load_llama2c_checkpoint (header checks, the size
// the header implies, the freq_cis check, the RoPE row permutation into a Model<float>).
// Expected: InteropError (llama2c_checkpoint.h) and ConfigError (a header whose model does not
// resolve). A failure is any other exception, a crash, a sanitizer report or a hang.
#include "harness/checkpoints/llama2c_checkpoint.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ablate;
  const std::string path = (fuzz::scratch_dir() / "model.bin").string();
  fuzz::write_file(path, fuzz::bytes_of(data, size));
  try {
    read_llama2c_config(path);
    load_llama2c_checkpoint(path);
  } catch (const InteropError& e) {
    fuzz::expected(e);
  } catch (const ConfigError& e) {
    fuzz::expected(e);
  }
  return 0;
}
