// GPT2LMHeadModel (see gpt2.h). Field names and defaults follow transformers' GPT2Config; tensor
// layouts follow modeling_gpt2.py (Conv1D, (in, out)).
#include "harness/checkpoints/hf/gpt2.h"

#include "harness/common/errors.h"

namespace ablate::hf {
namespace {

// Rows [col0, col0 + out) of the transpose of a Conv1D weight (in, total) -> p (out, in).
Slot transpose_into(std::vector<Parameter<float>*> parts, int64_t in, int64_t out) {
  const int64_t total = out * static_cast<int64_t>(parts.size());
  return {{in, total}, [parts, in, out, total](const std::vector<float>& v) {
            for (size_t k = 0; k < parts.size(); ++k) {
              float* dst = parts[k]->value.ptr();
              for (int64_t o = 0; o < out; ++o)
                for (int64_t i = 0; i < in; ++i) dst[o * in + i] = v[i * total + static_cast<int64_t>(k) * out + o];
            }
          }};
}

// A bias of `parts.size()` concatenated pieces of length n.
Slot split_into(std::vector<Parameter<float>*> parts, int64_t n) {
  return {{n * static_cast<int64_t>(parts.size())}, [parts, n](const std::vector<float>& v) {
            for (size_t k = 0; k < parts.size(); ++k)
              std::copy(v.begin() + static_cast<int64_t>(k) * n, v.begin() + static_cast<int64_t>(k + 1) * n,
                        parts[k]->value.ptr());
          }};
}

// (out, in) parameters -> one Conv1D weight (in, sum of outs).
OwnedTensor conv1d(const std::string& name, const std::vector<const Parameter<float>*>& parts) {
  const int64_t in = parts[0]->value.shape[1];
  int64_t total = 0;
  for (const auto* p : parts) total += p->value.shape[0];
  OwnedTensor t{name, {in, total}, std::vector<float>(static_cast<size_t>(in * total))};
  int64_t col0 = 0;
  for (const auto* p : parts) {
    const int64_t out = p->value.shape[0];
    for (int64_t o = 0; o < out; ++o)
      for (int64_t i = 0; i < in; ++i) t.data[i * total + col0 + o] = p->value.data[o * in + i];
    col0 += out;
  }
  return t;
}

OwnedTensor concatenated(const std::string& name, const std::vector<const Parameter<float>*>& parts, int64_t n) {
  OwnedTensor t{name, {n * static_cast<int64_t>(parts.size())}, {}};
  for (const auto* p : parts) {
    if (p)
      t.data.insert(t.data.end(), p->value.data.begin(), p->value.data.end());
    else
      t.data.insert(t.data.end(), static_cast<size_t>(n), 0.0f);
  }
  return t;
}

std::vector<OwnedTensor> gpt2_tensors(const ModelConfig& m, Params& params) {
  const int64_t C = m.d_model;
  auto P = [&](const std::string& n) -> const Parameter<float>* { return &param(params, n); };
  auto B = [&](const std::string& n) -> const Parameter<float>* {  // absent biases are written as zeros
    const auto it = params.find(n);
    return it == params.end() ? nullptr : it->second;
  };
  auto copy = [&](const std::string& name, const Parameter<float>* p) {
    return OwnedTensor{name, p->value.shape, p->value.data};
  };
  std::vector<OwnedTensor> t;
  t.push_back(copy("wte.weight", P("model.embed_tokens.weight")));
  t.push_back(copy("wpe.weight", P("model.embed_positions.weight")));
  for (int64_t l = 0; l < m.n_layers; ++l) {
    const std::string h = "h." + std::to_string(l) + ".";
    const std::string a = "model.layers." + std::to_string(l) + ".";
    for (const char* w : {"weight", "bias"}) {
      t.push_back(copy(h + "ln_1." + w, P(a + "input_layernorm." + w)));
      t.push_back(copy(h + "ln_2." + w, P(a + "post_attention_layernorm." + w)));
    }
    t.push_back(conv1d(h + "attn.c_attn.weight",
                       {P(a + "self_attn.q_proj.weight"), P(a + "self_attn.k_proj.weight"), P(a + "self_attn.v_proj.weight")}));
    t.push_back(concatenated(h + "attn.c_attn.bias",
                             {B(a + "self_attn.q_proj.bias"), B(a + "self_attn.k_proj.bias"), B(a + "self_attn.v_proj.bias")}, C));
    t.push_back(conv1d(h + "attn.c_proj.weight", {P(a + "self_attn.o_proj.weight")}));
    t.push_back(concatenated(h + "attn.c_proj.bias", {B(a + "self_attn.o_proj.bias")}, C));
    t.push_back(conv1d(h + "mlp.c_fc.weight", {P(a + "mlp.up_proj.weight")}));
    t.push_back(concatenated(h + "mlp.c_fc.bias", {B(a + "mlp.up_proj.bias")}, m.mlp_hidden()));
    t.push_back(conv1d(h + "mlp.c_proj.weight", {P(a + "mlp.down_proj.weight")}));
    t.push_back(concatenated(h + "mlp.c_proj.bias", {B(a + "mlp.down_proj.bias")}, C));
  }
  for (const char* w : {"weight", "bias"}) t.push_back(copy(std::string("ln_f.") + w, P(std::string("model.norm.") + w)));
  if (!m.tie_embeddings) t.push_back(copy("lm_head.weight", P("lm_head.weight")));
  return t;
}

}  // namespace

void read_gpt2(const Fields& f, HfConfig& out) {
  ModelConfig& m = out.model;
  m.vocab_size = f.integer("vocab_size");
  m.d_model = f.integer("n_embd");
  m.n_layers = f.integer("n_layer");
  set_attention_heads(m, f.integer("n_head"), f.integer("n_head"));
  m.context = f.integer("n_positions");
  m.tie_embeddings = f.boolean("tie_word_embeddings", true);
  m.bias = true;
  m.init_std = f.number("initializer_range", 0.02);
  m.norm.type = "layernorm";
  m.norm.eps = f.number("layer_norm_epsilon", 1e-5);
  m.mlp.type = "gelu";
  m.mlp.hidden = f.integer("n_inner", 4 * m.d_model);
  const std::string act = f.string("activation_function", "gelu_new");
  if (act == "gelu_new" || act == "gelu_pytorch_tanh" || act == "gelu_fast") {
    m.mlp.form = "tanh";
  } else if (act == "gelu") {
    m.mlp.form = "erf";
  } else {
    fail(f.where(), "activation_function '" + act + "' is not supported (gelu_new, gelu_pytorch_tanh, gelu_fast, gelu)");
  }
  m.position.type = "learned";
  if (!f.boolean("scale_attn_weights", true))
    fail(f.where(), "scale_attn_weights: false is not supported (Ablate scales attention by 1/sqrt(head_dim))");
  if (f.boolean("scale_attn_by_inverse_layer_idx", false))
    fail(f.where(), "scale_attn_by_inverse_layer_idx: true is not supported");
  if (f.boolean("add_cross_attention", false)) fail(f.where(), "add_cross_attention: true is not supported");
}

std::string gpt2_plan_name(const std::string& name) {
  const std::string prefix = "transformer.";
  if (name.compare(0, prefix.size(), prefix) == 0) return name.substr(prefix.size());
  return name;
}

Plan gpt2_plan(const ModelConfig& m, Params& params) {
  Plan plan;
  const int64_t C = m.d_model, H = m.mlp_hidden();
  auto P = [&](const std::string& n) { return &param(params, n); };
  plan["wte.weight"] = copy_into(*P("model.embed_tokens.weight"));
  plan["wpe.weight"] = copy_into(*P("model.embed_positions.weight"));
  for (int64_t l = 0; l < m.n_layers; ++l) {
    const std::string h = "h." + std::to_string(l) + ".";
    const std::string a = "model.layers." + std::to_string(l) + ".";
    for (const char* w : {"weight", "bias"}) {
      plan[h + "ln_1." + w] = copy_into(*P(a + "input_layernorm." + w));
      plan[h + "ln_2." + w] = copy_into(*P(a + "post_attention_layernorm." + w));
    }
    plan[h + "attn.c_attn.weight"] = transpose_into(
        {P(a + "self_attn.q_proj.weight"), P(a + "self_attn.k_proj.weight"), P(a + "self_attn.v_proj.weight")}, C, C);
    plan[h + "attn.c_attn.bias"] =
        split_into({P(a + "self_attn.q_proj.bias"), P(a + "self_attn.k_proj.bias"), P(a + "self_attn.v_proj.bias")}, C);
    plan[h + "attn.c_proj.weight"] = transpose_into({P(a + "self_attn.o_proj.weight")}, C, C);
    plan[h + "attn.c_proj.bias"] = copy_into(*P(a + "self_attn.o_proj.bias"));
    plan[h + "mlp.c_fc.weight"] = transpose_into({P(a + "mlp.up_proj.weight")}, C, H);
    plan[h + "mlp.c_fc.bias"] = copy_into(*P(a + "mlp.up_proj.bias"));
    plan[h + "mlp.c_proj.weight"] = transpose_into({P(a + "mlp.down_proj.weight")}, H, C);
    plan[h + "mlp.c_proj.bias"] = copy_into(*P(a + "mlp.down_proj.bias"));
  }
  for (const char* w : {"weight", "bias"}) plan[std::string("ln_f.") + w] = copy_into(*P(std::string("model.norm.") + w));
  if (!m.tie_embeddings) plan["lm_head.weight"] = copy_into(*P("lm_head.weight"));
  return plan;
}

bool has_gpt2_layout(const ModelConfig& m) {
  return m.norm.type == "layernorm" && m.mlp.type == "gelu" && m.position.type == "learned";
}

HfExport gpt2_export(Model<float>& model) {
  const ModelConfig& m = model.config();
  if (m.n_kv_heads() != m.attention.n_heads)
    throw InteropError("GPT2LMHeadModel has no grouped-query attention (n_kv_heads " + std::to_string(m.n_kv_heads()) +
                       ")");
  Params params = parameters_by_name(model);
  HfExport out;
  out.config = {{"architectures", {"GPT2LMHeadModel"}},
                {"model_type", "gpt2"},
                {"vocab_size", m.vocab_size},
                {"n_embd", m.d_model},
                {"n_layer", m.n_layers},
                {"n_head", m.attention.n_heads},
                {"n_positions", m.context},
                {"n_ctx", m.context},
                {"n_inner", m.mlp_hidden()},
                {"activation_function", m.mlp.form == "erf" ? "gelu" : "gelu_new"},
                {"layer_norm_epsilon", m.norm.eps},
                {"tie_word_embeddings", m.tie_embeddings},
                {"scale_attn_weights", true},
                {"initializer_range", m.init_std},
                {"torch_dtype", "float32"}};
  out.owned = gpt2_tensors(m, params);
  for (const auto& t : out.owned) out.tensors.push_back({t.name, "F32", t.shape, t.data.data()});
  return out;
}

}  // namespace ablate::hf
