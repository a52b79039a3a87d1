// Hugging Face model directories <-> Model<float> (see hf_checkpoint.h): config.json, the
// safetensors file or shards, and the dispatch to each architecture's mapping (llama_family.h, gpt2.h).
#include "harness/checkpoints/hf/hf_checkpoint.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "harness/checkpoints/hf/config_json.h"
#include "harness/checkpoints/hf/gpt2.h"
#include "harness/checkpoints/hf/llama_family.h"
#include "harness/checkpoints/hf/tensor_plan.h"
#include "harness/checkpoints/safetensors.h"
#include "harness/common/file_io.h"
#include "harness/common/format.h"
#include "harness/common/json_excerpt.h"

namespace ablate {

using namespace hf;  // this file dispatches to the architectures' helpers
namespace fs = std::filesystem;

namespace {

std::string joined(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
  return s;
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

// The name a plan knows a file tensor by.
std::string plan_name(const std::string& name, const std::string& arch) {
  return is_llama_family(arch) ? name : gpt2_plan_name(name);
}

void load_tensors(const std::string& dir, const HfConfig& hf, Plan& plan) {
  const Shards shards = find_shards(dir);
  for (const std::string& path : shards.files) {
    const SafetensorsFile file = SafetensorsFile::open(path);
    for (const std::string& name : file.names()) {
      const TensorInfo& info = file.info(name);
      const auto it = plan.find(plan_name(name, hf.architecture));
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
  HfExport out;
  try {
    if (m.embedding_scale != 1)
      throw InteropError("embedding_scale " + format_significant(m.embedding_scale, 8) +
                         ": LlamaForCausalLM and GPT2LMHeadModel add the token embeddings unscaled");
    if (has_llama_layout(m))
      out = llama_export(model);
    else if (has_gpt2_layout(m))
      out = gpt2_export(model);
    else
      throw InteropError("no supported architecture has norm " + m.norm.type + ", mlp " + m.mlp.type + ", position " +
                         m.position.type +
                         " (LlamaForCausalLM: rmsnorm, swiglu, rope; GPT2LMHeadModel: layernorm, gelu, learned)");
  } catch (const InteropError& e) {
    fail(dir, std::string("cannot write a Hugging Face model: ") + e.what());
  }
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) fail(dir, "cannot create the directory: " + ec.message());
  write_safetensors((fs::path(dir) / "model.safetensors").string(), out.tensors, {{"format", "pt"}});
  const std::string text = out.config.dump(2) + "\n";
  write_file_atomically_or_throw<InteropError>((fs::path(dir) / "config.json").string(), {{text.data(), text.size()}});
}

}  // namespace ablate
