// Ablate checkpoints: one safetensors file holding everything a run needs to continue exactly.
//
//   tensors   every model parameter under its Hugging Face name (model.layers.0.self_attn.q_proj.weight),
//             F32; and, in training checkpoints, the AdamW moments as
//             "optimizer.<parameter>.exp_avg" / "optimizer.<parameter>.exp_avg_sq"
//   metadata  "format": "ablate-checkpoint/1"
//             "config": the fully resolved experiment config, JSON (experiment_to_json)
//             "state":  JSON {"step", "batches_drawn", "optimizer_steps", "history"}:
//                       optimizer steps done, batches the loader has drawn (its exact position),
//                       AdamW's step count, and the loss curves so far (so a resumed run's result
//                       holds the whole curve)
//
// One file, written atomically (write_safetensors), so a kill during a save leaves the previous
// checkpoint whole. Other safetensors readers see plain tensors.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

#include "components/model/model.h"
#include "harness/checkpoints/safetensors.h"
#include "harness/config/experiment_config.h"
#include "harness/train/optimizer.h"

namespace ablate {

constexpr const char* kCheckpointFormat = "ablate-checkpoint/1";

struct TrainingState {
  int64_t step = 0;             // optimizer steps done
  int64_t batches_drawn = 0;    // BatchLoader::position()
  int64_t optimizer_steps = 0;  // AdamW::steps_taken() (differs from step when steps were skipped)
  nlohmann::json history = nlohmann::json::object();  // loss curves, elapsed seconds
};

// `optimizer` may be null (weights only, e.g. a converted or final model).
void save_checkpoint(const std::string& path, Model<float>& model, const AdamW* optimizer,
                     const ExperimentConfig& config, const TrainingState& state);

struct Checkpoint {
  SafetensorsFile file;
  nlohmann::json config;  // as saved
  TrainingState state;
};

// Opens and checks the file and its metadata (SafetensorsError "PATH: ..." for anything wrong:
// missing, truncated, not an Ablate checkpoint, unreadable metadata).
Checkpoint open_checkpoint(const std::string& path);

// Copies every parameter of `model` from the file, checking names and shapes first; all or
// nothing. "PATH: tensor 'model.norm.weight' has shape [32], expected [64]", "PATH: no tensor
// 'lm_head.weight' ...", "PATH: tensor 'x' is not a parameter of this model".
void load_weights(const SafetensorsFile& file, Model<float>& model);

// Restores the AdamW moments saved with the weights of `model`.
void load_optimizer(const SafetensorsFile& file, Model<float>& model, AdamW& optimizer,
                    int64_t optimizer_steps);

}  // namespace ablate
