// Format detection and dispatch for checkpoints (see checkpoint_formats.h).
#include "harness/checkpoints/checkpoint_formats.h"

#include <filesystem>
#include <map>
#include <ostream>

#include "components/core/tensor.h"
#include "harness/checkpoints/checkpoint.h"
#include "harness/checkpoints/hf/hf_checkpoint.h"
#include "harness/checkpoints/llama2c_checkpoint.h"
#include "harness/config/model_yaml.h"

namespace ablate {
namespace {

namespace fs = std::filesystem;

bool has_extension(const std::string& path, const std::string& ext) {
  return fs::path(path).extension().string() == ext;
}

// An Ablate checkpoint's metadata "format" is kCheckpointFormat.
bool is_ablate_checkpoint(const std::string& path) {
  try {
    const SafetensorsFile f = SafetensorsFile::open(path);
    const auto it = f.metadata().find("format");
    return it != f.metadata().end() && it->second == kCheckpointFormat;
  } catch (const SafetensorsError&) {
    return false;
  }
}

// The HF directory of a path: the path itself, or the directory of a file in it.
std::string hf_directory(const std::string& path) {
  return fs::is_directory(path) ? path : fs::path(path).parent_path().string();
}

ModelConfig ablate_model_config(const Checkpoint& c) {
  if (!c.config.contains("model")) throw InteropError(c.file.path() + ": the saved config has no model section");
  // A run built on `model: {from: PATH}` saves its resolved model with `from` beside it as
  // provenance; every key is there, so the model is read without going back to PATH.
  nlohmann::json model = upgrade_saved_model_section(c.config["model"]);
  if (model.is_object()) model.erase("from");
  return parse_model_config_text(model.dump(), c.file.path() + " (saved config)");
}

}  // namespace

const char* format_name(CheckpointFormat format) {
  switch (format) {
    case CheckpointFormat::kAblate: return "ablate";
    case CheckpointFormat::kHuggingFace: return "huggingface";
    case CheckpointFormat::kLlama2c: return "llama2c";
  }
  return "?";
}

CheckpointFormat parse_format_name(const std::string& name) {
  if (name == "ablate") return CheckpointFormat::kAblate;
  if (name == "huggingface" || name == "hf") return CheckpointFormat::kHuggingFace;
  if (name == "llama2c") return CheckpointFormat::kLlama2c;
  throw InteropError("unknown checkpoint format '" + name + "' (known: ablate, huggingface, llama2c)");
}

CheckpointFormat detect_checkpoint_format(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw InteropError(path + ": no such file or directory");
  if (fs::is_directory(path, ec)) return CheckpointFormat::kHuggingFace;
  if (has_extension(path, ".safetensors") && is_ablate_checkpoint(path)) return CheckpointFormat::kAblate;
  const fs::path config = fs::path(path).parent_path() / "config.json";
  const bool pytorch_bin = fs::path(path).filename().string().rfind("pytorch_model", 0) == 0;
  if ((has_extension(path, ".safetensors") || has_extension(path, ".json") || pytorch_bin) && fs::exists(config, ec))
    return CheckpointFormat::kHuggingFace;  // its reader explains that pytorch_model.bin is not read
  if (has_extension(path, ".safetensors")) return CheckpointFormat::kAblate;  // its reader says what is wrong
  return CheckpointFormat::kLlama2c;
}

CheckpointFormat output_checkpoint_format(const std::string& path) {
  if (has_extension(path, ".safetensors")) return CheckpointFormat::kAblate;
  if (has_extension(path, ".bin")) return CheckpointFormat::kLlama2c;
  return CheckpointFormat::kHuggingFace;
}

LoadedModel load_model_checkpoint(const std::string& path) {
  LoadedModel loaded{detect_checkpoint_format(path), nullptr, {}};
  switch (loaded.format) {
    case CheckpointFormat::kAblate: {
      const Checkpoint c = open_checkpoint(path);
      loaded.model = std::make_unique<Model<float>>(ablate_model_config(c), 0);
      load_weights(c.file, *loaded.model);
      break;
    }
    case CheckpointFormat::kHuggingFace: {
      HfConfig hf;
      loaded.model = load_hf_checkpoint(hf_directory(path), &hf);
      loaded.notes = hf.notes;
      break;
    }
    case CheckpointFormat::kLlama2c:
      loaded.model = load_llama2c_checkpoint(path);
      break;
  }
  return loaded;
}

void load_weights_from(const std::string& path, Model<float>& model) {
  const LoadedModel loaded = load_model_checkpoint(path);
  std::map<std::string, const Parameter<float>*> source;
  for (const auto& np : loaded.model->parameters()) source[np.name] = np.param;
  for (const auto& np : model.parameters()) {
    const auto it = source.find(np.name);
    if (it == source.end())
      throw InteropError(path + ": no tensor '" + np.name + "' (the config expects shape " +
                         shape_string(np.param->value.shape) + ")");
    if (it->second->value.shape != np.param->value.shape)
      throw InteropError(path + ": tensor '" + np.name + "' has shape " + shape_string(it->second->value.shape) +
                         ", the config expects " + shape_string(np.param->value.shape));
    np.param->value = it->second->value;
    np.param->mark_changed();
  }
}

ModelConfig read_checkpoint_model_config(const std::string& path) {
  switch (detect_checkpoint_format(path)) {
    case CheckpointFormat::kAblate: return ablate_model_config(open_checkpoint(path));
    case CheckpointFormat::kHuggingFace: return read_hf_config(hf_directory(path)).model;
    case CheckpointFormat::kLlama2c: return read_llama2c_config(path);
  }
  throw std::logic_error("read_checkpoint_model_config: unknown format");
}

std::vector<std::string> checkpoint_notes(const std::string& path) {
  if (detect_checkpoint_format(path) != CheckpointFormat::kHuggingFace) return {};
  return read_hf_config(hf_directory(path)).notes;
}

void print_checkpoint_notes(std::ostream& out, const std::string& command, const std::vector<std::string>& notes) {
  for (const std::string& note : notes) out << command << ": note: " << note << "\n";
}

void save_model_checkpoint(const std::string& path, CheckpointFormat format, Model<float>& model,
                           const ExperimentConfig& experiment) {
  switch (format) {
    case CheckpointFormat::kAblate:
      save_checkpoint(path, model, nullptr, experiment, TrainingState{});
      return;
    case CheckpointFormat::kHuggingFace:
      save_hf_checkpoint(path, model);
      return;
    case CheckpointFormat::kLlama2c:
      save_llama2c_checkpoint(path, model);
      return;
  }
}

}  // namespace ablate
