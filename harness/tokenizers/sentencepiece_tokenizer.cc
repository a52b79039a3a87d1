// SentencePiece through libsentencepiece (see sentencepiece_tokenizer.h).
#include "harness/tokenizers/sentencepiece_tokenizer.h"

#ifdef ABLATE_HAVE_SENTENCEPIECE
#include <sentencepiece_processor.h>
#endif

namespace ablate {

#ifdef ABLATE_HAVE_SENTENCEPIECE
namespace {

class SentencePieceTokenizer : public Tokenizer {
 public:
  explicit SentencePieceTokenizer(const std::string& path) : path_(path) {
    const auto status = processor_.Load(path);
    if (!status.ok()) throw DataError(path + ": cannot load the SentencePiece model: " + status.ToString());
  }
  std::vector<int32_t> encode(const std::string& text) const override {
    std::vector<int> ids;
    const auto status = processor_.Encode(text, &ids);
    if (!status.ok()) throw DataError(name() + ": encode failed: " + status.ToString());
    return std::vector<int32_t>(ids.begin(), ids.end());
  }
  std::string decode(const std::vector<int32_t>& ids) const override {
    for (size_t i = 0; i < ids.size(); ++i)
      if (ids[i] < 0 || ids[i] >= vocab_size())
        throw DataError(name() + ": id " + std::to_string(i) + " = " + std::to_string(ids[i]) +
                        " is outside the vocabulary [0, " + std::to_string(vocab_size() - 1) + "]");
    std::string text;
    const auto status = processor_.Decode(std::vector<int>(ids.begin(), ids.end()), &text);
    if (!status.ok()) throw DataError(name() + ": decode failed: " + status.ToString());
    return text;
  }
  int64_t vocab_size() const override { return processor_.GetPieceSize(); }
  std::string name() const override { return "sentencepiece:" + path_; }
  std::optional<int32_t> bos_id() const override { return special(processor_.bos_id()); }
  std::optional<int32_t> eos_id() const override { return special(processor_.eos_id()); }

 private:
  static std::optional<int32_t> special(int id) { return id >= 0 ? std::optional<int32_t>(id) : std::nullopt; }
  std::string path_;
  sentencepiece::SentencePieceProcessor processor_;
};

}  // namespace

bool sentencepiece_available() { return true; }

std::unique_ptr<Tokenizer> load_sentencepiece_tokenizer(const std::string& path) {
  return std::make_unique<SentencePieceTokenizer>(path);
}

#else

bool sentencepiece_available() { return false; }

std::unique_ptr<Tokenizer> load_sentencepiece_tokenizer(const std::string& path) {
  throw DataError(path + ": this build of Ablate has no SentencePiece support (install libsentencepiece-dev and "
                  "reconfigure: CMake then defines ABLATE_HAVE_SENTENCEPIECE and links libsentencepiece)");
}

#endif

}  // namespace ablate
