// Tokenizers: text <-> token ids behind one interface (byte-level built in; GPT-2 BPE,
// SentencePiece and llama2.c tokenizers plug in behind the same class; factory.h maps a YAML
// `tokenizer:` type name to one), and tokenize_file (a text corpus -> token ids).
//
// Errors are DataErrors (harness/common/errors.h).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "harness/common/errors.h"

namespace ablate {

class Tokenizer {
 public:
  virtual ~Tokenizer();
  virtual std::vector<int32_t> encode(const std::string& text) const = 0;
  // Throws DataError for an id outside [0, vocab_size()).
  virtual std::string decode(const std::vector<int32_t>& ids) const = 0;
  virtual int64_t vocab_size() const = 0;
  virtual std::string name() const = 0;  // the YAML type name ("byte")
  // Special tokens; none by default.
  virtual std::optional<int32_t> bos_id() const;
  virtual std::optional<int32_t> eos_id() const;
};

// ids 0..255 are the UTF-8 bytes of the text, in order; vocab 256, no special tokens.
// decode(encode(s)) == s for every byte string, valid UTF-8 or not.
class ByteTokenizer : public Tokenizer {
 public:
  std::vector<int32_t> encode(const std::string& text) const override;
  std::string decode(const std::vector<int32_t>& ids) const override;
  int64_t vocab_size() const override { return 256; }
  std::string name() const override { return "byte"; }
};

// The whole file at `path`, encoded. DataError if it cannot be read or is empty
// ("PATH: empty corpus (0 bytes)") or encodes to no tokens.
std::vector<int32_t> tokenize_file(const std::string& path, const Tokenizer& tokenizer);

}  // namespace ablate
