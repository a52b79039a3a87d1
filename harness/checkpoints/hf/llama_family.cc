// The Llama family (see llama_family.h). Field names and defaults follow transformers'
// LlamaConfig / MistralConfig / Qwen2Config; tensor layouts follow modeling_llama.py.
#include "harness/checkpoints/hf/llama_family.h"

#include "harness/checkpoints/hf/rope_scaling.h"
#include "harness/common/errors.h"

namespace ablate::hf {
namespace {

// Does the architecture store this bias? (Ablate's model has every bias when config.bias, and the
// q/k/v ones when attention.qkv_bias.)
bool hf_has_bias(const std::string& arch, const Fields& f, const std::string& name) {
  const bool attention = name.find(".self_attn.") != std::string::npos;
  if (arch == "Qwen2ForCausalLM") return attention && !ends_with(name, "o_proj.bias");
  if (arch == "LlamaForCausalLM")
    return attention ? f.boolean("attention_bias", false) : f.boolean("mlp_bias", false);
  return false;
}

}  // namespace

bool is_llama_family(const std::string& arch) { return arch != "GPT2LMHeadModel"; }

void read_llama_family(const Fields& f, const std::string& arch, HfConfig& out) {
  ModelConfig& m = out.model;
  m.vocab_size = f.integer("vocab_size");
  m.d_model = f.integer("hidden_size");
  m.n_layers = f.integer("num_hidden_layers");
  const int64_t n_heads = f.integer("num_attention_heads");
  set_attention_heads(m, n_heads, f.integer("num_key_value_heads", n_heads));
  const int64_t default_context = arch == "MistralForCausalLM" ? 4096 * 32 : arch == "Qwen2ForCausalLM" ? 32768 : 2048;
  m.context = f.integer("max_position_embeddings", default_context);
  m.tie_embeddings = f.boolean("tie_word_embeddings", false);
  m.init_std = f.number("initializer_range", 0.02);
  m.norm.type = "rmsnorm";
  m.norm.eps = f.number("rms_norm_eps", 1e-6);
  m.mlp.type = "swiglu";
  m.mlp.hidden = f.integer("intermediate_size");
  const std::string act = f.string("hidden_act", "silu");
  if (act != "silu")
    fail(f.where(), "hidden_act '" + act + "' is not supported (Ablate's swiglu MLP is silu-gated)");
  if (n_heads > 0 && f.has("head_dim") && f.integer("head_dim") * n_heads != m.d_model)
    fail(f.where(), "head_dim " + std::to_string(f.integer("head_dim")) + " is not hidden_size / num_attention_heads = " +
                        std::to_string(m.d_model) + " / " + std::to_string(n_heads) + " (Ablate derives head_dim)");
  if (f.has("partial_rotary_factor") && f.number("partial_rotary_factor") != 1.0)
    fail(f.where(), "partial_rotary_factor " + format_significant(f.number("partial_rotary_factor"), 10) + " is not supported");
  m.position.type = "rope";
  // transformers v5 moves rope_theta and the scaling into rope_parameters.
  const bool v5 = f.has("rope_parameters") && f.at("rope_parameters").is_object();
  m.position.theta = f.has("rope_theta") ? f.number("rope_theta")
                     : v5 ? Fields(f.at("rope_parameters"), f.where() + ": rope_parameters").number("rope_theta", 10000.0)
                          : 10000.0;
  if (f.has("rope_scaling"))
    read_rope_scaling(f.at("rope_scaling"), f.where() + ": rope_scaling", f, m, out.notes);
  else if (v5)
    read_rope_scaling(f.at("rope_parameters"), f.where() + ": rope_parameters", f, m, out.notes);

  if (arch == "LlamaForCausalLM") {
    m.bias = f.boolean("attention_bias", false) || f.boolean("mlp_bias", false);
  } else if (arch == "Qwen2ForCausalLM") {
    m.bias = false;
    m.attention.qkv_bias = true;  // q, k, v only
    if (f.boolean("use_sliding_window", false))
      fail(f.where(), "use_sliding_window: true is not supported (Ablate attends to the whole window)");
  } else {  // Mistral
    m.bias = false;
    if (f.has("sliding_window") && f.integer("sliding_window") < m.context)
      out.notes.push_back("sliding_window " + std::to_string(f.integer("sliding_window")) +
                          " is not applied: Ablate attends to the whole window, so results equal Mistral's only for "
                          "windows of at most " + std::to_string(f.integer("sliding_window")) + " tokens");
  }
}

Plan llama_plan(const std::string& arch, const Fields& f, Params& params) {
  Plan plan;
  for (auto& [name, p] : params) {
    if (ends_with(name, ".bias") && !hf_has_bias(arch, f, name)) {
      p->value.zero();  // absent in this architecture: a zero bias computes the same function
      continue;
    }
    plan[name] = copy_into(*p);
  }
  return plan;
}

bool has_llama_layout(const ModelConfig& m) {
  return m.norm.type == "rmsnorm" && m.mlp.type == "swiglu" && m.position.type == "rope";
}

HfExport llama_export(Model<float>& model) {
  const ModelConfig& m = model.config();
  if (m.rotary_dim() != m.head_dim())
    throw InteropError("partial rotary (rotary_dim " + std::to_string(m.rotary_dim()) + " < head_dim " +
                       std::to_string(m.head_dim()) + ") has no LlamaForCausalLM equivalent");
  HfExport out;
  out.config = {{"architectures", {"LlamaForCausalLM"}},
                {"model_type", "llama"},
                {"vocab_size", m.vocab_size},
                {"hidden_size", m.d_model},
                {"intermediate_size", m.mlp_hidden()},
                {"num_hidden_layers", m.n_layers},
                {"num_attention_heads", m.attention.n_heads},
                {"num_key_value_heads", m.n_kv_heads()},
                {"head_dim", m.head_dim()},
                {"hidden_act", "silu"},
                {"max_position_embeddings", m.context},
                {"rms_norm_eps", m.norm.eps},
                {"rope_theta", m.position.theta},
                {"rope_scaling", rope_scaling_json(m)},
                {"tie_word_embeddings", m.tie_embeddings},
                {"attention_bias", m.bias},
                {"mlp_bias", m.bias},
                {"initializer_range", m.init_std},
                {"torch_dtype", "float32"}};
  if (m.attention.qkv_bias && !m.bias) {  // biases on q, k, v only: Qwen2's layout
    out.config["architectures"] = {"Qwen2ForCausalLM"};
    out.config["model_type"] = "qwen2";
    for (const char* key : {"attention_bias", "mlp_bias", "head_dim"}) out.config.erase(key);
    out.config["use_sliding_window"] = false;
  }
  for (const auto& np : model.parameters())
    out.tensors.push_back({np.name, "F32", np.param->value.shape, np.param->value.ptr()});
  return out;
}

}  // namespace ablate::hf
