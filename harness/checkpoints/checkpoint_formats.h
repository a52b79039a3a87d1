// The checkpoint formats Ablate reads and writes, behind one pair of functions:
//   ablate       Ablate's own checkpoint (checkpoint.h): one .safetensors file with the config
//   huggingface  a Hugging Face model directory (hf_checkpoint.h)
//   llama2c      a llama2.c .bin (llama2c_checkpoint.h)
// What `ablate convert` and a `model: {from: PATH}` config key build on.
#pragma once

#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "components/model/model.h"
#include "harness/common/errors.h"
#include "harness/config/experiment_config.h"

namespace ablate {

enum class CheckpointFormat { kAblate, kHuggingFace, kLlama2c };

const char* format_name(CheckpointFormat format);  // "ablate", "huggingface", "llama2c"
// From a name as format_name writes it (also "hf"); InteropError listing the names otherwise.
CheckpointFormat parse_format_name(const std::string& name);

// What an existing path holds: a directory, or a file inside a directory with config.json that is not
// an Ablate checkpoint (*.safetensors, *.json, pytorch_model*) -> huggingface; a .safetensors file
// -> ablate; any other file -> llama2c.
// InteropError for a path that does not exist.
CheckpointFormat detect_checkpoint_format(const std::string& path);
// What a path to be written names: *.safetensors -> ablate, *.bin -> llama2c, else a directory
// -> huggingface.
CheckpointFormat output_checkpoint_format(const std::string& path);

struct LoadedModel {
  CheckpointFormat format;
  std::unique_ptr<Model<float>> model;  // its config() is the model's resolved config
  std::vector<std::string> notes;       // from hf_checkpoint.h: where Ablate's computation differs
};

// Reads a checkpoint of any format (detected) into a new model. An Ablate checkpoint's model comes
// from the config saved in it. Errors: InteropError, SafetensorsError, ConfigError.
LoadedModel load_model_checkpoint(const std::string& path);

// Reads a checkpoint of any format and copies its weights into `model`, whose config may differ
// only where no parameter changes (RoPE scaling, eps, ...): InteropError naming the tensor and both
// shapes ("PATH: tensor 'model.norm.weight' has shape [64], the config expects [32]").
void load_weights_from(const std::string& path, Model<float>& model);

// Only the model config of a checkpoint of any format (reads the file).
ModelConfig read_checkpoint_model_config(const std::string& path);

// Where Ablate computes a checkpoint's model differently (a Hugging Face config.json's notes, as
// LoadedModel::notes; none for the other formats), from its config alone.
std::vector<std::string> checkpoint_notes(const std::string& path);
// Each note on `out` as "COMMAND: note: NOTE" (`ablate convert`, and eval/extend/choice of a model.from).
void print_checkpoint_notes(std::ostream& out, const std::string& command, const std::vector<std::string>& notes);

// Writes `model` in `format`. An Ablate checkpoint records `experiment` (whose model section must
// be the model's config) as its config, weights only, step 0.
void save_model_checkpoint(const std::string& path, CheckpointFormat format, Model<float>& model,
                           const ExperimentConfig& experiment);

}  // namespace ablate
