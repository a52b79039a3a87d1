// Fuzzes the GPT-2 BPE tokenizer from vocab.json + merges.txt: the input is vocab.json, kSeparator
// ("\n@@@@\n"), then merges.txt; both are read by Gpt2Tokenizer::from_vocab_and_merges (ids, merge
// lines, "#version" lines, the 256 byte tokens), and a tokenizer that loads encodes and decodes
// sample texts.
// Expected: DataError (gpt2_tokenizer.h). A failure is any other exception, a crash, a sanitizer
// report, a hang, an encoded id outside the vocabulary, or decode(encode(s)) != s.
#include "harness/tokenizers/gpt2_tokenizer.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ablate;
  const std::vector<std::string> parts = fuzz::split_input(fuzz::bytes_of(data, size), 2);
  const std::string dir = fuzz::fresh_dir("gpt2");
  fuzz::write_file(dir + "/vocab.json", parts[0]);
  fuzz::write_file(dir + "/merges.txt", parts.size() > 1 ? parts[1] : "");
  try {
    const auto tokenizer = Gpt2Tokenizer::load(dir);
    const std::vector<std::string> decoded = fuzz::exercise_tokenizer(*tokenizer);
    for (size_t i = 0; i < decoded.size(); ++i)
      if (decoded[i] != fuzz::sample_texts()[i]) {
        std::fprintf(stderr, "decode(encode(s)) != s: '%s' -> '%s'\n", fuzz::sample_texts()[i].c_str(), decoded[i].c_str());
        std::abort();
      }
  } catch (const DataError& e) {
    fuzz::expected(e);
  }
  return 0;
}
