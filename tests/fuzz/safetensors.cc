// Fuzzes the safetensors reader: the input is a whole .safetensors file, opened with
// SafetensorsFile::open (header length, JSON header, dtypes, shapes, offsets, tiling) and every
// tensor then read with floats(), doubles() and ints().
// Expected: SafetensorsError (safetensors.h: "the reader never reads outside the file, whatever the
// input"). A failure is any other exception, a crash, a sanitizer report or a hang.
#include "harness/checkpoints/safetensors.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ablate;
  const std::string path = (fuzz::scratch_dir() / "fuzz.safetensors").string();
  fuzz::write_file(path, fuzz::bytes_of(data, size));
  try {
    const SafetensorsFile file = SafetensorsFile::open(path);
    for (const std::string& name : file.names()) {
      const TensorInfo& info = file.info(name);
      (void)info;
      try {
        file.floats(name);
        file.doubles(name);
      } catch (const SafetensorsError& e) {  // an integer dtype
        fuzz::expected(e);
      }
      try {
        file.ints(name);
      } catch (const SafetensorsError& e) {  // a float dtype, or an I64 outside int32
        fuzz::expected(e);
      }
    }
  } catch (const SafetensorsError& e) {
    fuzz::expected(e);
  }
  return 0;
}
