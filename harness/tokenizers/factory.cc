// make_tokenizer (see factory.h): TYPE[+docs]:PATH -> a concrete tokenizer.
#include "harness/tokenizers/factory.h"

#include "harness/tokenizers/document_tokenizer.h"
#include "harness/tokenizers/gpt2_tokenizer.h"
#include "harness/tokenizers/llama2c_tokenizer.h"
#include "harness/tokenizers/sentencepiece_tokenizer.h"

namespace ablate {

std::unique_ptr<Tokenizer> make_tokenizer(const std::string& type) {
  if (type == "byte") return std::make_unique<ByteTokenizer>();
  // TYPE[+docs]:PATH (see factory.h).
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

}  // namespace ablate
