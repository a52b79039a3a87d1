// UTF-8 decoding and encoding (RFC 3629), lenient on input: what a tokenizer needs to walk text
// that may not be valid UTF-8.
#pragma once

#include <cstddef>
#include <string>

namespace ablate {

// One step of UTF-8 decoding at text[pos] (pos < text.size()): the code point and its length in
// bytes. A byte that does not start a valid, shortest-form sequence (a stray continuation byte, a
// truncated sequence, an overlong form, a surrogate, a value > U+10FFFF) decodes alone, to
// kInvalidCodepoint with length 1.
constexpr char32_t kInvalidCodepoint = 0xFFFFFFFF;
struct Utf8Step {
  char32_t cp;
  size_t length;
};
Utf8Step decode_utf8(const std::string& text, size_t pos);

// The UTF-8 bytes of cp (cp <= U+10FFFF).
std::string encode_utf8(char32_t cp);

}  // namespace ablate
