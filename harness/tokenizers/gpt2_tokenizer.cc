// GPT-2 byte-level BPE (see gpt2_tokenizer.h).
#include "harness/tokenizers/gpt2_tokenizer.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <limits>

#include "harness/common/file_io.h"
#include "harness/common/json_excerpt.h"
#include "harness/common/utf8.h"
#include "harness/tokenizers/gpt2_pretokenizer.h"

namespace ablate {
namespace {

using Json = nlohmann::json;
namespace fs = std::filesystem;

// encoder.py's bytes_to_unicode(): printable Latin-1 bytes map to themselves, the other 68 bytes to
// U+0100.. in byte order, so that every byte is a visible character.
struct ByteMap {
  char32_t to_cp[256];
  std::unordered_map<char32_t, unsigned char> to_byte;
  ByteMap() {
    auto printable = [](int b) { return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF); };
    char32_t next = 256;
    for (int b = 0; b < 256; ++b) {
      to_cp[b] = printable(b) ? static_cast<char32_t>(b) : next++;
      to_byte[to_cp[b]] = static_cast<unsigned char>(b);
    }
  }
};

const ByteMap& byte_map() {
  static const ByteMap map;
  return map;
}

Json read_json(const std::string& path) {
  try {
    return Json::parse(read_whole_file_or_throw<DataError>(path));
  } catch (const Json::exception& e) {
    throw DataError(path + ": not valid JSON: " + e.what());
  }
}

uint64_t pair_key(int32_t left, int32_t right) {
  return (static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) | static_cast<uint32_t>(right);
}

}  // namespace

void Gpt2Tokenizer::add_token(const std::string& token, int64_t id, const std::string& where) {
  // Ids index a table (tokens_), so a huge id would allocate for every id below it; no model has a
  // vocabulary beyond 2^24 (ModelConfig's size limit).
  constexpr int64_t kMaxIds = int64_t{1} << 24;
  if (id < 0 || id >= kMaxIds)
    throw DataError(where + ": token '" + token + "' has id " + std::to_string(id) + " (ids are 0 .. " +
                    std::to_string(kMaxIds - 1) + ")");
  if (static_cast<size_t>(id) >= tokens_.size()) tokens_.resize(static_cast<size_t>(id) + 1);
  std::string& slot = tokens_[static_cast<size_t>(id)];
  if (!slot.empty() && slot != token)
    throw DataError(where + ": id " + std::to_string(id) + " is given to both '" + slot + "' and '" + token + "'");
  slot = token;
  ids_.emplace(token, static_cast<int32_t>(id));
}

void Gpt2Tokenizer::add_merge(const std::string& left, const std::string& right, const std::string& where) {
  const auto l = ids_.find(left), r = ids_.find(right), m = ids_.find(left + right);
  for (const auto& [it, text] : {std::pair{l, left}, std::pair{r, right}, std::pair{m, left + right}})
    if (it == ids_.end())
      throw DataError(where + ": merge '" + left + " " + right + "' needs '" + text + "', which is not in the vocabulary");
  merges_.emplace(pair_key(l->second, r->second), Merge{static_cast<int32_t>(merges_.size()), m->second});
}

void Gpt2Tokenizer::finish(const std::string& where) {
  for (int b = 0; b < 256; ++b) {
    const auto it = ids_.find(encode_utf8(byte_map().to_cp[b]));
    if (it == ids_.end())
      throw DataError(where + ": the vocabulary has no token for byte " + std::to_string(b) +
                      " (byte-level BPE needs all 256)");
    byte_ids_[b] = it->second;
  }
  const auto eot = ids_.find("<|endoftext|>");
  if (eot != ids_.end()) {
    endoftext_ = eot->second;
    bool listed = false;
    for (const auto& a : added_) listed = listed || a.second == eot->second;
    if (!listed) added_.push_back({eot->first, eot->second});
  }
  is_added_.assign(tokens_.size(), false);
  for (const auto& a : added_) is_added_[static_cast<size_t>(a.second)] = true;
}

std::unique_ptr<Gpt2Tokenizer> Gpt2Tokenizer::from_vocab_and_merges(const std::string& vocab_path,
                                                                    const std::string& merges_path) {
  auto t = std::unique_ptr<Gpt2Tokenizer>(new Gpt2Tokenizer());
  t->path_ = fs::path(vocab_path).parent_path().string();
  const Json vocab = read_json(vocab_path);
  if (!vocab.is_object()) throw DataError(vocab_path + ": expected an object {token: id}, found " + json_excerpt(vocab));
  for (const auto& [token, id] : vocab.items()) {
    if (!id.is_number_integer()) throw DataError(vocab_path + ": token '" + token + "': id " + json_excerpt(id));
    t->add_token(token, id.get<int64_t>(), vocab_path);
  }
  const std::string text = read_whole_file_or_throw<DataError>(merges_path);
  size_t line_no = 0;
  for (size_t pos = 0; pos < text.size();) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line.rfind("#version", 0) == 0) continue;
    const size_t space = line.find(' ');
    if (space == std::string::npos || space == 0 || space + 1 == line.size() || line.find(' ', space + 1) != std::string::npos)
      throw DataError(merges_path + ":" + std::to_string(line_no) + ": expected 'left right', found '" + line + "'");
    t->add_merge(line.substr(0, space), line.substr(space + 1), merges_path + ":" + std::to_string(line_no));
  }
  t->finish(vocab_path);
  return t;
}

