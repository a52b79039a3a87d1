// GPT-2's pre-tokenizer: the text is cut into the matches of the regex of openai/gpt-2
// src/encoder.py (also Hugging Face tokenizers' ByteLevel pre-tokenizer with use_regex),
//   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
// scanned left to right, the first alternative that matches at a position winning (regex
// alternation, not longest match). Contractions are case-sensitive ("'S" is punctuation + letter);
// the optional leading space is U+0020 only. The pieces cover the text exactly, in order.
//
// The classes are unicode_classes.h's (Unicode 14.0, complete). Invalid UTF-8: each byte that does
// not start a valid sequence is a character of its own that is neither letter, number nor space
// (so it joins the punctuation alternative); Python's regex would not accept such text at all.
#pragma once

#include <string>
#include <vector>

namespace ablate {

std::vector<std::string> gpt2_pretokenize(const std::string& text);

}  // namespace ablate
