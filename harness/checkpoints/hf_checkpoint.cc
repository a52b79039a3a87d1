// Hugging Face model directories <-> Model<float> (see hf_checkpoint.h). Field names and defaults
// follow transformers' LlamaConfig / MistralConfig / Qwen2Config / GPT2Config; tensor layouts follow
// modeling_llama.py (nn.Linear, (out, in)) and modeling_gpt2.py (Conv1D, (in, out)).
#include "harness/checkpoints/hf_checkpoint.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <functional>
#include <map>
#include <set>

#include "harness/checkpoints/safetensors.h"
#include "harness/common/file_io.h"
#include "harness/common/json_excerpt.h"

namespace ablate {
namespace {

using Json = nlohmann::json;
namespace fs = std::filesystem;

[[noreturn]] void fail(const std::string& where, const std::string& what) { throw InteropError(where + ": " + what); }

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

Json read_json(const std::string& path) {
  std::string text;
  try {
    text = read_whole_file(path);
  } catch (const FileIoError& e) {
    fail(path, e.what());
  }
  try {
    return Json::parse(text);
  } catch (const Json::exception& e) {
    fail(path, std::string("not valid JSON: ") + e.what());
  }
}

// Typed access to one JSON object of config.json; a null value counts as absent (HF writes null
// for unset options). `where_` is "DIR/config.json" or "DIR/config.json: rope_scaling".
class Fields {
 public:
  Fields(const Json& object, std::string where) : j_(object), where_(std::move(where)) {
    if (!j_.is_object()) fail(where_, std::string("expected a JSON object, found ") + j_.type_name());
  }
  const std::string& where() const { return where_; }
  bool has(const std::string& key) const {
    const auto it = j_.find(key);
    return it != j_.end() && !it->is_null();
  }
  const Json& at(const std::string& key) const {
    if (!has(key)) fail(where_, "missing \"" + key + "\"");
    return j_.at(key);
  }
  // Sizes, counts and ids, which config.json holds as int32; a larger value is an error rather than
  // an overflow in the products of sizes computed from it (found by tests/fuzz).
  int64_t integer(const std::string& key) const {
    const Json& v = at(key);
    if (v.is_number_integer() || (v.is_number_float() && std::floor(v.get<double>()) == v.get<double>())) {
      const double d = v.get<double>();
      if (std::abs(d) <= 2147483647.0) return static_cast<int64_t>(d);
      fail(where_, key + ": " + json_excerpt(v) + " is out of range (at most 2147483647)");
    }
    fail(where_, key + ": expected an integer, found " + json_excerpt(v));
  }
  int64_t integer(const std::string& key, int64_t fallback) const { return has(key) ? integer(key) : fallback; }
  double number(const std::string& key) const {
    const Json& v = at(key);
    if (!v.is_number()) fail(where_, key + ": expected a number, found " + json_excerpt(v));
    return v.get<double>();
  }
  double number(const std::string& key, double fallback) const { return has(key) ? number(key) : fallback; }
  bool boolean(const std::string& key, bool fallback) const {
    if (!has(key)) return fallback;
    const Json& v = j_.at(key);
    if (!v.is_boolean()) fail(where_, key + ": expected true or false, found " + json_excerpt(v));
    return v.get<bool>();
  }
  std::string string(const std::string& key, const std::string& fallback) const {
    if (!has(key)) return fallback;
    const Json& v = j_.at(key);
    if (!v.is_string()) fail(where_, key + ": expected a string, found " + json_excerpt(v));
    return v.get<std::string>();
  }

