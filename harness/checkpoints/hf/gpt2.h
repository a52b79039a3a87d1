// GPT2LMHeadModel (HF modeling_gpt2.py): config.json -> ModelConfig, the tensor plan and the
// writer. Conv1D weights are stored (in, out), so every matrix is transposed, and attn.c_attn
// (C, 3C) is the fused [q | k | v] projection.
#pragma once

#include <string>

#include "components/model/model.h"
#include "harness/checkpoints/hf/config_json.h"
#include "harness/checkpoints/hf/hf_checkpoint.h"
#include "harness/checkpoints/hf/tensor_plan.h"

namespace ablate::hf {

// config.json's fields -> out.model; InteropError for what Ablate cannot compute.
void read_gpt2(const Fields& f, HfConfig& out);

// GPT-2 checkpoints name tensors with or without the GPT2Model's "transformer." prefix: the name without it.
std::string gpt2_plan_name(const std::string& name);

// The tensors of a GPT-2 checkpoint (names as gpt2_plan_name gives them) -> the parameters of `m`.
Plan gpt2_plan(const ModelConfig& m, Params& params);

// layernorm, gelu, learned positions: written by gpt2_export.
bool has_gpt2_layout(const ModelConfig& m);

// config.json and tensors of a model with has_gpt2_layout (a bias-free one gets zero biases);
// InteropError saying why it cannot be written.
HfExport gpt2_export(Model<float>& model);

}  // namespace ablate::hf
