// Hugging Face model directories: config.json + model.safetensors (or the shards named by
// model.safetensors.index.json), read into and written from a Model<float>.
//
// Architectures (config.json "architectures"[0], else "model_type"):
//   LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM   (HF modeling_llama.py / _mistral / _qwen2)
//       rmsnorm (rms_norm_eps), swiglu (intermediate_size, hidden_act silu), rope (rope_theta,
//       rope_scaling), attention num_attention_heads / num_key_value_heads, context
//       max_position_embeddings, tie_word_embeddings. Tensor names are Ablate's own.
//   GPT2LMHeadModel                                           (HF modeling_gpt2.py)
//       layernorm (layer_norm_epsilon), gelu (n_inner or 4 n_embd; activation_function gelu_new /
//       gelu_pytorch_tanh / gelu_fast -> tanh form, gelu -> erf form), learned positions (n_positions),
//       biases, tied head. Conv1D weights are stored (in, out), so every matrix is transposed, and
//       attn.c_attn (C, 3C) is the fused [q | k | v] projection, split here. Names: wte, wpe,
//       h.{i}.ln_1, h.{i}.attn.c_attn, h.{i}.attn.c_proj, h.{i}.ln_2, h.{i}.mlp.c_fc,
//       h.{i}.mlp.c_proj, ln_f (with or without a "transformer." prefix).
//
// rope_scaling (or transformers v5's rope_parameters), by "rope_type" (or "type"): the registered
// scaling whose row has that Hugging Face name (default -> none, dynamic -> dynamic_ntk, linear,
// yarn, llama3, longrope), with the row's own keys (hf/rope_scaling.h); any other type is an
// InteropError naming the supported ones.
//
// Biases: Ablate has one `bias` flag for every linear layer. Qwen2 has q/k/v biases but none on
// o_proj or the MLP, and Llama's attention_bias / mlp_bias may differ; such a model loads with
// bias: true and the biases the architecture lacks set to 0, which computes the same function
// (parameter_count() then counts those zeros too). Written back, such a model is a
// LlamaForCausalLM with attention_bias and mlp_bias.
//
// Not modelled (stated in HfConfig::notes, or an error where results would differ):
//   Mistral's sliding_window: Ablate attends to the whole window, so results equal Mistral's only
//   for windows up to sliding_window tokens (a note). Qwen2's use_sliding_window: true, a head_dim
//   other than hidden_size / num_attention_heads, partial_rotary_factor != 1, hidden_act other
//   than silu, GPT-2's scale_attn_by_inverse_layer_idx and add_cross_attention: errors.
//
// Tensors: F32, F16, BF16 (and F64) are converted to float; any other dtype is an error naming the
// tensor. Every tensor of the files must be used, except buffers (rotary_emb.inv_freq, GPT-2's
// attn.bias / attn.masked_bias) and a tied model's redundant lm_head.weight.
// Errors (InteropError, or SafetensorsError for a damaged safetensors file) name the file, and the
// tensor with the shape config.json implies and the shape found.
//
// The code beside this header: config_json.h (reading config.json), llama_family.h and gpt2.h
// (each architecture's config mapping and tensor plan, read and write), rope_scaling.h.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "components/model/model.h"
#include "harness/common/errors.h"

namespace ablate {

// The architectures read and written, in the order messages list them.
const std::vector<std::string>& hf_architectures();

struct HfConfig {
  std::string architecture;        // one of hf_architectures()
  ModelConfig model;               // resolved
  std::vector<std::string> notes;  // where Ablate's computation differs and when it matters
};

// DIR/config.json -> the model it states.
HfConfig read_hf_config(const std::string& dir);

// The model of DIR, weights from its safetensors file(s). `config` receives what read_hf_config
// returns when not null.
std::unique_ptr<Model<float>> load_hf_checkpoint(const std::string& dir, HfConfig* config = nullptr);

// Writes DIR/config.json and DIR/model.safetensors (F32), creating DIR; a Llama-style model
// (rmsnorm, swiglu, rope) as LlamaForCausalLM, a GPT-2-style one (layernorm, gelu, learned
// positions) as GPT2LMHeadModel (a bias-free one gets zero biases). Anything else, static NTK
// scaling and partial rotary included, is an InteropError saying why.
void save_hf_checkpoint(const std::string& dir, Model<float>& model);

}  // namespace ablate
