// Golden outputs from the independent PyTorch reference (tests/reference/make_goldens.py):
// the same small models, weights and inputs; logits and loss must match to 1e-4 and every
// parameter gradient to 1e-3 (relative to the largest reference value), and the RoPE frequency
// tables of every scaling method (each case's scaling block read by the real config reader) must
// match Hugging Face's formulas.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <yaml-cpp/yaml.h>

#include "components/core/cross_entropy.h"
#include "components/model/model.h"
#include "components/model/registry.h"
#include "components/position/rope_scaling.h"
#include "harness/checkpoints/safetensors.h"
#include "harness/config/model_yaml.h"
#include "tests/test_support.h"

namespace ablate {
namespace {

using testing::relative_error;

std::string golden_path(const std::string& name) {
  return std::string(ABLATE_SOURCE_DIR) + "/tests/reference/goldens/" + name + ".safetensors";
}

class GoldenPreset : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenPreset, LogitsLossAndGradientsMatchPyTorch) {
  const SafetensorsFile file = SafetensorsFile::open(golden_path(GetParam()));
  const ModelConfig config = parse_model_config_text(file.metadata().at("model"), file.path());
  Model<float> model(config, 0);

  // Every model parameter comes from the file, under the same name and shape.
  size_t loaded = 0;
  for (auto& p : model.parameters()) {
    ASSERT_TRUE(file.has(p.name)) << p.name;
    p.param->value.data = file.floats(p.name, p.param->value.shape);
    ++loaded;
  }
  size_t reference_parameters = 0;
  for (const auto& name : file.names()) reference_parameters += name.rfind("grad.", 0) == 0;
  EXPECT_EQ(loaded, reference_parameters) << "the reference has parameters the model lacks";

  const auto input_ids = file.ints("input_ids");
  const auto targets = file.ints("targets");
  const int64_t B = file.info("input_ids").shape[0], T = file.info("input_ids").shape[1];
  const auto& logits = model.forward(input_ids.data(), B, T);
  const double logits_error = relative_error(logits.data, file.floats("logits"));
  EXPECT_LE(logits_error, 1e-4) << "logits";

  CrossEntropy<float> ce;
  const double loss = ce.forward(logits.ptr(), targets.data(), B * T, config.vocab_size);
  EXPECT_NEAR(loss, file.floats("loss")[0], 1e-4 * std::abs(file.floats("loss")[0]));

  std::vector<float> dlogits(logits.numel());
  ce.backward(dlogits.data());
  model.zero_grad();
  model.backward(dlogits.data());
  // Each gradient is compared relative to its largest reference value; a gradient that vanishes
  // in exact arithmetic (the key bias without RoPE: softmax ignores a shift shared by a row's
  // scores) is compared against 1e-3 of the model's largest gradient instead.
  double largest_grad = 0;
  for (auto& p : model.parameters())
    for (float g : file.floats("grad." + p.name)) largest_grad = std::max(largest_grad, double(std::abs(g)));
  double worst_grad = 0;
  for (auto& p : model.parameters()) {
    const auto reference = file.floats("grad." + p.name);
    double diff = 0, scale = 1e-3 * largest_grad;
    for (size_t i = 0; i < reference.size(); ++i) {
      diff = std::max(diff, std::abs(double(p.param->grad.data[i]) - double(reference[i])));
      scale = std::max(scale, double(std::abs(reference[i])));
    }
    worst_grad = std::max(worst_grad, diff / scale);
    EXPECT_LE(diff / scale, 1e-3) << "grad." << p.name;
  }
  std::printf("golden %-10s logits rel err %.2e, worst gradient rel err %.2e\n", GetParam().c_str(),
              logits_error, worst_grad);
}

INSTANTIATE_TEST_SUITE_P(Presets, GoldenPreset,
                         ::testing::Values("gpt2", "llama", "yarn", "sinusoidal", "dynamic", "none", "llama3",
                                           "longrope"));

// A rope_tables case read through Ablate's own config reader: a one-head model whose head_dim is
// the case's, with the case's scaling block (Ablate's YAML keys) as model.position.scaling.
ModelConfig rope_case_model(const nlohmann::json& c) {
  const nlohmann::json model = {
      {"d_model", c.at("head_dim")},
      {"attention", {{"type", "mha"}, {"n_heads", 1}}},
      {"position",
       {{"type", "rope"}, {"theta", c.at("theta")}, {"rotary_dim", c.at("rotary_dim")}, {"scaling", c.at("scaling")}}}};
  return parse_model_config(YAML::Load(model.dump()), "model");
}

TEST(GoldenRope, InverseFrequenciesAndAttentionFactorOfEveryScaling) {
  const SafetensorsFile file = SafetensorsFile::open(golden_path("rope_tables"));
  const auto cases = nlohmann::json::parse(file.metadata().at("cases"));
  ASSERT_GE(cases.size(), 10u);
  std::set<std::string> types_seen;
  for (const auto& [name, c] : cases.items()) {
    ModelConfig m;
    try {
      m = rope_case_model(c);
    } catch (const std::exception& e) {
      ADD_FAILURE() << name << ": " << e.what();
      continue;
    }
    const RopeScalingConfig& s = m.position.scaling;
    types_seen.insert(s.type);
    const RopeFrequencies f =
        rope_frequencies(m.position.theta, m.rotary_dim(), s, m.rope_original_context(), c.at("seq_len"));
    const auto expected = file.doubles("inv_freq." + name);
    ASSERT_EQ(f.inv_freq.size(), expected.size()) << name;
    for (size_t i = 0; i < expected.size(); ++i)
      EXPECT_NEAR(f.inv_freq[i], expected[i], 1e-6 * expected[i]) << name << " inv_freq[" << i << "]";
    EXPECT_NEAR(f.attention_factor, file.doubles("attention_factor." + name)[0], 1e-6) << name;
  }
  for (const auto& type : variant_names("position.scaling")) EXPECT_TRUE(types_seen.count(type)) << type;
}

}  // namespace
}  // namespace ablate
