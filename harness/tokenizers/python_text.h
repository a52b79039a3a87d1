// Python's str functions on UTF-8 text, for reproducing Python preprocessing (lm-eval's choice
// tasks) byte for byte. Text is decoded with decode_utf8's kStructural rules (utf8.h): a lead
// byte with its continuation bytes is one character even when overlong, a surrogate or beyond
// U+10FFFF, and any other byte is a character of its own (never whitespace above 0x7F).
#pragma once

#include <cstdint>
#include <string>

namespace ablate {

// Python's str.strip() / str.rstrip() on UTF-8 text: what str.isspace calls whitespace (ASCII
// \t\n\v\f\r, \x1c-\x1f, space, and U+0085, U+00A0, U+1680, U+2000-200A, U+2028, U+2029, U+202F,
// U+205F, U+3000) is removed from the ends.
std::string python_strip(const std::string& text);
std::string python_rstrip(const std::string& text);
// Python's len(str) of UTF-8 text: code points (bytes that do not continue a sequence).
int64_t python_length(const std::string& text);
// len(re.split(r"\s+", text)): one more than the runs of str.isspace whitespace (re's \s on str),
// so leading and trailing whitespace each add an empty piece and "" counts 1 (lm-eval's count_words).
int64_t python_whitespace_split_count(const std::string& text);

}  // namespace ablate
