// The llama2.c tokenizer (karpathy/llama2.c run.c: build_tokenizer, encode, decode): a
// SentencePiece BPE vocabulary exported as tokenizer.bin,
//   int32 max_token_length, then per token: float32 score, int32 length, `length` bytes
// (read to the end of the file; the token's id is its index). Ids 0, 1, 2 are <unk>, BOS, EOS and
// ids 3..258 the byte-fallback pieces <0x00>..<0xFF> (checked on load).
//
// encode (run.c's, without BOS/EOS): a dummy-prefix " " token when the text is not empty; then each
// UTF-8 character (at most 4 bytes, run.c's grouping) as its piece when the vocabulary has it, else
// its bytes as byte tokens (3 + byte); then, repeatedly, the adjacent pair whose concatenation is a
// piece with the highest score (the leftmost on ties; scores <= -1e10 never merge) is merged, until
// none is left. Implemented with a priority queue and a linked list: the same merges in the same
// order as run.c's quadratic loop, in O(n log n). Unlike run.c, a NUL byte does not end the text (it
// encodes as <0x00>), and a piece spelled twice in the vocabulary resolves to its first id.
//
// decode: the pieces concatenated, byte pieces as their byte, BOS and EOS dropped, and the leading
// space of the piece that starts the text or follows BOS dropped (run.c's decode and SentencePiece's
// dummy prefix), so decode(encode(s)) == s.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "harness/tokenizers/tokenizer.h"

namespace ablate {

class Llama2cTokenizer : public Tokenizer {
 public:
  // DataError naming the file for a missing, truncated or malformed file.
  static std::unique_ptr<Llama2cTokenizer> load(const std::string& path);

  std::vector<int32_t> encode(const std::string& text) const override;
  std::string decode(const std::vector<int32_t>& ids) const override;
  int64_t vocab_size() const override { return static_cast<int64_t>(pieces_.size()); }
  std::string name() const override { return "llama2c:" + path_; }
  std::optional<int32_t> bos_id() const override { return 1; }
  std::optional<int32_t> eos_id() const override { return 2; }

  const std::string& piece(int32_t id) const { return pieces_.at(static_cast<size_t>(id)); }
  float score(int32_t id) const { return scores_.at(static_cast<size_t>(id)); }

 private:
  int32_t lookup(const std::string& s) const;  // -1 when absent
  std::string path_;
  std::vector<std::string> pieces_;
  std::vector<float> scores_;
  std::unordered_map<std::string, int32_t> ids_;
  int32_t space_id_ = -1;
};

}  // namespace ablate
