// BOS-per-document encoding of "<|endoftext|>"-separated text (see document_tokenizer.h).
#include "harness/tokenizers/document_tokenizer.h"

namespace ablate {
namespace {

const char* const kSeparator = "<|endoftext|>";

// Python's str.strip() on the ASCII whitespace characters.
std::string strip(const std::string& s) {
  const char* space = " \t\n\r\v\f";
  const size_t begin = s.find_first_not_of(space);
  if (begin == std::string::npos) return "";
  return s.substr(begin, s.find_last_not_of(space) - begin + 1);
}

}  // namespace

DocumentTokenizer::DocumentTokenizer(std::unique_ptr<Tokenizer> inner) : inner_(std::move(inner)) {
  if (!inner_->bos_id())
    throw DataError(inner_->name() + ": +docs needs a BOS token to start each document, and this tokenizer has none");
}

std::string DocumentTokenizer::name() const {
  const std::string inner = inner_->name();
  const size_t colon = inner.find(':');
  return colon == std::string::npos ? inner + "+docs" : inner.substr(0, colon) + "+docs" + inner.substr(colon);
}

std::vector<std::string> DocumentTokenizer::split_documents(const std::string& text) {
  std::vector<std::string> docs;
  std::string current;
  for (size_t pos = 0; pos <= text.size();) {
    size_t end = text.find('\n', pos);
    const bool last = end == std::string::npos;
    if (last) end = text.size();
    std::string line = text.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line == kSeparator) {
      docs.push_back(strip(current));
      current.clear();
    } else {
      current += text.substr(pos, end - pos);
      if (!last) current += '\n';
    }
    if (last) break;
    pos = end + 1;
  }
  docs.push_back(strip(current));
  std::vector<std::string> kept;
  for (auto& d : docs)
    if (!d.empty()) kept.push_back(std::move(d));
  return kept;
}

std::vector<int32_t> DocumentTokenizer::encode(const std::string& text) const {
  std::vector<int32_t> ids;
  for (const std::string& doc : split_documents(text)) {
    ids.push_back(*inner_->bos_id());
    const std::vector<int32_t> d = inner_->encode(doc);
    ids.insert(ids.end(), d.begin(), d.end());
  }
  return ids;
}

}  // namespace ablate