std::unique_ptr<Gpt2Tokenizer> Gpt2Tokenizer::from_tokenizer_json(const std::string& path) {
  auto t = std::unique_ptr<Gpt2Tokenizer>(new Gpt2Tokenizer());
  t->path_ = path;
  const Json j = read_json(path);
  auto fail = [&](const std::string& what) { return DataError(path + ": " + what); };
  if (!j.is_object() || !j.contains("model") || !j["model"].is_object()) throw fail("no \"model\" object");
  const Json& model = j["model"];
  // Optional string fields; json::value() would throw nlohmann's type_error on another type.
  auto optional_string = [&](const Json& object, const char* key, const std::string& where, const char* fallback) {
    if (!object.contains(key) || object[key].is_null()) return std::string(fallback);
    if (!object[key].is_string()) throw fail(where + ": expected a string, found " + json_excerpt(object[key]));
    return object[key].get<std::string>();
  };
  const std::string type = optional_string(model, "type", "model.type", "BPE");
  if (type != "BPE") throw fail("model.type '" + type + "' is not supported (BPE)");
  auto set_and = [&](const char* key) { return model.contains(key) && !model[key].is_null(); };
  if (set_and("continuing_subword_prefix") && model["continuing_subword_prefix"] != "")
    throw fail("model.continuing_subword_prefix is not supported");
  if (set_and("end_of_word_suffix") && model["end_of_word_suffix"] != "") throw fail("model.end_of_word_suffix is not supported");
  if (set_and("byte_fallback") && model["byte_fallback"] == true) throw fail("model.byte_fallback: true is not supported");
  if (set_and("dropout") && model["dropout"] != 0 && model["dropout"] != 0.0) throw fail("model.dropout is not supported");
  t->ignore_merges_ = set_and("ignore_merges") && model["ignore_merges"] == true;
  if (j.contains("normalizer") && !j["normalizer"].is_null()) {
    const Json& n = j["normalizer"];
    throw fail("normalizer " + json_excerpt(n.is_object() ? n.value("type", Json("?")) : n) + " is not supported (null only)");
  }
  const Json pre = j.value("pre_tokenizer", Json());
  if (!pre.is_object() || pre.value("type", Json()) != "ByteLevel")
    throw fail("pre_tokenizer " + (pre.is_object() ? json_excerpt(pre.value("type", Json("?"))) : json_excerpt(pre)) +
               " is not supported (GPT-2's ByteLevel only)");
  if (pre.contains("use_regex") && pre["use_regex"] == false) throw fail("pre_tokenizer ByteLevel with use_regex: false is not supported");
  const Json add_prefix_space = pre.value("add_prefix_space", Json(false));
  if (!add_prefix_space.is_boolean() && !add_prefix_space.is_null())
    throw fail("pre_tokenizer.add_prefix_space: expected true or false, found " + json_excerpt(add_prefix_space));
  t->add_prefix_space_ = add_prefix_space == true;

  if (!model.contains("vocab") || !model["vocab"].is_object()) throw fail("model.vocab: expected an object {token: id}");
  for (const auto& [token, id] : model["vocab"].items()) {
    if (!id.is_number_integer()) throw fail("model.vocab: token '" + token + "': id " + json_excerpt(id));
    t->add_token(token, id.get<int64_t>(), path);
  }
  if (j.contains("added_tokens") && j["added_tokens"].is_array())
    for (const Json& a : j["added_tokens"]) {
      if (!a.is_object() || !a.contains("id") || !a["id"].is_number_integer() || !a.contains("content") ||
          !a["content"].is_string() || a["content"].get<std::string>().empty())
        throw fail("added_tokens: expected {id, content}, found " + json_excerpt(a));
      t->add_token(a["content"], a["id"].get<int64_t>(), path);
      t->added_.push_back({a["content"], a["id"].get<int32_t>()});
    }
  if (!model.contains("merges") || !model["merges"].is_array()) throw fail("model.merges: expected a list");
  size_t i = 0;
  for (const Json& m : model["merges"]) {
    const std::string where = path + ": model.merges[" + std::to_string(i++) + "]";
    if (m.is_string()) {
      const std::string s = m.get<std::string>();
      const size_t space = s.find(' ');
      if (space == std::string::npos || s.find(' ', space + 1) != std::string::npos)
        throw DataError(where + ": expected 'left right', found '" + s + "'");
      t->add_merge(s.substr(0, space), s.substr(space + 1), where);
    } else if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string()) {
      t->add_merge(m[0], m[1], where);
    } else {
      throw DataError(where + ": expected 'left right' or [left, right], found " + json_excerpt(m));
    }
  }
  t->finish(path);
  return t;
}