 private:
  const Json& j_;
  std::string where_;
};

std::string joined(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
  return s;
}

std::string number_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.10g", v);
  return buf;
}

bool is_llama_family(const std::string& arch) { return arch != "GPT2LMHeadModel"; }

// ---- config.json -> ModelConfig ----

void set_attention_heads(ModelConfig& m, int64_t n_heads, int64_t n_kv_heads) {
  m.attention.n_heads = n_heads;
  if (n_kv_heads == n_heads) {
    m.attention.type = "mha";
    m.attention.n_kv_heads = 0;
  } else if (n_kv_heads == 1) {
    m.attention.type = "mqa";
    m.attention.n_kv_heads = 0;
  } else {
    m.attention.type = "gqa";
    m.attention.n_kv_heads = n_kv_heads;
  }
}

// rope_scaling (or v5's rope_parameters) -> position.scaling.
void read_rope_scaling(const Json& block, const std::string& where, ModelConfig& m, std::vector<std::string>& notes) {
  const Fields r(block, where);
  const std::string type = r.has("rope_type") ? r.string("rope_type", "") : r.string("type", "default");
  RopeScalingConfig& s = m.position.scaling;
  if (type == "default") {
    s.type = "none";
  } else if (type == "linear") {
    s.type = "linear";
    s.factor = r.number("factor");
  } else if (type == "dynamic") {
    // HF's _compute_dynamic_ntk_parameters uses M = max_position_embeddings (= model.context).
    s.type = "dynamic_ntk";
    s.factor = r.number("factor");
  } else if (type == "yarn") {
    s.type = "yarn";
    s.factor = r.number("factor");
    s.original_context = r.integer("original_max_position_embeddings", m.context);
    s.beta_fast = r.number("beta_fast", 32.0);
    s.beta_slow = r.number("beta_slow", 1.0);
    s.attention_factor = r.number("attention_factor", 0.0);
    s.mscale = r.number("mscale", 0.0);
    s.mscale_all_dim = r.number("mscale_all_dim", 0.0);
    s.truncate = r.boolean("truncate", true);
    if (r.has("original_max_position_embeddings") && s.original_context > 0 &&
        std::abs(static_cast<double>(m.context) / s.original_context - s.factor) > 1e-9)
      notes.push_back("yarn: factor " + number_text(s.factor) + " is used as given; some transformers versions derive "
                      "it as max_position_embeddings / original_max_position_embeddings = " +
                      number_text(static_cast<double>(m.context) / s.original_context));
  } else {
    fail(where, "rope_type '" + type + "' is not supported: Ablate's RoPE scalings read from config.json are "
                "default, linear, dynamic, yarn (llama3 and longrope have no Ablate equivalent)");
  }
}

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
    fail(f.where(), "partial_rotary_factor " + number_text(f.number("partial_rotary_factor")) + " is not supported");
  m.position.type = "rope";
  // transformers v5 moves rope_theta and the scaling into rope_parameters.
  const bool v5 = f.has("rope_parameters") && f.at("rope_parameters").is_object();
  m.position.theta = f.has("rope_theta") ? f.number("rope_theta")
                     : v5 ? Fields(f.at("rope_parameters"), f.where() + ": rope_parameters").number("rope_theta", 10000.0)
                          : 10000.0;
  if (f.has("rope_scaling"))
    read_rope_scaling(f.at("rope_scaling"), f.where() + ": rope_scaling", m, out.notes);
  else if (v5)
    read_rope_scaling(f.at("rope_parameters"), f.where() + ": rope_parameters", m, out.notes);

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

// ---- tensors ----

// Where one tensor of the files goes: its shape in the file, and what stores it into the model.
struct Slot {
  std::vector<int64_t> shape;
  std::function<void(const std::vector<float>&)> store;
  bool loaded = false;
};

using Plan = std::map<std::string, Slot>;
using Params = std::map<std::string, Parameter<float>*>;

Params parameters_by_name(Model<float>& model) {
  Params p;
  for (const auto& np : model.parameters()) p[np.name] = np.param;
  return p;
}

Parameter<float>& param(Params& params, const std::string& name) {
  const auto it = params.find(name);
  if (it == params.end()) throw std::logic_error("hf_checkpoint: the model has no parameter " + name);
  return *it->second;
}

// Copies a file tensor straight into a parameter of the same shape.
Slot copy_into(Parameter<float>& p) {
  return {p.value.shape, [&p](const std::vector<float>& v) { std::copy(v.begin(), v.end(), p.value.ptr()); }};
}

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

// Does the architecture store this bias? (Ablate's model has every bias when config.bias, and the
// q/k/v ones when attention.qkv_bias.)
bool hf_has_bias(const std::string& arch, const Fields& f, const std::string& name) {
  const bool attention = name.find(".self_attn.") != std::string::npos;
  if (arch == "Qwen2ForCausalLM") return attention && !ends_with(name, "o_proj.bias");
  if (arch == "LlamaForCausalLM")
    return attention ? f.boolean("attention_bias", false) : f.boolean("mlp_bias", false);
  return false;
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

// Buffers and duplicates that checkpoints carry and a model does not need.
bool ignorable(const std::string& name, const ModelConfig& m) {
  return ends_with(name, "rotary_emb.inv_freq") || ends_with(name, ".attn.bias") ||
         ends_with(name, ".attn.masked_bias") || (m.tie_embeddings && name == "lm_head.weight");
}

// The safetensors files of DIR, and (sharded) which file the index assigns each tensor to.
struct Shards {
  std::vector<std::string> files;
  std::map<std::string, std::string> index;  // tensor -> file; empty when not sharded
  std::string index_path;
};

Shards find_shards(const std::string& dir) {
  Shards s;
  const fs::path single = fs::path(dir) / "model.safetensors";
  const fs::path index = fs::path(dir) / "model.safetensors.index.json";
  if (fs::exists(single)) {
    s.files.push_back(single.string());
    return s;
  }
  if (!fs::exists(index))
    fail(dir, "no model.safetensors or model.safetensors.index.json (a pytorch_model.bin checkpoint must be "
              "converted to safetensors first)");
  s.index_path = index.string();
  const Json j = read_json(s.index_path);
  if (!j.is_object() || !j.contains("weight_map") || !j["weight_map"].is_object())
    fail(s.index_path, "expected an object with a \"weight_map\" object");
  std::set<std::string> seen;
  for (const auto& [name, file] : j["weight_map"].items()) {
    if (!file.is_string()) fail(s.index_path, "weight_map." + name + ": expected a file name, found " + json_excerpt(file));
    const std::string path = (fs::path(dir) / file.get<std::string>()).string();
    s.index[name] = path;
    if (seen.insert(path).second) s.files.push_back(path);
  }
  if (s.files.empty()) fail(s.index_path, "weight_map is empty");
  return s;
}

bool float_dtype(const std::string& dtype) {
  return dtype == "F32" || dtype == "F16" || dtype == "BF16" || dtype == "F64";
}

// GPT-2 checkpoints name tensors with or without the GPT2Model's "transformer." prefix.
std::string plan_name(const std::string& name, const HfConfig& hf) {
  const std::string prefix = "transformer.";
  if (!is_llama_family(hf.architecture) && name.compare(0, prefix.size(), prefix) == 0) return name.substr(prefix.size());
  return name;
}

void load_tensors(const std::string& dir, const HfConfig& hf, Plan& plan) {
  const Shards shards = find_shards(dir);
  for (const std::string& path : shards.files) {
    const SafetensorsFile file = SafetensorsFile::open(path);
    for (const std::string& name : file.names()) {
      const TensorInfo& info = file.info(name);
      const auto it = plan.find(plan_name(name, hf));
      if (it == plan.end()) {
        if (ignorable(name, hf.model)) continue;
        fail(path, "tensor '" + name + "' " + shape_string(info.shape) + " is not part of a " + hf.architecture +
                       " with this config.json");
      }
      Slot& slot = it->second;
      if (!float_dtype(info.dtype))
        fail(path, "tensor '" + name + "' has dtype " + info.dtype + "; expected F32, F16 or BF16");
      if (info.shape != slot.shape)
        fail(path, "tensor '" + name + "' has shape " + shape_string(info.shape) + ", expected " +
                       shape_string(slot.shape) + " from config.json");
      slot.store(file.floats(name));
      slot.loaded = true;
    }
    for (const auto& [name, assigned] : shards.index)
      if (assigned == path && !file.has(name))
        fail(shards.index_path, "names tensor '" + name + "' in " + path + ", which does not hold it");
  }
  for (const auto& [name, slot] : plan)
    if (!slot.loaded)
      fail(shards.index.empty() ? shards.files.front() : shards.index_path,
           "no tensor '" + name + "' (a " + hf.architecture + " with this config.json has one of shape " +
               shape_string(slot.shape) + ")");
}

// ---- writing ----

Json rope_scaling_json(const ModelConfig& m) {
  const RopeScalingConfig& s = m.position.scaling;
  if (s.type == "none") return nullptr;
  if (s.type == "linear") return {{"rope_type", "linear"}, {"factor", s.factor}};
  if (s.type == "dynamic_ntk") {
    if (m.rope_original_context() != m.context)
      throw InteropError("dynamic_ntk with original_context " + std::to_string(s.original_context) +
                         " != context " + std::to_string(m.context) +
                         " cannot be written: HF's dynamic scaling uses max_position_embeddings as the original context");
    return {{"rope_type", "dynamic"}, {"factor", s.factor}};
  }
  if (s.type == "yarn") {
    Json j = {{"rope_type", "yarn"},
              {"factor", s.factor},
              {"original_max_position_embeddings", m.rope_original_context()},
              {"beta_fast", s.beta_fast},
              {"beta_slow", s.beta_slow}};
    if (s.attention_factor > 0) j["attention_factor"] = s.attention_factor;
    if (s.mscale > 0) j["mscale"] = s.mscale;
    if (s.mscale_all_dim > 0) j["mscale_all_dim"] = s.mscale_all_dim;
    if (!s.truncate) j["truncate"] = false;
    return j;
  }
  throw InteropError("RoPE scaling '" + s.type + "' has no Hugging Face rope_type (linear, dynamic, yarn)");
}

struct OwnedTensor {
  std::string name;
  std::vector<int64_t> shape;
  std::vector<float> data;
};

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

const std::vector<std::string>& hf_architectures() {
  static const std::vector<std::string> names = {"LlamaForCausalLM", "MistralForCausalLM", "Qwen2ForCausalLM",
                                                 "GPT2LMHeadModel"};
  return names;
}

HfConfig read_hf_config(const std::string& dir) {
  const std::string path = (fs::path(dir) / "config.json").string();
  if (!fs::is_directory(dir)) fail(dir, "not a directory (a Hugging Face model is a directory with config.json)");
  if (!fs::exists(path)) fail(dir, "no config.json (not a Hugging Face model directory)");
  const Json j = read_json(path);
  const Fields f(j, path);
  HfConfig out;
  if (f.has("architectures")) {
    const Json& a = f.at("architectures");
    if (!a.is_array() || a.empty() || !a[0].is_string())
      fail(path, "architectures: expected a list of names, found " + json_excerpt(a));
    out.architecture = a[0].get<std::string>();
  } else {
    static const std::map<std::string, std::string> by_type = {{"llama", "LlamaForCausalLM"},
                                                               {"mistral", "MistralForCausalLM"},
                                                               {"qwen2", "Qwen2ForCausalLM"},
                                                               {"gpt2", "GPT2LMHeadModel"}};
    const std::string type = f.string("model_type", "");
    const auto it = by_type.find(type);
    out.architecture = it == by_type.end() ? "model_type '" + type + "'" : it->second;
  }
  const auto& known = hf_architectures();
  if (std::find(known.begin(), known.end(), out.architecture) == known.end())
    fail(path, "architecture '" + out.architecture + "' is not supported (supported: " + joined(known) + ")");
  if (is_llama_family(out.architecture))
    read_llama_family(f, out.architecture, out);
  else
    read_gpt2(f, out);
  try {
    out.model.resolve("model");
  } catch (const ConfigError& e) {
    fail(path, std::string("the model it states is invalid: ") + e.what());
  }
  return out;
}

std::unique_ptr<Model<float>> load_hf_checkpoint(const std::string& dir, HfConfig* config) {
  HfConfig hf = read_hf_config(dir);
  auto model = std::make_unique<Model<float>>(hf.model, 0);
  Params params = parameters_by_name(*model);
  const std::string config_path = (fs::path(dir) / "config.json").string();
  const Json j = read_json(config_path);
  const Fields f(j, config_path);
  Plan plan = is_llama_family(hf.architecture) ? llama_plan(hf.architecture, f, params) : gpt2_plan(hf.model, params);
  load_tensors(dir, hf, plan);
  if (config) *config = std::move(hf);
  return model;
}

void save_hf_checkpoint(const std::string& dir, Model<float>& model) {
  const ModelConfig& m = model.config();
  Params params = parameters_by_name(model);
  Json config;
  std::vector<OwnedTensor> owned;
  std::vector<TensorToWrite> tensors;
  const bool llama = m.norm.type == "rmsnorm" && m.mlp.type == "swiglu" && m.position.type == "rope";
  const bool gpt2 = m.norm.type == "layernorm" && m.mlp.type == "gelu" && m.position.type == "learned";
  auto refuse = [&](const std::string& why) { fail(dir, "cannot write a Hugging Face model: " + why); };
  if (llama) {
    if (m.rotary_dim() != m.head_dim())
      refuse("partial rotary (rotary_dim " + std::to_string(m.rotary_dim()) + " < head_dim " +
             std::to_string(m.head_dim()) + ") has no LlamaForCausalLM equivalent");
    Json scaling;
    try {
      scaling = rope_scaling_json(m);
    } catch (const InteropError& e) {
      refuse(e.what());
    }
    config = {{"architectures", {"LlamaForCausalLM"}},
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
              {"rope_scaling", scaling},
              {"tie_word_embeddings", m.tie_embeddings},
              {"attention_bias", m.bias},
              {"mlp_bias", m.bias},
              {"initializer_range", m.init_std},
              {"torch_dtype", "float32"}};
    if (m.attention.qkv_bias && !m.bias) {  // biases on q, k, v only: Qwen2's layout
      config["architectures"] = {"Qwen2ForCausalLM"};
      config["model_type"] = "qwen2";
      for (const char* key : {"attention_bias", "mlp_bias", "head_dim"}) config.erase(key);
      config["use_sliding_window"] = false;
    }
    for (const auto& np : model.parameters())
      tensors.push_back({np.name, "F32", np.param->value.shape, np.param->value.ptr()});
  } else if (gpt2) {
    if (m.n_kv_heads() != m.attention.n_heads)
      refuse("GPT2LMHeadModel has no grouped-query attention (n_kv_heads " + std::to_string(m.n_kv_heads()) + ")");
    config = {{"architectures", {"GPT2LMHeadModel"}},
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
    owned = gpt2_tensors(m, params);
    for (const auto& t : owned) tensors.push_back({t.name, "F32", t.shape, t.data.data()});
  } else {
    refuse("no supported architecture has norm " + m.norm.type + ", mlp " + m.mlp.type + ", position " +
           m.position.type + " (LlamaForCausalLM: rmsnorm, swiglu, rope; GPT2LMHeadModel: layernorm, gelu, learned)");
  }
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) fail(dir, "cannot create the directory: " + ec.message());
  write_safetensors((fs::path(dir) / "model.safetensors").string(), tensors, {{"format", "pt"}});
  const std::string text = config.dump(2) + "\n";
  try {
    write_file_atomically((fs::path(dir) / "config.json").string(), {{text.data(), text.size()}});
  } catch (const FileIoError& e) {
    fail((fs::path(dir) / "config.json").string(), e.what());
  }
}

}  // namespace ablate
