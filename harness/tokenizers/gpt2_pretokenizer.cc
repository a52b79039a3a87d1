// GPT-2's pre-tokenizer regex, as a hand-written scanner (see gpt2_pretokenizer.h).
#include "harness/tokenizers/gpt2_pretokenizer.h"

#include "harness/common/utf8.h"
#include "harness/tokenizers/unicode_classes.h"

namespace ablate {
namespace {

enum class Kind { kLetter, kNumber, kSpace, kOther };

struct Char {
  size_t begin, length;
  char32_t cp;
  Kind kind;
};

Kind classify(char32_t cp) {
  if (cp == kInvalidCodepoint) return Kind::kOther;
  if (is_unicode_letter(cp)) return Kind::kLetter;
  if (is_unicode_number(cp)) return Kind::kNumber;
  if (is_unicode_whitespace(cp)) return Kind::kSpace;
  return Kind::kOther;
}

// Length in characters of the contraction ('s 't 're 've 'm 'll 'd) at chars[i], or 0.
size_t contraction(const std::vector<Char>& chars, size_t i) {
  if (chars[i].cp != U'\'' || i + 1 >= chars.size()) return 0;
  const char32_t a = chars[i + 1].cp;
  if (a == U's' || a == U't' || a == U'm' || a == U'd') return 2;
  if (i + 2 < chars.size()) {
    const char32_t b = chars[i + 2].cp;
    if ((a == U'r' && b == U'e') || (a == U'v' && b == U'e') || (a == U'l' && b == U'l')) return 3;
  }
  return 0;
}

// ` ?X+` where X is a run of `kind` (kOther stands for [^\s\p{L}\p{N}]); 0 if no match at i.
size_t optional_space_run(const std::vector<Char>& chars, size_t i, Kind kind) {
  size_t j = i;
  if (chars[j].cp == U' ' && j + 1 < chars.size() && chars[j + 1].kind == kind) ++j;
  if (chars[j].kind != kind) return 0;
  while (j < chars.size() && chars[j].kind == kind) ++j;
  return j - i;
}

// `\s+(?!\S)|\s+` at i (chars[i] is a space): the whole run when it ends the text or when it is a
// single character; otherwise the run less its last space, which then prefixes the next word.
size_t space_run(const std::vector<Char>& chars, size_t i) {
  size_t j = i;
  while (j < chars.size() && chars[j].kind == Kind::kSpace) ++j;
  if (j == chars.size() || j - i == 1) return j - i;
  return j - i - 1;
}

}  // namespace

std::vector<std::string> gpt2_pretokenize(const std::string& text) {
  std::vector<Char> chars;
  for (size_t pos = 0; pos < text.size();) {
    const Utf8Step step = decode_utf8(text, pos);
    chars.push_back({pos, step.length, step.cp, classify(step.cp)});
    pos += step.length;
  }
  std::vector<std::string> pieces;
  for (size_t i = 0; i < chars.size();) {
    size_t n = contraction(chars, i);
    if (n == 0) n = optional_space_run(chars, i, Kind::kLetter);
    if (n == 0) n = optional_space_run(chars, i, Kind::kNumber);
    if (n == 0) n = optional_space_run(chars, i, Kind::kOther);
    if (n == 0) n = space_run(chars, i);  // only spaces are left
    const size_t begin = chars[i].begin, end = chars[i + n - 1].begin + chars[i + n - 1].length;
    pieces.push_back(text.substr(begin, end - begin));
    i += n;
  }
  return pieces;
}

}  // namespace ablate