std::unique_ptr<Gpt2Tokenizer> Gpt2Tokenizer::load(const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    const fs::path dir(path);
    if (fs::exists(dir / "tokenizer.json")) {
      auto t = from_tokenizer_json((dir / "tokenizer.json").string());
      t->path_ = path;
      return t;
    }
    if (fs::exists(dir / "vocab.json") && fs::exists(dir / "merges.txt")) {
      auto t = from_vocab_and_merges((dir / "vocab.json").string(), (dir / "merges.txt").string());
      t->path_ = path;
      return t;
    }
    throw DataError(path + ": has neither tokenizer.json nor vocab.json + merges.txt");
  }
  if (!fs::exists(path, ec)) throw DataError(path + ": no such file or directory");
  return from_tokenizer_json(path);
}

void Gpt2Tokenizer::encode_word(const std::string& word, std::vector<int32_t>& out) const {
  if (ignore_merges_) {
    std::string mapped;
    for (unsigned char b : word) mapped += encode_utf8(byte_map().to_cp[b]);
    const auto it = ids_.find(mapped);
    if (it != ids_.end()) {
      out.push_back(it->second);
      return;
    }
  }
  std::vector<int32_t> symbols;
  symbols.reserve(word.size());
  for (unsigned char b : word) symbols.push_back(byte_ids_[b]);
  std::vector<int32_t> merged;
  while (symbols.size() > 1) {
    const Merge* best = nullptr;
    uint64_t best_key = 0;
    for (size_t i = 0; i + 1 < symbols.size(); ++i) {
      const auto it = merges_.find(pair_key(symbols[i], symbols[i + 1]));
      if (it != merges_.end() && (!best || it->second.rank < best->rank)) {
        best = &it->second;
        best_key = it->first;
      }
    }
    if (!best) break;
    // Every occurrence of the pair, left to right, without overlaps (encoder.py's bpe()).
    const int32_t left = static_cast<int32_t>(best_key >> 32), right = static_cast<int32_t>(best_key & 0xFFFFFFFFu);
    merged.clear();
    for (size_t i = 0; i < symbols.size();) {
      if (i + 1 < symbols.size() && symbols[i] == left && symbols[i + 1] == right) {
        merged.push_back(best->result);
        i += 2;
      } else {
        merged.push_back(symbols[i++]);
      }
    }
    symbols.swap(merged);
  }
  out.insert(out.end(), symbols.begin(), symbols.end());
}

std::vector<int32_t> Gpt2Tokenizer::encode(const std::string& text) const {
  std::vector<int32_t> ids;
  std::unordered_map<std::string, std::vector<int32_t>> cache;  // this call's words
  auto encode_segment = [&](std::string segment) {
    if (segment.empty()) return;
    if (add_prefix_space_ && segment[0] != ' ') segment.insert(0, " ");
    for (const std::string& word : gpt2_pretokenize(segment)) {
      auto it = cache.find(word);
      if (it == cache.end()) {
        std::vector<int32_t> w;
        encode_word(word, w);
        it = cache.emplace(word, std::move(w)).first;
      }
      ids.insert(ids.end(), it->second.begin(), it->second.end());
    }
  };
  size_t segment_start = 0;
  for (size_t pos = 0; pos < text.size();) {
    const std::pair<std::string, int32_t>* match = nullptr;
    for (const auto& a : added_)
      if (text.compare(pos, a.first.size(), a.first) == 0 && (!match || a.first.size() > match->first.size())) match = &a;
    if (!match) {
      ++pos;
      continue;
    }
    encode_segment(text.substr(segment_start, pos - segment_start));
    ids.push_back(match->second);
    pos += match->first.size();
    segment_start = pos;
  }
  encode_segment(text.substr(segment_start));
  return ids;
}

std::string Gpt2Tokenizer::decode(const std::vector<int32_t>& ids) const {
  std::string text;
  for (size_t i = 0; i < ids.size(); ++i) {
    const int32_t id = ids[i];
    if (id < 0 || id >= vocab_size() || tokens_[static_cast<size_t>(id)].empty())
      throw DataError(name() + ": id " + std::to_string(i) + " = " + std::to_string(id) + " is not a token of the vocabulary");
    const std::string& token = tokens_[static_cast<size_t>(id)];
    if (is_added_[static_cast<size_t>(id)]) {
      text += token;
      continue;
    }
    for (size_t pos = 0; pos < token.size();) {
      const Utf8Step step = decode_utf8(token, pos);
      const auto it = byte_map().to_byte.find(step.cp);
      if (it != byte_map().to_byte.end())
        text += static_cast<char>(it->second);
      else
        text += token.substr(pos, step.length);
      pos += step.length;
    }
  }
  return text;
}

}  // namespace ablate
