// The llama2.c tokenizer (see llama2c_tokenizer.h).
#include "harness/tokenizers/llama2c_tokenizer.h"

#include <cstdio>
#include <cstring>
#include <queue>

#include "harness/common/file_io.h"

namespace ablate {
namespace {

constexpr int32_t kBos = 1, kEos = 2, kFirstByte = 3;
constexpr float kNeverMerges = -1e10f;  // run.c's initial best_score

std::string byte_piece(int b) {
  char buf[8];
  std::snprintf(buf, sizeof(buf), "<0x%02X>", b);
  return buf;
}

}  // namespace

std::unique_ptr<Llama2cTokenizer> Llama2cTokenizer::load(const std::string& path) {
  auto fail = [&](const std::string& what) { return DataError(path + ": " + what); };
  const std::string bytes = read_whole_file_or_throw<DataError>(path);
  auto t = std::unique_ptr<Llama2cTokenizer>(new Llama2cTokenizer());
  t->path_ = path;
  if (bytes.size() < 4) throw fail("not a llama2.c tokenizer: " + std::to_string(bytes.size()) + " bytes, no header");
  int32_t max_length;
  std::memcpy(&max_length, bytes.data(), 4);
  if (max_length <= 0 || max_length > 1 << 20)
    throw fail("not a llama2.c tokenizer: max_token_length " + std::to_string(max_length));
  for (size_t pos = 4; pos < bytes.size();) {
    const std::string where = "token " + std::to_string(t->pieces_.size()) + " at byte " + std::to_string(pos);
    if (bytes.size() - pos < 8) throw fail("truncated: " + where + " needs 8 bytes of score and length");
    float score;
    int32_t length;
    std::memcpy(&score, bytes.data() + pos, 4);
    std::memcpy(&length, bytes.data() + pos + 4, 4);
    pos += 8;
    if (length < 0 || static_cast<size_t>(length) > bytes.size() - pos)
      throw fail("truncated or malformed: " + where + " has length " + std::to_string(length) + ", " +
                 std::to_string(bytes.size() - pos) + " bytes remain");
    t->pieces_.push_back(bytes.substr(pos, static_cast<size_t>(length)));
    t->scores_.push_back(score);
    pos += static_cast<size_t>(length);
  }
  if (t->pieces_.size() < kFirstByte + 256)
    throw fail("has " + std::to_string(t->pieces_.size()) + " tokens; a llama2.c tokenizer has at least 259 (<unk>, " +
               "<s>, </s> and the 256 byte pieces)");
  for (int b = 0; b < 256; ++b)
    if (t->pieces_[kFirstByte + b] != byte_piece(b))
      throw fail("token " + std::to_string(kFirstByte + b) + " is '" + t->pieces_[kFirstByte + b] + "', expected '" +
                 byte_piece(b) + "' (run.c's byte fallback encodes byte b as token 3 + b)");
  for (size_t i = 0; i < t->pieces_.size(); ++i) t->ids_.emplace(t->pieces_[i], static_cast<int32_t>(i));
  t->space_id_ = t->lookup(" ");
  if (t->space_id_ < 0) throw fail("has no \" \" token (run.c's dummy prefix)");
  return t;
}

int32_t Llama2cTokenizer::lookup(const std::string& s) const {
  const auto it = ids_.find(s);
  return it == ids_.end() ? -1 : it->second;
}

std::vector<int32_t> Llama2cTokenizer::encode(const std::string& text) const {
  std::vector<int32_t> tokens;
  if (text.empty()) return tokens;
  tokens.push_back(space_id_);
  // Characters as run.c groups them: a byte that is not a continuation byte starts a character,
  // which takes the continuation bytes that follow, up to 4 bytes in all.
  for (size_t i = 0; i < text.size();) {
    size_t n = 1;
    while (i + n < text.size() && n < 4 && (static_cast<unsigned char>(text[i + n]) & 0xC0) == 0x80) ++n;
    const std::string ch = text.substr(i, n);
    const int32_t id = lookup(ch);
    if (id >= 0) {
      tokens.push_back(id);
    } else {
      for (unsigned char b : ch) tokens.push_back(kFirstByte + b);
    }
    i += n;
  }

  // Greedy merges. Symbols form a linked list; a candidate pair is (score, left position); the queue
  // pops the highest score, then the smallest left position (the leftmost pair: positions keep the
  // text's order). A popped pair is stale when either symbol has changed since it was pushed.
  const int n = static_cast<int>(tokens.size());
  std::vector<int> prev(n), next(n);
  std::vector<bool> alive(n, true);
  for (int i = 0; i < n; ++i) prev[i] = i - 1, next[i] = i + 1 < n ? i + 1 : -1;
  struct Candidate {
    float score;
    int left, right;
    int32_t left_id, right_id, merged;
    bool operator<(const Candidate& o) const {  // priority_queue pops the largest
      return score != o.score ? score < o.score : left > o.left;
    }
  };
  std::priority_queue<Candidate> queue;
  auto consider = [&](int left) {
    if (left < 0 || next[left] < 0) return;
    const int right = next[left];
    const int32_t merged = lookup(pieces_[tokens[left]] + pieces_[tokens[right]]);
    if (merged >= 0 && scores_[merged] > kNeverMerges)
      queue.push({scores_[merged], left, right, tokens[left], tokens[right], merged});
  };
  for (int i = 0; i + 1 < n; ++i) consider(i);
  while (!queue.empty()) {
    const Candidate c = queue.top();
    queue.pop();
    if (!alive[c.left] || !alive[c.right] || next[c.left] != c.right || tokens[c.left] != c.left_id ||
        tokens[c.right] != c.right_id)
      continue;
    tokens[c.left] = c.merged;
    alive[c.right] = false;
    next[c.left] = next[c.right];
    if (next[c.right] >= 0) prev[next[c.right]] = c.left;
    consider(prev[c.left]);
    consider(c.left);
  }
  std::vector<int32_t> out;
  for (int i = 0; i >= 0 && i < n; i = next[i]) out.push_back(tokens[i]);
  return out;
}

std::string Llama2cTokenizer::decode(const std::vector<int32_t>& ids) const {
  std::string text;
  bool at_start = true;  // the next piece starts the text or follows BOS
  for (size_t i = 0; i < ids.size(); ++i) {
    const int32_t id = ids[i];
    if (id < 0 || id >= vocab_size())
      throw DataError(name() + ": id " + std::to_string(i) + " = " + std::to_string(id) +
                      " is outside the vocabulary [0, " + std::to_string(vocab_size() - 1) + "]");
    if (id == kBos || id == kEos) {
      at_start = id == kBos;
      continue;
    }
    if (id >= kFirstByte && id < kFirstByte + 256) {
      text += static_cast<char>(id - kFirstByte);
    } else {
      const std::string& p = pieces_[static_cast<size_t>(id)];
      text += at_start && !p.empty() && p[0] == ' ' ? p.substr(1) : p;
    }
    at_start = false;
  }
  return text;
}

}  // namespace ablate
