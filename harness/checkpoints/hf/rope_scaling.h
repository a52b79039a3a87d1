// RoPE scaling in config.json: rope_scaling (or transformers v5's rope_parameters) <->
// ModelConfig::position.scaling, as hf_checkpoint.h describes.
#pragma once

#include <string>
#include <vector>

#include "components/model/model.h"
#include "harness/checkpoints/hf/config_json.h"

namespace ablate::hf {

// rope_scaling (or v5's rope_parameters) -> position.scaling; `config` is the whole config.json
// (Phi-3 states original_max_position_embeddings at its top level). m.context must be set.
void read_rope_scaling(const Json& block, const std::string& where, const Fields& config, ModelConfig& m,
                       std::vector<std::string>& notes);

// position.scaling -> config.json's rope_scaling (null for none); InteropError where HF has no equivalent.
Json rope_scaling_json(const ModelConfig& m);

}  // namespace ablate::hf
