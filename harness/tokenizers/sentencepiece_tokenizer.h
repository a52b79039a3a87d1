// SentencePiece models (.model, google/sentencepiece) through Debian's libsentencepiece
// (SentencePieceProcessor: Load, Encode to ids, DecodeIds). encode adds no BOS/EOS; bos_id and
// eos_id are the model's (absent when the model disables them). Encodings are the library's, so
// they equal Python sentencepiece's `encode` for the same model.
//
// Built in only when the build defines ABLATE_HAVE_SENTENCEPIECE and links libsentencepiece (see
// the top-level CMakeLists.txt); otherwise load() is a DataError saying so.
#pragma once

#include <memory>
#include <string>

#include "harness/tokenizers/tokenizer.h"

namespace ablate {

// True when this build has libsentencepiece.
bool sentencepiece_available();

// DataError naming the file when it cannot be loaded (or the library is not built in).
std::unique_ptr<Tokenizer> load_sentencepiece_tokenizer(const std::string& path);

}  // namespace ablate
