// Gradient checks by central differences, in double precision, for every registered variant
// (the loops read the registry, so a new variant is checked without a new test) and for a
// whole model of each family.
#include <gtest/gtest.h>

#include <cmath>
#include <utility>

#include "components/attention/attention.h"
#include "components/core/cross_entropy.h"
#include "components/mlp/mlp.h"
#include "components/model/model.h"
#include "components/model/registry.h"
#include "components/norm/norm.h"
#include "tests/test_support.h"

namespace ablate {
namespace {

using testing::expect_gradient;
using testing::fill_normal;
using testing::normal_vector;

// Checks dx and every parameter gradient of a module whose forward maps x (n_in) to y (n_out),
// with the scalar loss Σ y ⊙ r for a fixed random r.
void check_module(const std::string& what, size_t n_in, size_t n_out, ParameterList<double> params,
                  const std::function<void(const double*, double*)>& forward,
                  const std::function<void(const double*, double*)>& backward, Rng& rng) {
  auto x = normal_vector<double>(n_in, rng);
  const auto r = normal_vector<double>(n_out, rng);
  std::vector<double> y(n_out), dx(n_in);
  auto loss = [&] {
    forward(x.data(), y.data());
    double s = 0;
    for (size_t i = 0; i < n_out; ++i) s += y[i] * r[i];
    return s;
  };
  for (auto& p : params) p.param->grad.zero();
  loss();
  backward(r.data(), dx.data());
  expect_gradient(what + " dx", x, dx, loss);
  for (auto& p : params) {
    const std::vector<double> analytic = p.param->grad.data;
    expect_gradient(what + " " + p.name, p.param->value.data, analytic, loss);
  }
}

// Random values for every parameter (norm weights around 1), so each one matters.
void randomize(ParameterList<double> params, Rng& rng) {
  for (auto& p : params) {
    const bool is_norm_weight = !p.param->decay && p.name.size() >= 6 && p.name.substr(p.name.size() - 6) == "weight";
    fill_normal(p.param->value.data, rng, 0.5, is_norm_weight ? 1.0 : 0.0);
  }
}

TEST(Gradients, EveryNormVariant) {
  ASSERT_FALSE(variant_names("norm").empty());
  for (const auto& name : variant_names("norm")) {
    ModelConfig c;
    c.d_model = 8;
    c.norm.type = name;
    c.resolve();
    auto norm = make_norm<double>(c);
    Rng rng(1);
    randomize(norm->parameters(), rng);
    const int64_t N = 5;
    check_module(
        "norm " + name, N * 8, N * 8, norm->parameters(),
        [&](const double* x, double* y) { norm->forward(x, y, N); },
        [&](const double* dy, double* dx) { norm->backward(dy, dx, N); }, rng);
  }
}

TEST(Gradients, EveryMlpVariant) {
  ASSERT_FALSE(variant_names("mlp").empty());
  for (const auto& name : variant_names("mlp"))
    for (const std::string form : {"tanh", "erf"})
      for (const bool bias : {false, true}) {
        ModelConfig c;
        c.d_model = 6;
        c.attention.n_heads = 3;
        c.mlp.type = name;
        c.mlp.form = form;
        c.mlp.hidden = 10;
        c.bias = bias;
        c.resolve();
        auto mlp = make_mlp<double>(c);
        Rng rng(2);
        randomize(mlp->parameters(), rng);
        const int64_t N = 4;
        check_module(
            "mlp " + name + " " + form + (bias ? " bias" : ""), N * 6, N * 6, mlp->parameters(),
            [&](const double* x, double* y) { mlp->forward(x, y, N); },
            [&](const double* dy, double* dx) { mlp->backward(dy, dx, N); }, rng);
      }
}

// Attention alone, for every attention variant, with RoPE (YaRN-scaled, partial) and without
// positions; query tiles of 3 and key tiles of 2 over T = 7 exercise several blocks each way and
// the diagonal masking.
TEST(Gradients, EveryAttentionVariant) {
  ASSERT_FALSE(variant_names("attention").empty());
  for (const auto& name : variant_names("attention"))
    for (const std::string position : {"rope", "none"}) {
      ModelConfig c;
      c.d_model = 16;
      c.context = 4;
      c.attention.type = name;
      c.attention.n_heads = 4;
      if (name == "gqa") c.attention.n_kv_heads = 2;
      c.position.type = position;
      if (position == "rope") {
        c.position.rotary_dim = 2;
        c.position.scaling.type = "yarn";
        c.position.scaling.factor = 2;
      }
      c.bias = true;
      c.resolve();
      auto pos = make_position<double>(c);
      Attention<double> attention(c, pos.get());
      attention.blocks.tile = 3;
      attention.blocks.key_tile = 2;
      Rng rng(3);
      randomize(attention.parameters(), rng);
      const int64_t B = 2, T = 7;
      check_module(
          "attention " + name + " " + position, B * T * 16, B * T * 16, attention.parameters(),
          [&](const double* x, double* y) { attention.forward(x, y, B, T); },
          [&](const double* dy, double* dx) { attention.backward(dy, dx, B, T); }, rng);
    }
}

// Whole-model check: the mean cross-entropy against every parameter.
void check_model(const std::string& what, const ModelConfig& config, int64_t B, int64_t T) {
  Model<double> model(config, 7);
  Rng rng(11);
  randomize(model.parameters(), rng);
  std::vector<int32_t> tokens(B * T), targets(B * T);
  for (auto& t : tokens) t = static_cast<int32_t>(rng.below(config.vocab_size));
  for (auto& t : targets) t = static_cast<int32_t>(rng.below(config.vocab_size));
  CrossEntropy<double> ce;
  auto loss = [&] {
    const auto& logits = model.forward(tokens.data(), B, T);
    return ce.forward(logits.ptr(), targets.data(), B * T, config.vocab_size);
  };
  model.zero_grad();
  loss();
  std::vector<double> dlogits(B * T * config.vocab_size);
  ce.backward(dlogits.data());
  model.backward(dlogits.data());
  for (auto& p : model.parameters()) {
    const std::vector<double> analytic = p.param->grad.data;
    expect_gradient(what + " " + p.name, p.param->value.data, analytic, loss, 1e-6, 12);
  }
}

// Every position variant (and every RoPE scaling) inside a one-layer model, so the embedding
// hooks (learned, sinusoidal) and the q/k rotation (rope) are differentiated end to end, each
// with its own token-embedding scale (auto: sqrt(d_model) = 2.83 for sinusoidal, 1 for the others)
// and with an explicit one (x₀ = 1.7 E[tokens] + positions).
TEST(Gradients, EveryPositionVariantAndScaling) {
  for (const auto& position : variant_names("position")) {
    std::vector<std::pair<std::string, double>> cases;  // (scaling, embedding_scale; 0 = auto)
    if (position == "rope")
      for (const auto& scaling : variant_names("position.scaling")) cases.push_back({scaling, 0.0});
    else
      cases.push_back({"none", 0.0});
    cases.push_back({"none", 1.7});
    for (const auto& [scaling, embedding_scale] : cases) {
      ModelConfig c;
      c.vocab_size = 11;
      c.d_model = 8;
      c.n_layers = 1;
      c.context = 4;
      c.embedding_scale = embedding_scale;
      c.attention.n_heads = 2;
      c.position.type = position;
      c.position.scaling.type = scaling;
      // Each scaling's own example setting (its registry row): factor 3 and its other keys.
      if (scaling != "none") find_variant("position.scaling", scaling, "test").example(c);
      c.resolve();
      if (embedding_scale == 0) {
        EXPECT_EQ(c.embedding_scale, position == "sinusoidal" ? std::sqrt(8.0) : 1.0);
      }
      check_model("position " + position + "/" + scaling + ", embedding_scale " + std::to_string(c.embedding_scale),
                  c, 2, position == "learned" ? 4 : 6);
    }
  }
}

TEST(Gradients, WholeModelOfEachFamily) {
  for (const auto& family : testing::families()) check_model(family, testing::tiny_config(family), 2, 8);
}

}  // namespace
}  // namespace ablate
