// The harness's exception types, in one place beside the engine's ConfigError
// (components/core/errors.h). Each is a std::runtime_error whose message starts with the file
// path when there is one, and says what was expected and what was found.
#pragma once

#include <stdexcept>

#include "components/core/errors.h"

namespace ablate {

// The data layer (tokenizers, token shards, batch loaders, choice tasks):
// "corpus.txt: empty corpus (0 bytes)", "val.bin: bad magic number 1234, expected 20240520 ...".
struct DataError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A foreign checkpoint (Hugging Face directory, llama2.c .bin) that cannot be read or written.
// Messages start with the file ("DIR/config.json: ...", "model.bin: ...") and name the tensor or
// key with what was expected and what was found.
struct InteropError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A damaged or unwritable safetensors file (safetensors.h):
// "ckpt.safetensors: tensor 'wte' has shape [64, 32], expected [64, 48]".
struct SafetensorsError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Training cannot go on: a non-finite loss or gradient ("step 37: gradient of
// model.layers.0.mlp.up_proj.weight is not finite (norm nan) ..."). The last checkpoint is intact.
struct TrainingError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// AdamW state that does not match the parameters it is stepped with (optimizer.h), naming the tensor.
struct OptimizerError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// What went wrong in a whole-file read or atomic write (file_io.h), without the path (callers
// prefix it in their own error type): "cannot open: ...", "cannot read: ...", "cannot create T: ...",
// "cannot write T: ...", "cannot rename T over it: ...", "out of memory reading the file".
struct FileIoError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace ablate
