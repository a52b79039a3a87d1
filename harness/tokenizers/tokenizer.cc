// Tokenizer base, the byte-level tokenizer, and tokenize_file.
#include "harness/tokenizers/tokenizer.h"

#include "harness/common/file_io.h"

namespace ablate {

Tokenizer::~Tokenizer() = default;
std::optional<int32_t> Tokenizer::bos_id() const { return std::nullopt; }
std::optional<int32_t> Tokenizer::eos_id() const { return std::nullopt; }

std::vector<int32_t> ByteTokenizer::encode(const std::string& text) const {
  std::vector<int32_t> ids(text.size());
  for (size_t i = 0; i < text.size(); ++i) ids[i] = static_cast<unsigned char>(text[i]);
  return ids;
}

std::string ByteTokenizer::decode(const std::vector<int32_t>& ids) const {
  std::string text(ids.size(), '\0');
  for (size_t i = 0; i < ids.size(); ++i) {
    if (ids[i] < 0 || ids[i] > 255)
      throw DataError("byte tokenizer: id " + std::to_string(i) + " = " + std::to_string(ids[i]) +
                      " is outside the vocabulary [0, 255]");
    text[i] = static_cast<char>(static_cast<unsigned char>(ids[i]));
  }
  return text;
}

std::vector<int32_t> tokenize_file(const std::string& path, const Tokenizer& tokenizer) {
  auto fail = [&](const std::string& what) { return DataError(path + ": " + what); };
  try {
    check_fits_in_memory(path, 5.0);  // the text, then (at most) one 4-byte id per byte
  } catch (const FileIoError& e) {
    throw fail(e.what());
  }
  const std::string text = read_whole_file_or_throw<DataError>(path);
  if (text.empty()) throw fail("empty corpus (0 bytes)");
  std::vector<int32_t> ids = tokenizer.encode(text);
  if (ids.empty())
    throw fail("empty corpus: " + std::to_string(text.size()) + " bytes encode to 0 tokens with the " +
               tokenizer.name() + " tokenizer");
  return ids;
}

}  // namespace ablate
