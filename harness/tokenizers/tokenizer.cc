// Tokenizer base, the byte-level tokenizer, the factory, and tokenize_file.
#include "harness/tokenizers/tokenizer.h"

#include "harness/common/file_io.h"
#include "harness/tokenizers/document_tokenizer.h"
#include "harness/tokenizers/gpt2_tokenizer.h"
#include "harness/tokenizers/llama2c_tokenizer.h"
#include "harness/tokenizers/sentencepiece_tokenizer.h"

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

std::unique_ptr<Tokenizer> make_tokenizer(const std::string& type) {
  if (type == "byte") return std::make_unique<ByteTokenizer>();
  // TYPE[+docs]:PATH (see tokenizer.h).
  const size_t colon = type.find(':');
  std::string kind = colon == std::string::npos ? type : type.substr(0, colon);
  const std::string path = colon == std::string::npos ? "" : type.substr(colon + 1);
  const std::string docs_suffix = "+docs";
  const bool docs = kind.size() > docs_suffix.size() &&
                    kind.compare(kind.size() - docs_suffix.size(), docs_suffix.size(), docs_suffix) == 0;
  if (docs) kind.resize(kind.size() - docs_suffix.size());
  const bool known = kind == "gpt2" || kind == "llama2c" || kind == "sentencepiece";
  if (known && path.empty())
    throw DataError("tokenizer '" + type + "': needs a file, as " + kind + ":PATH");
  std::unique_ptr<Tokenizer> tokenizer;
  if (kind == "gpt2") {
    tokenizer = Gpt2Tokenizer::load(path);
  } else if (kind == "llama2c") {
    tokenizer = Llama2cTokenizer::load(path);
  } else if (kind == "sentencepiece") {
    tokenizer = load_sentencepiece_tokenizer(path);
  } else {
    throw DataError("unknown tokenizer type '" + type +
                    "' (known: byte), or a tokenizer file as gpt2:PATH, llama2c:PATH, sentencepiece:PATH (+docs "
                    "after the type, as in llama2c+docs:tok512.bin, starts each <|endoftext|>-separated document "
                    "with BOS)");
  }
  if (docs) return std::make_unique<DocumentTokenizer>(std::move(tokenizer));
  return tokenizer;
}

std::vector<int32_t> tokenize_file(const std::string& path, const Tokenizer& tokenizer) {
  auto fail = [&](const std::string& what) { return DataError(path + ": " + what); };
  std::string text;
  try {
    text = read_whole_file(path);
  } catch (const FileIoError& e) {
    throw fail(e.what());
  }
  if (text.empty()) throw fail("empty corpus (0 bytes)");
  std::vector<int32_t> ids = tokenizer.encode(text);
  if (ids.empty())
    throw fail("empty corpus: " + std::to_string(text.size()) + " bytes encode to 0 tokens with the " +
               tokenizer.name() + " tokenizer");
  return ids;
}

}  // namespace ablate
