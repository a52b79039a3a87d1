// make_tokenizer: a YAML `data.tokenizer` string -> the tokenizer it names, one of the concrete
// tokenizers behind the Tokenizer interface (tokenizer.h).
#pragma once

#include <memory>
#include <string>

#include "harness/tokenizers/tokenizer.h"

namespace ablate {

// The tokenizer for a YAML `data.tokenizer` string, TYPE or TYPE[+docs]:PATH:
//   byte                  the byte-level tokenizer (ByteTokenizer, tokenizer.h)
//   gpt2:PATH             GPT-2 byte-level BPE (gpt2_tokenizer.h): PATH is a tokenizer.json file, or a
//                         directory with tokenizer.json or vocab.json + merges.txt
//   llama2c:PATH          a llama2.c tokenizer.bin (llama2c_tokenizer.h)
//   sentencepiece:PATH    a SentencePiece .model (sentencepiece_tokenizer.h; needs libsentencepiece)
//   TYPE+docs:PATH        the text is documents separated by "<|endoftext|>" lines, each encoded as
//                         [BOS] + its stripped text (document_tokenizer.h; llama2.c's TinyStories
//                         pretokenization), e.g. llama2c+docs:tok512.bin
// PATH is everything after the first ':', relative to the working directory. Unknown types, a
// missing PATH and unreadable files are DataErrors (the known types are listed).
std::unique_ptr<Tokenizer> make_tokenizer(const std::string& type);

}  // namespace ablate
