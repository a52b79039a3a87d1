// Documents separated by "<|endoftext|>" lines (the TinyStories text files' layout), encoded the way
// llama2.c pretokenizes TinyStories (tinystories.py process_shard): each document is stripped of
// leading and trailing whitespace and encoded as [BOS] + encode(document); empty documents are
// skipped. A separator is a line holding exactly "<|endoftext|>" (a trailing "\r" allowed).
// decode is the inner tokenizer's. Selected by "+docs" after a tokenizer type ("llama2c+docs:PATH").
#pragma once

#include <memory>

#include "harness/tokenizers/tokenizer.h"

namespace ablate {

class DocumentTokenizer : public Tokenizer {
 public:
  // DataError when `inner` has no BOS token.
  explicit DocumentTokenizer(std::unique_ptr<Tokenizer> inner);
  std::vector<int32_t> encode(const std::string& text) const override;
  std::string decode(const std::vector<int32_t>& ids) const override { return inner_->decode(ids); }
  int64_t vocab_size() const override { return inner_->vocab_size(); }
  std::string name() const override;
  std::optional<int32_t> bos_id() const override { return inner_->bos_id(); }
  std::optional<int32_t> eos_id() const override { return inner_->eos_id(); }
  // The tokenizer each document is encoded with (no document splitting, no BOS added).
  const Tokenizer& inner() const { return *inner_; }

  // The documents of `text`, stripped, empty ones dropped.
  static std::vector<std::string> split_documents(const std::string& text);

 private:
  std::unique_ptr<Tokenizer> inner_;
};

}  // namespace ablate
