// Python's str.strip / rstrip / len and re.split(r"\s+") piece counts on UTF-8 text (see python_text.h).
#include "harness/tokenizers/python_text.h"

#include "harness/common/utf8.h"

namespace ablate {
namespace {

// str.isspace of one code point.
bool is_python_space(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

// Bytes of `text` after leading whitespace starts / before trailing whitespace ends.
size_t space_prefix(const std::string& text) {
  size_t i = 0;
  while (i < text.size()) {
    const Utf8Step step = decode_utf8(text, i, Utf8Rules::kStructural);
    if (!is_python_space(step.cp)) break;
    i += step.length;
  }
  return i;
}

size_t without_space_suffix(const std::string& text) {
  size_t end = text.size();
  while (end > 0) {
    size_t start = end - 1;  // the start of the last sequence: back over continuation bytes
    while (start > 0 && end - start < 4 && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) --start;
    const Utf8Step step = decode_utf8(text, start, Utf8Rules::kStructural);
    if (start + step.length != end || !is_python_space(step.cp)) break;
    end = start;
  }
  return end;
}

}  // namespace

std::string python_strip(const std::string& text) {
  const size_t begin = space_prefix(text);
  if (begin == text.size()) return "";
  return text.substr(begin, without_space_suffix(text) - begin);
}

std::string python_rstrip(const std::string& text) { return text.substr(0, without_space_suffix(text)); }

int64_t python_whitespace_split_count(const std::string& text) {
  int64_t pieces = 1;
  bool in_space = false;
  for (size_t i = 0; i < text.size();) {
    const Utf8Step step = decode_utf8(text, i, Utf8Rules::kStructural);
    const bool space = is_python_space(step.cp);
    if (space && !in_space) ++pieces;
    in_space = space;
    i += step.length;
  }
  return pieces;
}

int64_t python_length(const std::string& text) {
  int64_t n = 0;
  for (size_t i = 0; i < text.size();) {
    i += decode_utf8(text, i, Utf8Rules::kStructural).length;
    ++n;
  }
  return n;
}

}  // namespace ablate
