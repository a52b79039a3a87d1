// Fuzzes the llama2.c tokenizer.bin reader: the input is the file (max_token_length, then score,
// length, bytes per token), read by Llama2cTokenizer::load (the <unk>/BOS/EOS and 256 byte pieces,
// the " " piece); a tokenizer that loads encodes and decodes sample texts (run.c's merge loop).
// Expected: DataError (llama2c_tokenizer.h). A failure is any other exception, a crash, a
// sanitizer report, a hang, or an encoded id outside the vocabulary.
#include "harness/tokenizers/llama2c_tokenizer.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ablate;
  const std::string path = (fuzz::scratch_dir() / "tokenizer.bin").string();
  fuzz::write_file(path, fuzz::bytes_of(data, size));
  try {
    const auto tokenizer = Llama2cTokenizer::load(path);
    fuzz::exercise_tokenizer(*tokenizer);
  } catch (const DataError& e) {
    fuzz::expected(e);
  }
  return 0;
}
