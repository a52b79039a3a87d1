// Foreign checkpoints: Hugging Face Llama (yarn; llama3 in both config forms; longrope) / Mistral
// (sharded) / Qwen2 / GPT-2 directories and llama2.c .bin files written by
// tests/reference/make_interop.py, whose independent PyTorch forward passes give the logits Ablate
// must reproduce (1e-4 relative); a perplexity window of the dynamic-NTK Qwen2 reference scoring the
// NLL of its T-token forward pass (seq_len = T, as Hugging Face runs it); conversions between the
// formats that keep the logits;
// `ablate convert` then `ablate eval`; and every bad input with its message.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <map>
#include <sstream>

#include "components/model/registry.h"
#include "experiments/cli.h"
#include "harness/checkpoints/checkpoint_formats.h"
#include "harness/checkpoints/hf/hf_checkpoint.h"
#include "harness/checkpoints/llama2c_checkpoint.h"
#include "harness/checkpoints/safetensors.h"
#include "harness/config/model_yaml.h"
#include "harness/eval/perplexity.h"
#include "tests/test_support.h"

namespace ablate {
namespace {

using testing::message_of;

namespace fs = std::filesystem;
using testing::read_bytes;
using testing::relative_error;
using testing::write_bytes;

std::string interop(const std::string& name) {
  return std::string(ABLATE_SOURCE_DIR) + "/tests/reference/interop/" + name;
}

// The reference's input tokens and logits for NAME.
struct Reference {
  std::vector<int32_t> tokens;
  std::vector<float> logits;
};

Reference reference(const std::string& name) {
  const SafetensorsFile f = SafetensorsFile::open(interop("logits.safetensors"));
  return {f.ints(name + ".input_ids"), f.floats(name + ".logits")};
}

std::vector<float> logits_of(Model<float>& model, const std::vector<int32_t>& tokens) {
  return model.forward(tokens.data(), 1, static_cast<int64_t>(tokens.size())).data;
}

// The path make_interop.py wrote NAME to.
std::string reference_path(const std::string& name) {
  return name.rfind("llama2c", 0) == 0 ? interop(name + ".bin") : interop(name);
}

class ForeignReference : public ::testing::TestWithParam<std::string> {};

TEST_P(ForeignReference, LogitsMatchTheIndependentForwardPass) {
  const Reference ref = reference(GetParam());
  const LoadedModel loaded = load_model_checkpoint(reference_path(GetParam()));
  const double error = relative_error(logits_of(*loaded.model, ref.tokens), ref.logits);
  EXPECT_LE(error, 1e-4);
  std::printf("interop %-17s logits rel err %.2e\n", GetParam().c_str(), error);
}

TEST_P(ForeignReference, EveryConversionKeepsTheLogits) {
  const Reference ref = reference(GetParam());
  LoadedModel loaded = load_model_checkpoint(reference_path(GetParam()));
  const std::vector<float> expected = logits_of(*loaded.model, ref.tokens);
  const ModelConfig& m = loaded.model->config();
  const bool llama2c_compatible = m.norm.type == "rmsnorm" && m.position.scaling.type == "none" && !m.bias &&
                                  m.norm.eps == 1e-5 && m.position.theta == 10000.0;
  const std::string dir = ::testing::TempDir() + "ablate_interop_" + GetParam();
  fs::remove_all(dir);
  fs::create_directories(dir);
  ExperimentConfig experiment;
  experiment.name = "converted";
  experiment.model = m;
  std::vector<std::pair<std::string, CheckpointFormat>> targets = {{dir + "/a.safetensors", CheckpointFormat::kAblate},
                                                                   {dir + "/hf", CheckpointFormat::kHuggingFace}};
  if (llama2c_compatible) targets.push_back({dir + "/m.bin", CheckpointFormat::kLlama2c});
  for (const auto& [path, format] : targets) {
    save_model_checkpoint(path, format, *loaded.model, experiment);
    const LoadedModel back = load_model_checkpoint(path);
    EXPECT_EQ(back.format, format) << path;
    EXPECT_EQ(logits_of(*back.model, ref.tokens), expected) << format_name(format);
  }
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Interop, ForeignReference,
                         ::testing::Values("llama", "mistral", "qwen2", "gpt2", "llama2c_shared", "llama2c_unshared",
                                           "llama2c_v1"));

// RoPE scalings beyond the first HF readers: llama3 in transformers 4.x's rope_scaling and 5's
// rope_parameters (rope_theta inside it), and Phi-3-style longrope (original_max_position_embeddings
// at the top level; the 24-token sequence is past it, so the long factors apply).
INSTANTIATE_TEST_SUITE_P(RopeScalings, ForeignReference, ::testing::Values("llama3", "llama3_v5", "longrope"));

// Dynamic NTK as Hugging Face's "perplexity of fixed-length models" runs a window: the model sees all
// T tokens (seq_len = T, labels shifted inside), so the base is _compute_dynamic_ntk_parameters'
// b·((s·L/M) − (s − 1))^(d/(d−2)) with L = max(T, M). The Qwen2 reference (factor 2, M = 16) gives
// the float64 logits of its 24-token forward pass; a window of those 24 tokens must score their
// NLL, which a run of the 23 input tokens alone (base from L = 23) misses.
TEST(HfDynamicNtk, AWindowOfTTokensRunsTheModelOnT) {
  const Reference ref = reference("qwen2");
  const LoadedModel loaded = load_model_checkpoint(reference_path("qwen2"));
  ASSERT_EQ(loaded.model->config().position.scaling.type, "dynamic_ntk");
  const int64_t T = static_cast<int64_t>(ref.tokens.size()), V = loaded.model->config().vocab_size;
  ASSERT_GT(T, loaded.model->config().rope_original_context());
  auto nll_of = [&](const std::vector<float>& logits) {  // Σ_t −log softmax(logits_t)[token_{t+1}]
    double sum = 0;
    for (int64_t t = 0; t + 1 < T; ++t) {
      const float* z = logits.data() + t * V;
      double max = z[0], total = 0;
      for (int64_t v = 1; v < V; ++v) max = std::max(max, double(z[v]));
      for (int64_t v = 0; v < V; ++v) total += std::exp(double(z[v]) - max);
      sum += max + std::log(total) - double(z[ref.tokens[t + 1]]);
    }
    return sum;
  };
  const double expected = nll_of(ref.logits);
  PerplexityOptions window;
  window.windowing = "hf_strided";
  window.window = T;
  window.stride = T;
  const PerplexityResult r = evaluate_perplexity(*loaded.model, ref.tokens, window);
  ASSERT_EQ(r.tokens, T - 1);
  const double error = std::abs(r.nll_sum - expected) / expected;
  const std::vector<int32_t> inputs(ref.tokens.begin(), ref.tokens.end() - 1);
  std::vector<float> short_logits = logits_of(*loaded.model, inputs);
  short_logits.resize(ref.logits.size());  // the last row is never read
  const double short_error = std::abs(nll_of(short_logits) - expected) / expected;
  std::printf("dynamic NTK window NLL rel err %.2e (a %lld-token run: %.2e)\n", error, static_cast<long long>(T - 1),
              short_error);
  EXPECT_LE(error, 1e-6);
  EXPECT_GT(short_error, 100 * error);
}

TEST(HfConfig, MapsEachArchitecture) {
  const HfConfig llama = read_hf_config(interop("llama"));
  EXPECT_EQ(llama.architecture, "LlamaForCausalLM");
  EXPECT_EQ(llama.model.attention.type, "gqa");
  EXPECT_EQ(llama.model.n_kv_heads(), 2);
  EXPECT_EQ(llama.model.position.scaling.type, "yarn");
  EXPECT_EQ(llama.model.position.scaling.original_context, 16);
  EXPECT_EQ(llama.model.context, 64);
  EXPECT_FALSE(llama.model.tie_embeddings);
  EXPECT_EQ(llama.model.norm.eps, 1e-6);

  const HfConfig qwen = read_hf_config(interop("qwen2"));
  EXPECT_FALSE(qwen.model.bias);
  EXPECT_TRUE(qwen.model.attention.qkv_bias);
  EXPECT_EQ(qwen.model.attention.type, "mqa");
  EXPECT_EQ(qwen.model.position.scaling.type, "dynamic_ntk");
  EXPECT_EQ(qwen.model.position.theta, 1e6);

  const HfConfig gpt2 = read_hf_config(interop("gpt2"));
  EXPECT_EQ(gpt2.model.norm.type, "layernorm");
  EXPECT_EQ(gpt2.model.mlp.type, "gelu");
  EXPECT_EQ(gpt2.model.mlp.form, "tanh");
  EXPECT_EQ(gpt2.model.mlp.hidden, 128);
  EXPECT_EQ(gpt2.model.position.type, "learned");
  EXPECT_TRUE(gpt2.model.tie_embeddings);

  const ModelConfig c = read_llama2c_config(interop("llama2c_unshared.bin"));
  EXPECT_FALSE(c.tie_embeddings);
  EXPECT_EQ(c.context, 32);
  EXPECT_EQ(c.mlp.hidden, 48);
  EXPECT_EQ(c.n_kv_heads(), 2);
}

TEST(HfConfig, MapsLlama3AndLongropeScalings) {
  const ModelConfig llama3 = read_hf_config(interop("llama3")).model;
  EXPECT_EQ(llama3.position.scaling.type, "llama3");
  EXPECT_EQ(llama3.position.scaling.factor, 8.0);
  EXPECT_EQ(llama3.rope_original_context(), 64);
  EXPECT_EQ(llama3.context, 512);

  const ModelConfig v5 = read_hf_config(interop("llama3_v5")).model;
  EXPECT_EQ(v5.position.scaling.type, "llama3");
  EXPECT_EQ(v5.position.scaling.factor, 4.0);
  EXPECT_EQ(v5.rope_original_context(), 128);
  EXPECT_EQ(v5.position.theta, 500000.0);

  // Phi-3 style: no factor in the block; it is max_position_embeddings / original_max_position_embeddings.
  const ModelConfig longrope = read_hf_config(interop("longrope")).model;
  EXPECT_EQ(longrope.position.scaling.type, "longrope");
  EXPECT_EQ(longrope.position.scaling.factor, 4.0);
  EXPECT_EQ(longrope.rope_original_context(), 16);
  EXPECT_EQ(longrope.context, 64);
}

TEST(HfCheckpoint, Qwen2HasExactlyItsQkvBiases) {
  // The model holds the q/k/v biases and nothing Qwen2 lacks: its parameters are the file's tensors.
  HfConfig hf;
  auto model = load_hf_checkpoint(interop("qwen2"), &hf);
  const auto file = SafetensorsFile::open(interop("qwen2") + "/model.safetensors");
  int64_t file_elements = 0;
  for (const auto& name : file.names()) {
    int64_t n = 1;
    for (int64_t d : file.info(name).shape) n *= d;
    file_elements += n;
  }
  EXPECT_EQ(model->parameter_count(), file_elements);
  int biases = 0;
  for (const auto& p : model->parameters()) {
    if (p.name.find(".bias") == std::string::npos) continue;
    ++biases;
    EXPECT_NE(p.name.find("self_attn."), std::string::npos) << p.name;
    EXPECT_EQ(p.name.find("o_proj"), std::string::npos) << p.name;
  }
  EXPECT_EQ(biases, 3 * model->config().n_layers);
}

class InteropErrors : public testing::TempDirTest {
 protected:
  // A tiny random Llama (vocabulary 300, run.c's eps 1e-5) saved as llama2.c's tiny.bin; its config.
  ModelConfig write_tiny_llama2c() {
    ModelConfig c = testing::tiny_config("llama");
    c.vocab_size = 300;
    c.norm.eps = 1e-5;
    c.resolve();
    Model<float> model(c, 3);
    save_llama2c_checkpoint(file("tiny.bin"), model);
    return c;
  }
  // A copy of the reference directory NAME in the temp dir.
  std::string copy_reference(const std::string& name) {
    const std::string dir = file(name);
    fs::copy(interop(name), dir, fs::copy_options::recursive);
    return dir;
  }
  void edit_config(const std::string& dir, const std::function<void(nlohmann::json&)>& edit) {
    nlohmann::json j = nlohmann::json::parse(read_bytes(dir + "/config.json"));
    edit(j);
    write_bytes(dir + "/config.json", j.dump(2));
  }
  // Rewrites DIR/model.safetensors through `edit` (names -> F32 tensors), written as F32 (or I32).
  void rewrite_tensors(const std::string& dir,
                       const std::function<void(std::map<std::string, std::pair<std::vector<int64_t>, std::vector<float>>>&)>&
                           edit,
                       const std::string& int_tensor = "") {
    const std::string path = dir + "/model.safetensors";
    std::map<std::string, std::pair<std::vector<int64_t>, std::vector<float>>> tensors;
    {
      const SafetensorsFile f = SafetensorsFile::open(path);
      for (const auto& name : f.names())
        if (f.info(name).dtype != "U8") tensors[name] = {f.info(name).shape, f.floats(name)};
    }
    edit(tensors);
    std::vector<std::vector<int32_t>> ints;
    std::vector<TensorToWrite> out;
    for (const auto& [name, t] : tensors) {
      if (name == int_tensor) {
        ints.emplace_back(t.second.size(), 1);
        out.push_back({name, "I32", t.first, ints.back().data()});
      } else {
        out.push_back({name, "F32", t.first, t.second.data()});
      }
    }
    write_safetensors(path, out);
  }
};

TEST_F(InteropErrors, UnknownArchitectureListsTheSupportedOnes) {
  const std::string dir = copy_reference("llama");
  edit_config(dir, [](nlohmann::json& j) { j["architectures"] = {"FalconForCausalLM"}; });
  const std::string m = message_of([&] { load_hf_checkpoint(dir); });
  EXPECT_CONTAINS(m, "config.json: architecture 'FalconForCausalLM' is not supported");
  for (const auto& arch : hf_architectures()) EXPECT_CONTAINS(m, arch);
}

TEST_F(InteropErrors, UnknownRopeTypeListsTheSupportedOnes) {
  const std::string dir = copy_reference("llama");
  edit_config(dir, [](nlohmann::json& j) { j["rope_scaling"] = {{"rope_type", "su_v9"}, {"factor", 8.0}}; });
  const std::string m = message_of([&] { read_hf_config(dir); });
  EXPECT_CONTAINS(m, "rope_scaling: rope_type 'su_v9' is not supported");
  // Every registered scaling that has a Hugging Face rope_type (its registry row), in registry order.
  std::string supported;
  for (const VariantRow& row : registered_variants())
    if (row.slot == "position.scaling" && !row.hf_name.empty()) supported += (supported.empty() ? "" : ", ") + row.hf_name;
  EXPECT_CONTAINS(m, supported);
}

// Found by tests/fuzz: 4 * n_embd and head_dim * num_attention_heads overflowed int64 (undefined).
TEST_F(InteropErrors, HugeSizesAreOutOfRange) {
  const std::string gpt2 = copy_reference("gpt2");
  edit_config(gpt2, [](nlohmann::json& j) { j["n_embd"] = 4444444444444444444; });
  EXPECT_CONTAINS(message_of([&] { read_hf_config(gpt2); }),
                  "config.json: n_embd: 4444444444444444444 is out of range (at most 2147483647)");
  const std::string llama = copy_reference("llama");
  edit_config(llama, [](nlohmann::json& j) { j["head_dim"] = 1e300; });
  EXPECT_CONTAINS(message_of([&] { read_hf_config(llama); }), "config.json: head_dim: 1e+300 is out of range");
  edit_config(llama, [](nlohmann::json& j) { j["head_dim"] = 2.5; });
  EXPECT_CONTAINS(message_of([&] { read_hf_config(llama); }), "config.json: head_dim: expected an integer, found 2.5");
}

TEST_F(InteropErrors, MissingTensorNamesItAndItsShape) {
  const std::string dir = copy_reference("qwen2");
  rewrite_tensors(dir, [](auto& t) { t.erase("model.layers.1.mlp.up_proj.weight"); });
  const std::string m = message_of([&] { load_hf_checkpoint(dir); });
  EXPECT_CONTAINS(m, "no tensor 'model.layers.1.mlp.up_proj.weight'");
  EXPECT_CONTAINS(m, "[56, 32]");
}

TEST_F(InteropErrors, TensorTheArchitectureLacksIsAnError) {
  const std::string dir = copy_reference("qwen2");
  rewrite_tensors(dir, [](auto& t) { t["model.layers.0.self_attn.o_proj.bias"] = {{32}, std::vector<float>(32, 0.5f)}; });
  const std::string m = message_of([&] { load_hf_checkpoint(dir); });
  EXPECT_CONTAINS(m, "tensor 'model.layers.0.self_attn.o_proj.bias' [32] is not part of a Qwen2ForCausalLM");
}

TEST_F(InteropErrors, WrongDtypeNamesTheTensor) {
  const std::string dir = copy_reference("qwen2");
  rewrite_tensors(dir, [](auto&) {}, "model.norm.weight");
  const std::string m = message_of([&] { load_hf_checkpoint(dir); });
  EXPECT_CONTAINS(m, "tensor 'model.norm.weight' has dtype I32; expected F32, F16 or BF16");
}

TEST_F(InteropErrors, ConfigTensorShapeMismatchGivesBothShapes) {
  const std::string dir = copy_reference("qwen2");
  edit_config(dir, [](nlohmann::json& j) { j["intermediate_size"] = 64; });
  const std::string m = message_of([&] { load_hf_checkpoint(dir); });
  EXPECT_CONTAINS(m, "qwen2/model.safetensors: tensor 'model.layers.0.mlp.down_proj.weight' has shape [32, 56], "
                     "expected [32, 64] from config.json");

  const std::string gpt2 = copy_reference("gpt2");
  edit_config(gpt2, [](nlohmann::json& j) { j["n_inner"] = 96; });
  EXPECT_CONTAINS(message_of([&] { load_hf_checkpoint(gpt2); }),
                  "tensor 'h.0.mlp.c_fc.bias' has shape [128], expected [96] from config.json");
}

TEST_F(InteropErrors, TruncatedFileAndHeaderBeyondTheFile) {
  const std::string dir = copy_reference("gpt2");
  const std::string path = dir + "/model.safetensors";
  const std::string bytes = read_bytes(path);
  write_bytes(path, bytes.substr(0, bytes.size() - 100));
  EXPECT_CONTAINS(message_of([&] { load_hf_checkpoint(dir); }), "truncated");

  std::string header_beyond = bytes;
  const uint64_t huge = bytes.size() + 1000;
  std::memcpy(header_beyond.data(), &huge, 8);
  write_bytes(path, header_beyond);
  EXPECT_CONTAINS(message_of([&] { load_hf_checkpoint(dir); }),
                  "header length " + std::to_string(huge) + " runs past the end of the file");
}

TEST_F(InteropErrors, ShardsMustHoldWhatTheIndexNames) {
  const std::string dir = copy_reference("mistral");
  nlohmann::json index = nlohmann::json::parse(read_bytes(dir + "/model.safetensors.index.json"));
  index["weight_map"]["model.layers.1.extra.weight"] = "model-00002-of-00002.safetensors";
  write_bytes(dir + "/model.safetensors.index.json", index.dump());
  EXPECT_CONTAINS(message_of([&] { load_hf_checkpoint(dir); }), "names tensor 'model.layers.1.extra.weight'");

  fs::remove(dir + "/model-00002-of-00002.safetensors");
  EXPECT_CONTAINS(message_of([&] { load_hf_checkpoint(dir); }), "model-00002-of-00002.safetensors");

  fs::remove(dir + "/model.safetensors.index.json");
  EXPECT_CONTAINS(message_of([&] { load_hf_checkpoint(dir); }), "no model.safetensors or model.safetensors.index.json");
}

TEST_F(InteropErrors, Gpt2TensorsMayCarryTheTransformerPrefix) {
  const std::string dir = copy_reference("gpt2");
  rewrite_tensors(dir, [](auto& t) {
    std::map<std::string, std::pair<std::vector<int64_t>, std::vector<float>>> renamed;
    for (auto& [name, v] : t) renamed["transformer." + name] = v;
    t = renamed;
  });
  const Reference ref = reference("gpt2");
  auto model = load_hf_checkpoint(dir);
  EXPECT_LE(relative_error(logits_of(*model, ref.tokens), ref.logits), 1e-4);
}

TEST_F(InteropErrors, Llama2cBadFiles) {
  const std::string bytes = read_bytes(interop("llama2c_shared.bin"));
  write_bytes(file("short.bin"), bytes.substr(0, bytes.size() - 8));
  const std::string m = message_of([&] { load_llama2c_checkpoint(file("short.bin")); });
  EXPECT_CONTAINS(m, "truncated: the header (dim=32, hidden_dim=48, n_layers=2, n_heads=4, n_kv_heads=2, vocab_size=64, "
                     "seq_len=32, shared classifier) implies " + std::to_string(bytes.size()) + " bytes, the file has " +
                     std::to_string(bytes.size() - 8));

  write_bytes(file("long.bin"), bytes + "xxxx");
  EXPECT_CONTAINS(message_of([&] { load_llama2c_checkpoint(file("long.bin")); }), "(4 extra;");

  std::string zero_dim = bytes;
  std::memset(zero_dim.data(), 0, 4);
  write_bytes(file("zero.bin"), zero_dim);
  EXPECT_CONTAINS(message_of([&] { load_llama2c_checkpoint(file("zero.bin")); }),
                  "not a llama2.c checkpoint: header field dim = 0");

  std::string v2 = read_bytes(interop("llama2c_v1.bin"));
  v2[4] = 2;
  write_bytes(file("v2.bin"), v2);
  EXPECT_CONTAINS(message_of([&] { load_llama2c_checkpoint(file("v2.bin")); }), "export version 2 is not read");

  // A freq_cis table of another theta: run.c would compute a different model.
  std::string theta = bytes;
  const size_t cos_row1 = theta.size() - 2 * 32 * 4 * 4 + 4 * 4;  // freq_cis_real[1][0]
  const float wrong = 0.25f;
  std::memcpy(theta.data() + cos_row1, &wrong, 4);
  write_bytes(file("theta.bin"), theta);
  EXPECT_CONTAINS(message_of([&] { load_llama2c_checkpoint(file("theta.bin")); }), "is not RoPE with theta 10000");
}

TEST_F(InteropErrors, FormatsRefuseModelsTheyCannotExpress) {
  auto gpt2 = load_hf_checkpoint(interop("gpt2"));
  EXPECT_CONTAINS(message_of([&] { save_llama2c_checkpoint(file("g.bin"), *gpt2); }),
                  "llama2.c models are rmsnorm + swiglu + rope, this one is layernorm + gelu + learned");
  auto llama = load_hf_checkpoint(interop("llama"));
  EXPECT_CONTAINS(message_of([&] { save_llama2c_checkpoint(file("l.bin"), *llama); }), "run.c fixes rmsnorm eps 1e-5");
  ModelConfig c = testing::tiny_config("llama");
  c.position.scaling.type = "ntk";
  c.position.scaling.factor = 2;
  Model<float> ntk(c, 0);
  EXPECT_CONTAINS(message_of([&] { save_hf_checkpoint(file("hf"), ntk); }), "RoPE scaling 'ntk' has no Hugging Face rope_type");
  EXPECT_FALSE(fs::exists(file("g.bin")) || fs::exists(file("l.bin")) || fs::exists(file("hf/config.json")));
}

// The user's path: `ablate convert` a llama2.c file to an Ablate checkpoint, then `ablate eval`
// with a config whose model section is what convert printed.
TEST_F(InteropErrors, ConvertThenEvalThroughTheCli) {
  const ModelConfig c = write_tiny_llama2c();

  std::ostringstream out, err;
  ASSERT_EQ(run_cli({"convert", file("tiny.bin"), file("tiny.safetensors")}, out, err), 0) << err.str();
  EXPECT_CONTAINS(err.str(), "(llama2c) -> " + file("tiny.safetensors") + " (ablate)");
  write_bytes(file("model.yaml"), out.str());
  std::ostringstream again_out, again_err;
  EXPECT_EQ(run_cli({"convert", file("tiny.bin"), file("tiny.safetensors")}, again_out, again_err), 1);
  EXPECT_CONTAINS(again_err.str(), "exists (use --force to replace it)");

  std::string corpus;
  for (int i = 0; i < 400; ++i) corpus += "the cat sat on the mat. ";
  write_bytes(file("corpus.txt"), corpus);
  write_bytes(file("eval.yaml"), "base: model.yaml\nname: tiny_eval\ndata: {type: text, path: corpus.txt}\n"
                                 "eval: {max_tokens: 200}\n");
  const fs::path cwd = fs::current_path();
  fs::current_path(dir_);
  std::ostringstream eval_out, eval_err;
  const int rc = run_cli({"eval", "eval.yaml", "--checkpoint", "tiny.safetensors", "-o", "results", "--threads", "1"},
                         eval_out, eval_err);
  fs::current_path(cwd);
  ASSERT_EQ(rc, 0) << eval_err.str();
  EXPECT_CONTAINS(eval_out.str(), "tiny_eval: validation loss");
}

// `model: {from: PATH}`: a config built on a foreign checkpoint evaluates its weights exactly as the
// converted checkpoint does, takes overrides beside `from`, and fine-tunes from those weights.
TEST_F(InteropErrors, ModelFromACheckpointThroughTheCli) {
  const ModelConfig c = write_tiny_llama2c();
  std::string corpus;
  for (int i = 0; i < 400; ++i) corpus += "the cat sat on the mat. ";
  write_bytes(file("corpus.txt"), corpus);
  const std::string data = "data: {type: text, path: corpus.txt}\neval: {max_tokens: 200}\n";
  write_bytes(file("from.yaml"), "name: from\nmodel: {from: tiny.bin}\n" + data);
  write_bytes(file("scaled.yaml"),
              "name: scaled\nmodel: {from: tiny.bin, position: {scaling: {type: linear, factor: 2}}}\n" + data);
  write_bytes(file("tune.yaml"), "name: tune\nmodel: {from: tiny.bin}\n" + data +
                                     "train: {steps: 2, batch_size: 2, lr: 1.0e-9, warmup: 0, eval_every: 2, "
                                     "eval_tokens: 200, checkpoint_every: 2}\n");
  write_bytes(file("missing.yaml"), "model: {from: nowhere.bin}\n" + data);

  const fs::path cwd = fs::current_path();
  fs::current_path(dir_);
  std::ostringstream convert_out, convert_err;
  const int converted = run_cli({"convert", "tiny.bin", "tiny.safetensors"}, convert_out, convert_err);
  write_bytes("converted.yaml", convert_out.str());
  write_bytes("converted_eval.yaml", "name: converted\nbase: converted.yaml\n" + data);
  auto eval = [](const std::vector<std::string>& args, std::string* err_text = nullptr) {
    std::ostringstream o, e;
    std::vector<std::string> full = args;
    full.insert(full.end(), {"-o", "results/" + fs::path(args[1]).stem().string(), "--threads", "1"});
    const int rc = run_cli(full, o, e);
    if (err_text) *err_text = e.str();
    if (rc != 0) return nlohmann::json{{"rc", rc}, {"err", e.str()}};
    return nlohmann::json::parse(read_bytes("results/" + fs::path(args[1]).stem().string() + "/" + args[0] + ".json"));
  };
  const nlohmann::json from = eval({"eval", "from.yaml"});
  const nlohmann::json reference = eval({"eval", "converted_eval.yaml", "--checkpoint", "tiny.safetensors"});
  const nlohmann::json scaled = eval({"eval", "scaled.yaml"});
  std::ostringstream run_out, run_err;
  const int tuned = run_cli({"run", "tune.yaml", "-o", "results/tune", "--threads", "1"}, run_out, run_err);
  const nlohmann::json tune = tuned == 0 ? nlohmann::json::parse(read_bytes("results/tune/result.json")) : nlohmann::json();
  std::string missing_err;
  const nlohmann::json missing = eval({"eval", "missing.yaml"}, &missing_err);
  fs::current_path(cwd);

  ASSERT_EQ(converted, 0) << convert_err.str();
  ASSERT_TRUE(from.contains("metrics")) << from.dump();
  ASSERT_TRUE(reference.contains("metrics")) << reference.dump();
  EXPECT_EQ(from["config"]["model"]["from"], "tiny.bin");
  EXPECT_EQ(from["checkpoint"], "tiny.bin");
  EXPECT_EQ(from["metrics"]["validation"]["loss"], reference["metrics"]["validation"]["loss"]);  // bit for bit
  EXPECT_EQ(from["config"]["model"]["d_model"], c.d_model);

  ASSERT_TRUE(scaled.contains("metrics")) << scaled.dump();
  EXPECT_EQ(scaled["config"]["model"]["position"]["scaling"]["type"], "linear");
  EXPECT_EQ(scaled["config"]["model"]["n_layers"], c.n_layers);
  EXPECT_NE(scaled["metrics"]["validation"]["loss"], from["metrics"]["validation"]["loss"]);

  // Fine-tuning starts from the checkpoint's weights: with lr 1e-9 the loss stays where it was
  // (a fresh model of vocabulary 300 starts near ln 300 = 5.7).
  ASSERT_EQ(tuned, 0) << run_err.str();
  EXPECT_NEAR(tune["metrics"]["validation"]["loss"].get<double>(), from["metrics"]["validation"]["loss"].get<double>(),
              1e-4);
  // Its checkpoint records `from` as provenance and reads back as the same model (convert, from:).
  EXPECT_EQ(model_config_to_yaml(read_checkpoint_model_config(file("results/tune/checkpoint.safetensors"))),
            model_config_to_yaml(read_checkpoint_model_config(file("tiny.bin"))));

  EXPECT_EQ(missing.value("rc", 0), 1);
  EXPECT_CONTAINS(missing_err, "missing.yaml:1:15: model.from: nowhere.bin: no such file or directory");
}

}  // namespace
}  // namespace ablate
