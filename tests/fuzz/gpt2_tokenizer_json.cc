// Fuzzes the GPT-2 BPE tokenizer from a Hugging Face tokenizer.json: the input is the file, read by
// Gpt2Tokenizer::from_tokenizer_json (model.type/vocab/merges/ignore_merges, pre_tokenizer,
// normalizer, added_tokens); a tokenizer that loads then encodes and decodes sample texts.
// Expected: DataError (gpt2_tokenizer.h). A failure is any other exception, a crash, a sanitizer
// report, a hang, an encoded id outside the vocabulary, or decode(encode(s)) differing from s in
// anything but spaces (add_prefix_space adds one).
#include <algorithm>

#include "harness/tokenizers/gpt2_tokenizer.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ablate;
  const std::string path = (fuzz::scratch_dir() / "tokenizer.json").string();
  fuzz::write_file(path, fuzz::bytes_of(data, size));
  try {
    const auto tokenizer = Gpt2Tokenizer::from_tokenizer_json(path);
    const std::vector<std::string> decoded = fuzz::exercise_tokenizer(*tokenizer);
    auto without_spaces = [](std::string s) {
      s.erase(std::remove(s.begin(), s.end(), ' '), s.end());
      return s;
    };
    for (size_t i = 0; i < decoded.size(); ++i)
      if (without_spaces(decoded[i]) != without_spaces(fuzz::sample_texts()[i])) {
        std::fprintf(stderr, "decode(encode(s)) != s: '%s' -> '%s'\n", fuzz::sample_texts()[i].c_str(), decoded[i].c_str());
        std::abort();
      }
  } catch (const DataError& e) {
    fuzz::expected(e);
  }
  return 0;
}
