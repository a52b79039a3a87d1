// A throw-away variant added through the public registration call, in this file alone: it is
// listed, validated, named in errors, built into a model and gradient-checked (here, and by
// test_gradients.cc's loop over the registry, which now includes it) with no other file edited.
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "components/core/random.h"
#include "components/model/model.h"
#include "components/model/registry.h"
#include "components/norm/norm.h"
#include "experiments/cli.h"
#include "harness/config/model_yaml.h"
#include "tests/test_support.h"

namespace ablate {
namespace {

// ScaleNorm (Nguyen & Salazar 2019, "Transformers without Tears"): y = g · x / sqrt(‖x‖² + eps),
// one scalar gain g, initialised to sqrt(C).
template <typename S>
class ScaleNorm final : public Norm<S> {
 public:
  ScaleNorm(int64_t C, double eps) : C_(C), eps_(S(eps)), gain_({1}, false) { gain_.value[0] = std::sqrt(S(C)); }
  void forward(const S* x, S* y, int64_t N) override {
    x_.assign(x, x + N * C_);
    norm_.assign(N, S(0));
    for (int64_t r = 0; r < N; ++r) {
      S ss = eps_;
      for (int64_t c = 0; c < C_; ++c) ss += x[r * C_ + c] * x[r * C_ + c];
      norm_[r] = std::sqrt(ss);
      for (int64_t c = 0; c < C_; ++c) y[r * C_ + c] = gain_.value[0] * x[r * C_ + c] / norm_[r];
    }
  }
  // Undoes y = g x / n with n = sqrt(‖x‖² + eps): dx = (g/n)(dy − x (x·dy)/n²); dg += Σ dy·x / n.
  void backward(const S* dy, S* dx, int64_t N) override {
    const S g = gain_.value[0];
    for (int64_t r = 0; r < N; ++r) {
      const S* xr = x_.data() + r * C_;
      S x_dot_dy = 0;
      for (int64_t c = 0; c < C_; ++c) x_dot_dy += xr[c] * dy[r * C_ + c];
      const S n = norm_[r];
      for (int64_t c = 0; c < C_; ++c) dx[r * C_ + c] = g / n * (dy[r * C_ + c] - xr[c] * x_dot_dy / (n * n));
      gain_.grad[0] += x_dot_dy / n;
    }
  }
  ParameterList<S> parameters() override { return {{"weight", &gain_}}; }

 private:
  int64_t C_;
  S eps_;
  Parameter<S> gain_;  // (1)
  std::vector<S> x_;   // (N, C)
  std::vector<S> norm_;  // (N)
};

// Registered before main(), so that every test in this binary sees it (the registry loops of
// test_gradients.cc and test_invariants.cc included).
const bool kRegistered = [] {
  VariantRow row{"norm", "scalenorm", "ScaleNorm: g x / |x|, one scalar gain (Nguyen & Salazar 2019; a test variant)"};
  row.keys = {"eps"};
  row.norm = factory<Norm>([](auto s, const ModelConfig& c) { return new ScaleNorm<decltype(s)>(c.d_model, c.norm.eps); });
  register_variant(std::move(row));
  return true;
}();

TEST(Registry, AThrowAwayVariantIsListedValidatedAndNamedInErrors) {
  ASSERT_TRUE(kRegistered);
  // Listed: by the registry and by `ablate list`.
  const std::vector<std::string> norms = variant_names("norm");
  EXPECT_EQ(norms.back(), "scalenorm");
  std::ostringstream out, err;
  ASSERT_EQ(run_cli({"list"}, out, err), 0) << err.str();
  EXPECT_NE(out.str().find("scalenorm"), std::string::npos) << out.str();
  EXPECT_LT(out.str().find("scalenorm"), out.str().find("mlp:")) << "listed under its slot";

  // Validated like the others: the YAML name is accepted, its keys checked.
  const ModelConfig c = parse_model_config_text("model: {norm: {type: scalenorm, eps: 1e-6}}", "x.yaml");
  EXPECT_EQ(c.norm.type, "scalenorm");
  try {
    parse_model_config_text("model: {norm: {type: scalenorm, eps: -1}}", "x.yaml");
    ADD_FAILURE() << "a negative eps was accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("model.norm.eps: must be > 0, found -1"), std::string::npos) << e.what();
  }
  // Named in errors: an unknown norm lists it among the known ones.
  try {
    parse_model_config_text("model: {norm: {type: batchnorm}}", "x.yaml");
    ADD_FAILURE() << "an unknown norm was accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("(known: layernorm, rmsnorm, scalenorm)"), std::string::npos) << e.what();
  }
  // A second registration under the same name is refused.
  VariantRow again{"norm", "scalenorm", "again"};
  again.norm = factory<Norm>([](auto s, const ModelConfig& c) { return new ScaleNorm<decltype(s)>(c.d_model, c.norm.eps); });
  EXPECT_THROW(register_variant(again), ConfigError);
}

TEST(Registry, AThrowAwayVariantBuildsAModelAndPassesTheGradientCheck) {
  ModelConfig c = testing::tiny_config("llama");
  c.norm.type = "scalenorm";
  c.resolve();
  // In a model: the factory runs, its parameter carries the slot's names.
  Model<float> model(c);
  bool found = false;
  for (const auto& p : model.parameters()) found = found || p.name == "model.norm.weight";
  EXPECT_TRUE(found);

  // Central differences in double precision, through the registry's factory.
  auto norm = make_norm<double>(c);
  Rng rng(3);
  const int64_t N = 4, C = c.d_model;
  std::vector<double> x = testing::normal_vector<double>(N * C, rng), y(N * C), w = testing::normal_vector<double>(N * C, rng);
  auto loss = [&] {
    norm->forward(x.data(), y.data(), N);
    double l = 0;
    for (int64_t i = 0; i < N * C; ++i) l += w[i] * y[i];
    return l;
  };
  loss();
  std::vector<double> dx(N * C);
  for (auto& p : norm->parameters()) std::fill(p.param->grad.data.begin(), p.param->grad.data.end(), 0.0);
  norm->backward(w.data(), dx.data(), N);
  testing::expect_gradient("scalenorm dx", x, dx, loss);
  Parameter<double>& gain = *norm->parameters()[0].param;
  const std::vector<double> dgain = gain.grad.data;
  testing::expect_gradient("scalenorm gain", gain.value.data, dgain, loss);
}

}  // namespace
}  // namespace ablate
