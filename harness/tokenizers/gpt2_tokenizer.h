// GPT-2's byte-level BPE (openai/gpt-2 src/encoder.py; Hugging Face tokenizers' BPE model with the
// ByteLevel pre-tokenizer), from vocab.json + merges.txt or from tokenizer.json.
//
//   encode: the text is split at added tokens (tokenizer.json "added_tokens", and "<|endoftext|>"
//     when the vocabulary has it: Hugging Face's GPT-2 tokenizers treat it as special, encoder.py
//     does not), leftmost first, the longest on ties; each other segment is cut by GPT-2's regex
//     (gpt2_pretokenizer.h), each piece's UTF-8 bytes are mapped to the printable characters of
//     bytes_to_unicode(), and BPE merges the adjacent pair of lowest merge rank, all its
//     occurrences left to right (encoder.py's bpe()), until no pair of the word is a merge.
//   decode: tokens -> their strings -> bytes through the inverse byte map; added tokens are their
//     text.
//
// Files: vocab.json {"token": id, ...}; merges.txt one "left right" pair per line, rank = line
// order ("#version" lines skipped); tokenizer.json: model.type "BPE", model.vocab, model.merges
// (either "left right" strings or [left, right] pairs), model.ignore_merges (a piece that is a
// whole token is not merged), pre_tokenizer ByteLevel (add_prefix_space honoured; use_regex must be
// true), normalizer null. Anything else (another pre-tokenizer, such as Llama 3's or Qwen2's split
// regex, a normalizer, byte_fallback, a continuing_subword_prefix) is a DataError naming it. Added
// tokens' lstrip / rstrip / single_word / normalized flags are ignored.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "harness/tokenizers/tokenizer.h"

namespace ablate {

class Gpt2Tokenizer : public Tokenizer {
 public:
  // `path`: a tokenizer.json file, or a directory holding tokenizer.json or vocab.json + merges.txt.
  // DataError naming the file and line for anything malformed.
  static std::unique_ptr<Gpt2Tokenizer> load(const std::string& path);
  static std::unique_ptr<Gpt2Tokenizer> from_vocab_and_merges(const std::string& vocab_path,
                                                              const std::string& merges_path);
  static std::unique_ptr<Gpt2Tokenizer> from_tokenizer_json(const std::string& path);

  std::vector<int32_t> encode(const std::string& text) const override;
  std::string decode(const std::vector<int32_t>& ids) const override;
  int64_t vocab_size() const override { return static_cast<int64_t>(tokens_.size()); }
  std::string name() const override { return "gpt2:" + path_; }
  // "<|endoftext|>" is both, as in GPT-2's config (bos_token_id = eos_token_id = 50256).
  std::optional<int32_t> bos_id() const override { return endoftext_; }
  std::optional<int32_t> eos_id() const override { return endoftext_; }

 private:
  Gpt2Tokenizer() = default;
  void add_token(const std::string& token, int64_t id, const std::string& where);
  void add_merge(const std::string& left, const std::string& right, const std::string& where);
  void finish(const std::string& where);  // byte ids, added tokens
  void encode_word(const std::string& word, std::vector<int32_t>& out) const;

  std::string path_;
  std::vector<std::string> tokens_;  // id -> token string ("" for an unused id)
  std::unordered_map<std::string, int32_t> ids_;
  struct Merge {
    int32_t rank, result;
  };
  std::unordered_map<uint64_t, Merge> merges_;  // (left id << 32 | right id) -> rank, merged id
  int32_t byte_ids_[256] = {};
  std::vector<std::pair<std::string, int32_t>> added_;  // split out before pre-tokenization
  std::vector<bool> is_added_;                         // by id
  std::optional<int32_t> endoftext_;
  bool add_prefix_space_ = false;
  bool ignore_merges_ = false;
};

}  // namespace ablate
