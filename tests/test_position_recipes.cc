// Each position variant's recipe (its header): how its parameters start, the token-embedding scale
// its `embedding_scale: auto` gives (sinusoidal: √d_model, Vaswani et al. §3.4; the others 1), what
// weight decay touches, that the scale reaches the result's resolved config, and that checkpoint
// writers whose formats add embeddings unscaled refuse a scaled model.
#include <gtest/gtest.h>
#include <gmock/gmock.h>

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "components/core/text.h"
#include "components/model/model.h"
#include "components/model/registry.h"
#include "experiments/cli.h"
#include "harness/checkpoints/hf/hf_checkpoint.h"
#include "harness/checkpoints/llama2c_checkpoint.h"
#include "tests/test_support.h"

namespace ablate {
namespace {

using ::testing::HasSubstr;

Parameter<double>* find_parameter(Model<double>& model, const std::string& name) {
  for (auto& p : model.parameters())
    if (p.name == name) return p.param;
  return nullptr;
}

// Vaswani et al. §3.5, written out here: PE[p, 2i] = sin(p / 10000^(2i/C)), PE[p, 2i+1] = cos(same).
double sinusoid(int64_t p, int64_t c, int64_t C) {
  const int64_t two_i = c / 2 * 2;
  const double angle = double(p) / std::pow(10000.0, double(two_i) / double(C));
  return c % 2 == 0 ? std::sin(angle) : std::cos(angle);
}

// x₀ (the embedding layer's output) of every position variant, auto and explicit scale, read out of
// a model that passes it through unchanged: o_proj and down_proj are zero (each block adds 0 to
// the residual stream), V = C with lm_head = I, so logits = RMSNorm(x₀) = x₀ / √(mean(x₀²) + eps).
TEST(PositionRecipes, EmbeddingLayerIsScaleTimesTokenEmbeddingPlusPositions) {
  constexpr int64_t C = 16, T = 5, B = 2;
  for (const std::string& position : variant_names("position"))
    for (const double explicit_scale : {0.0, 2.5}) {  // 0 = auto
      ModelConfig config;
      config.vocab_size = C;
      config.d_model = C;
      config.n_layers = 1;
      config.context = 8;
      config.tie_embeddings = false;
      config.attention.n_heads = 2;
      config.position.type = position;
      config.embedding_scale = explicit_scale;
      Model<double> model(config, 3);
      for (auto& p : model.parameters())
        if (ends_with(p.name, "o_proj.weight") || ends_with(p.name, "down_proj.weight")) p.param->value.zero();
      Parameter<double>& head = *find_parameter(model, "lm_head.weight");
      head.value.zero();
      for (int64_t i = 0; i < C; ++i) head.value[i * C + i] = 1.0;

      const double s = explicit_scale != 0 ? explicit_scale : position == "sinusoidal" ? std::sqrt(double(C)) : 1.0;
      EXPECT_EQ(model.config().embedding_scale, s) << position;
      const std::vector<double>& E = find_parameter(model, "model.embed_tokens.weight")->value.data;
      const Parameter<double>* learned = find_parameter(model, "model.embed_positions.weight");
      EXPECT_EQ(learned != nullptr, position == "learned");

      const std::vector<int32_t> tokens = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3};
      const std::vector<double>& logits = model.forward(tokens.data(), B, T).data;
      double worst = 0;
      for (int64_t r = 0; r < B * T; ++r) {
        std::vector<double> x0(C);
        for (int64_t c = 0; c < C; ++c) {
          double table = 0;
          if (position == "sinusoidal") table = sinusoid(r % T, c, C);
          if (position == "learned") table = learned->value[(r % T) * C + c];
          x0[c] = s * E[tokens[r] * C + c] + table;
        }
        double mean_square = 0;
        for (double v : x0) mean_square += v * v / C;
        for (int64_t c = 0; c < C; ++c)
          worst = std::max(worst, std::abs(logits[r * C + c] - x0[c] / std::sqrt(mean_square + config.norm.eps)));
      }
      EXPECT_LT(worst, 1e-12) << position << ", embedding_scale " << s;
    }
}

// Learned positions start N(0, init_std) as GPT-2's wpe (not at zero), are not weight-decayed, and
// are drawn after every matrix: the model's other weights are those of a model without them.
TEST(PositionRecipes, LearnedTableStartsNormalWithInitStdAndIsNotDecayed) {
  ModelConfig config;
  config.d_model = 64;
  config.context = 256;
  config.init_std = 0.05;
  config.position.type = "learned";
  Model<double> learned(config, 11);
  const Parameter<double>& table = *find_parameter(learned, "model.embed_positions.weight");
  EXPECT_FALSE(table.decay);
  const std::vector<double>& w = table.value.data;
  double sum = 0, sum_sq = 0;
  for (double v : w) sum += v;
  const double mean = sum / double(w.size());
  for (double v : w) sum_sq += (v - mean) * (v - mean);
  const double std = std::sqrt(sum_sq / double(w.size() - 1));
  // 16,384 draws: the sample std is within 0.6% of σ (one standard error), the mean within σ/128.
  EXPECT_NEAR(std, 0.05, 0.05 * 0.03);
  EXPECT_NEAR(mean, 0.0, 4 * 0.05 / 128);
  for (int64_t p = 0; p < config.context; ++p) {
    double row = 0;
    for (int64_t c = 0; c < config.d_model; ++c) row += std::abs(w[p * config.d_model + c]);
    EXPECT_GT(row, 0) << "position " << p << " left at zero";
  }

  config.position.type = "none";
  Model<double> without(config, 11);
  for (auto& p : without.parameters()) {
    const Parameter<double>* same = find_parameter(learned, p.name);
    ASSERT_NE(same, nullptr) << p.name;
    EXPECT_EQ(same->value.data, p.param->value.data) << p.name;
  }
}

// The resolved scale is what a run records: result.json's config states it (√32 for sinusoidal
// auto, the given 1 for the unscaled ablation).
class PositionRecipeFiles : public testing::TempDirTest {};

TEST_F(PositionRecipeFiles, EmbeddingScaleIsRecordedInTheResultConfig) {
  const std::string yaml =
      "name: scales\n"
      "threads: 1\n"
      "model: {d_model: 32, n_layers: 1, context: 16, position: {type: sinusoidal}, attention: {n_heads: 2}}\n"
      "data: {type: synthetic, bytes: 20000, seed: 2}\n"
      "train: {steps: 2, batch_size: 2, warmup: 1, eval_every: 0, eval_tokens: 64, checkpoint_every: 0}\n"
      "eval: {max_tokens: 128}\n"
      "sweep:\n"
      "  variants:\n"
      "    auto: {}\n"
      "    unscaled: {model.embedding_scale: 1}\n";
  testing::write_bytes(file("scales.yaml"), yaml);
  std::ostringstream out, err;
  ASSERT_EQ(run_cli({"run", file("scales.yaml"), "-o", file("out")}, out, err), 0) << err.str();
  const auto config_of = [&](const std::string& point) {
    return nlohmann::json::parse(testing::read_bytes(file("out/" + point + "/result.json")))["config"]["model"];
  };
  EXPECT_EQ(config_of("auto")["embedding_scale"].get<double>(), std::sqrt(32.0));
  EXPECT_EQ(config_of("unscaled")["embedding_scale"].get<double>(), 1.0);
}

// A result or checkpoint written before embedding_scale existed was trained unscaled: its saved
// config reads as scale 1, so a sinusoidal run of that time is not passed off as today's (auto =
// √d_model) run, and its checkpoint is scored as it was trained.
TEST_F(PositionRecipeFiles, ConfigsSavedBeforeTheKeyExistedReadAsUnscaled) {
  const std::string yaml =
      "name: old\n"
      "threads: 1\n"
      "model: {d_model: 32, n_layers: 1, context: 16, position: {type: sinusoidal}, attention: {n_heads: 2}}\n"
      "data: {type: synthetic, bytes: 20000, seed: 2}\n"
      "train: {steps: 2, batch_size: 2, warmup: 1, eval_every: 0, eval_tokens: 64, checkpoint_every: 0}\n"
      "eval: {max_tokens: 128}\n";
  testing::write_bytes(file("old.yaml"), yaml);
  std::ostringstream out, err;
  ASSERT_EQ(run_cli({"run", file("old.yaml"), "-o", file("out")}, out, err), 0) << err.str();
  // Make the result look like one of the version before the key.
  nlohmann::json result = nlohmann::json::parse(testing::read_bytes(file("out/result.json")));
  result["config"]["model"].erase("embedding_scale");
  testing::write_bytes(file("out/result.json"), result.dump(2));
  EXPECT_EQ(run_cli({"run", file("old.yaml"), "-o", file("out")}, out, err), 1);
  EXPECT_THAT(err.str(), ::testing::HasSubstr("model.embedding_scale: result 1"));
}

// Hugging Face's LlamaForCausalLM / GPT2LMHeadModel and llama2.c's run.c add the token embeddings
// unscaled: a scaled model is refused rather than written with different numerics.
TEST_F(PositionRecipeFiles, WritersOfUnscaledFormatsRefuseAScaledModel) {
  for (const std::string family : {"llama", "gpt2"}) {
    ModelConfig config = testing::tiny_config(family);
    config.embedding_scale = 2;
    Model<float> model(config, 1);
    try {
      save_hf_checkpoint(file(family), model);
      ADD_FAILURE() << family << ": a scaled model was written";
    } catch (const std::exception& e) {
      EXPECT_THAT(e.what(), HasSubstr("embedding_scale 2: LlamaForCausalLM and GPT2LMHeadModel add the token "
                                      "embeddings unscaled"));
    }
  }
  ModelConfig config = testing::tiny_config("llama");
  config.attention.type = "mha";
  config.attention.n_kv_heads = 0;
  config.embedding_scale = 0.5;
  Model<float> model(config, 1);
  try {
    save_llama2c_checkpoint(file("model.bin"), model);
    ADD_FAILURE() << "a scaled model was written as llama2.c";
  } catch (const std::exception& e) {
    EXPECT_THAT(e.what(), HasSubstr("run.c adds the token embeddings unscaled (this model has embedding_scale 0.5)"));
  }
}

}  // namespace
}  // namespace ablate
