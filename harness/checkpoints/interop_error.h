// InteropError: a foreign checkpoint (Hugging Face directory, llama2.c .bin) that cannot be read
// or written. Messages start with the file ("DIR/config.json: ...", "model.bin: ...") and name
// the tensor or key with what was expected and what was found.
#pragma once

#include <stdexcept>

namespace ablate {

struct InteropError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace ablate
