// The Llama family: LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM (HF modeling_llama.py,
// _mistral, _qwen2). config.json -> ModelConfig, the tensor plan (tensor names are Ablate's own,
// nn.Linear (out, in)), and the writer (LlamaForCausalLM, or Qwen2ForCausalLM for q/k/v-only biases).
#pragma once

#include <string>

#include "components/model/model.h"
#include "harness/checkpoints/hf/config_json.h"
#include "harness/checkpoints/hf/hf_checkpoint.h"
#include "harness/checkpoints/hf/tensor_plan.h"

namespace ablate::hf {

// Every architecture of hf_architectures() but GPT2LMHeadModel.
bool is_llama_family(const std::string& arch);

// config.json's fields -> out.model (and out.notes); InteropError for what Ablate cannot compute.
void read_llama_family(const Fields& f, const std::string& arch, HfConfig& out);

// The tensors of an `arch` checkpoint with config.json `f` -> the parameters; biases the
// architecture lacks are set to 0 and left out of the plan.
Plan llama_plan(const std::string& arch, const Fields& f, Params& params);

// rmsnorm, swiglu, rope: written by llama_export.
bool has_llama_layout(const ModelConfig& m);

// config.json and tensors of a model with has_llama_layout; InteropError saying why it cannot be written.
HfExport llama_export(Model<float>& model);

}  // namespace ablate::hf
