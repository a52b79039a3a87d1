// UTF-8 decoding and encoding (RFC 3629), lenient on input: what a tokenizer needs to walk text
// that may not be valid UTF-8.
#pragma once

#include <cstddef>
#include <string>

namespace ablate {

// What decode_utf8 accepts as one sequence.
enum class Utf8Rules {
  kRfc3629,    // valid, shortest-form sequences of code points up to U+10FFFF, no surrogates
  kStructural  // a lead byte and its continuation bytes, whatever they encode: overlong forms,
               // surrogates and values up to 0x1FFFFF too (the Python string helpers'
               // rules, python_text.h)
};

// One step of UTF-8 decoding at text[pos] (pos < text.size()): the code point and its length in
// bytes. A byte that does not start a sequence `rules` accept (a stray continuation byte, a
// truncated sequence; with kRfc3629 also an overlong form, a surrogate, a value > U+10FFFF)
// decodes alone, to kInvalidCodepoint with length 1.
constexpr char32_t kInvalidCodepoint = 0xFFFFFFFF;
struct Utf8Step {
  char32_t cp;
  size_t length;
};
Utf8Step decode_utf8(const std::string& text, size_t pos, Utf8Rules rules = Utf8Rules::kRfc3629);

// The UTF-8 bytes of cp (cp <= U+10FFFF).
std::string encode_utf8(char32_t cp);

}  // namespace ablate
