// AdamW against torch.optim.AdamW golden numbers and an independent double-precision formula;
// clipping, weight-decay masking, state round trip and errors; the warmup + cosine schedule.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "components/core/random.h"
#include "harness/train/lr_schedule.h"
#include "harness/train/optimizer.h"
#include "tests/test_support.h"

namespace ablate {
namespace {

// A tiny model: "w" (2, 3) is a matrix (decay), "b" (3) is a vector (no decay).
struct Tiny {
  Parameter<float> w{{2, 3}, true}, b{{3}, false};
  Tiny() {
    const double w0[] = {0.5, -0.3, 0.8, -1.2, 0.1, 0.7}, b0[] = {0.2, -0.4, 0.05};
    for (int i = 0; i < 6; ++i) w.value[i] = float(w0[i]);
    for (int i = 0; i < 3; ++i) b.value[i] = float(b0[i]);
  }
  ParameterList<float> list() { return {{"w", &w}, {"b", &b}}; }
};

// The gradients and learning rates of the four golden steps: steps 1 and 4 exceed the clip
// threshold 1.0, steps 2 and 3 do not.
const double kGradW[4][6] = {{0.9, -1.1, 0.4, 0.7, -0.2, 1.3},
                             {0.1, 0.05, -0.2, 0.15, -0.1, 0.3},
                             {-0.3, 0.2, 0.1, -0.4, 0.25, -0.15},
                             {2.0, -1.0, 0.5, 0.0, 1.5, -2.5}};
const double kGradB[4][3] = {{0.5, -0.8, 0.3}, {-0.05, 0.1, 0.02}, {0.2, 0.0, -0.1}, {1.0, 1.0, -1.0}};
const double kLr[4] = {1e-2, 2e-2, 1.5e-2, 5e-3};

void set_grads(Tiny& t, int step) {
  for (int i = 0; i < 6; ++i) t.w.grad[i] = float(kGradW[step][i]);
  for (int i = 0; i < 3; ++i) t.b.grad[i] = float(kGradB[step][i]);
}

AdamWConfig golden_config() {
  AdamWConfig c;
  c.beta1 = 0.9;
  c.beta2 = 0.95;
  c.eps = 1e-8;
  c.weight_decay = 0.1;
  c.grad_clip = 1.0;
  return c;
}

// Golden values from torch 1.13 (Debian python3-torch), float32:
//
//   w = torch.tensor([0.5, -0.3, 0.8, -1.2, 0.1, 0.7]).reshape(2, 3).requires_grad_()
//   b = torch.tensor([0.2, -0.4, 0.05]).requires_grad_()
//   opt = torch.optim.AdamW([{'params': [w], 'weight_decay': 0.1},
//                            {'params': [b], 'weight_decay': 0.0}], lr=1e-2, betas=(0.9, 0.95), eps=1e-8)
//   for (gw, gb), lr in zip(grads, lrs):        # kGradW/kGradB and kLr above
//       w.grad = torch.tensor(gw).reshape(2, 3); b.grad = torch.tensor(gb)
//       n = torch.nn.utils.clip_grad_norm_([w, b], 1.0)
//       for g in opt.param_groups: g['lr'] = lr
//       opt.step()
//       print("%.9g" % n.item(), w, b)
//   print(opt.state[w]['exp_avg'], opt.state[w]['exp_avg_sq'], opt.state[b]['exp_avg'], opt.state[b]['exp_avg_sq'])
// torch rounds every intermediate to fp32 (the clip coefficient included); AdamW evaluates each
// element in double and rounds once, so parameters agree to ~1 ulp (6e-8 seen) and exp_avg_sq,
// which squares the clipped gradient, to ~2e-7 relative.
const double kTorchNorm[4] = {2.31948256, 0.433474332, 0.659545302, 4.09267616};
const double kTorchW[4][6] = {{0.489500016, -0.289700031, 0.789200008, -1.20880008, 0.109899998, 0.689300001},
                              {0.471641481, -0.277207196, 0.790141881, -1.22515166, 0.129665703, 0.66894877},
                              {0.468924403, -0.274165481, 0.786917031, -1.22293973, 0.126467064, 0.659369707},
                              {0.466290921, -0.272115767, 0.78484422, -1.22222471, 0.123662405, 0.659345865}};
const double kTorchB[4][3] = {{0.189999998, -0.390000015, 0.0400000028},
                              {0.180198774, -0.381181479, 0.0242914911},
                              {0.169587046, -0.376002818, 0.0229582228},
                              {0.165535212, -0.376503706, 0.0251223426}};
const double kTorchExpAvgW[6] = {0.0582542382,  -0.0369562358, 0.0175887067,
                                 -0.00184941513, 0.0447649434,  -0.00942648109};
const double kTorchExpAvgSqW[6] = {0.0231207572, 0.0146393655, 0.00430117501, 0.0125197126, 0.0104551418, 0.0372529067};
const double kTorchExpAvgB[3] = {0.0540985912, 0.00739035523, -0.0223850608};
const double kTorchExpAvgSqB[3] = {0.00698992703, 0.00853594858, 0.00419525849};

// The reference: Loshchilov & Hutter's decoupled AdamW with global-norm clipping, in double,
// written out from the formula (independent of harness/train/optimizer.cc).
struct ReferenceAdamW {
  AdamWConfig c;
  std::vector<std::vector<double>> p, m, v;
  std::vector<bool> decay;
  int t = 0;
  double step(const std::vector<std::vector<double>>& grads, double lr) {
    double ss = 0;
    for (const auto& g : grads)
      for (double x : g) ss += x * x;
    const double norm = std::sqrt(ss);
    const double scale = std::min(1.0, c.grad_clip / (norm + 1e-6));
    ++t;
    for (size_t k = 0; k < p.size(); ++k)
      for (size_t i = 0; i < p[k].size(); ++i) {
        const double g = grads[k][i] * scale;
        if (decay[k]) p[k][i] -= lr * c.weight_decay * p[k][i];
        m[k][i] = c.beta1 * m[k][i] + (1 - c.beta1) * g;
        v[k][i] = c.beta2 * v[k][i] + (1 - c.beta2) * g * g;
        const double m_hat = m[k][i] / (1 - std::pow(c.beta1, t));
        const double v_hat = v[k][i] / (1 - std::pow(c.beta2, t));
        p[k][i] -= lr * m_hat / (std::sqrt(v_hat) + c.eps);
      }
    return norm;
  }
};

std::vector<double> as_double(const Tensor<float>& t) { return std::vector<double>(t.data.begin(), t.data.end()); }

const Tensor<float>* state_named(const AdamW& opt, const std::string& name) {
  for (const auto& [n, t] : opt.state_tensors())
    if (n == name) return t;
  return nullptr;
}

TEST(Optimizer, AdamWMatchesTorchAndDoubleReference) {
  Tiny tiny;
  auto params = tiny.list();
  AdamW opt(golden_config());
  ReferenceAdamW ref;
  ref.c = golden_config();
  ref.p = {as_double(tiny.w.value), as_double(tiny.b.value)};
  ref.m = ref.v = {std::vector<double>(6, 0.0), std::vector<double>(3, 0.0)};
  ref.decay = {true, false};
  for (int s = 0; s < 4; ++s) {
    set_grads(tiny, s);
    const std::vector<std::vector<double>> grads = {as_double(tiny.w.grad), as_double(tiny.b.grad)};
    const double norm = opt.step(params, kLr[s]);
    const double ref_norm = ref.step(grads, kLr[s]);
    EXPECT_EQ(opt.steps_taken(), s + 1);
    EXPECT_NEAR(norm, ref_norm, 1e-12 * ref_norm) << "step " << s + 1;
    EXPECT_NEAR(norm, kTorchNorm[s], 1e-6 * kTorchNorm[s]) << "step " << s + 1;
    for (int i = 0; i < 6; ++i) {
      EXPECT_NEAR(tiny.w.value[i], ref.p[0][i], 1e-6) << "w[" << i << "] after step " << s + 1;
      EXPECT_NEAR(tiny.w.value[i], kTorchW[s][i], 3e-7) << "w[" << i << "] after step " << s + 1 << " (torch)";
    }
    for (int i = 0; i < 3; ++i) {
      EXPECT_NEAR(tiny.b.value[i], ref.p[1][i], 1e-6) << "b[" << i << "] after step " << s + 1;
      EXPECT_NEAR(tiny.b.value[i], kTorchB[s][i], 3e-7) << "b[" << i << "] after step " << s + 1 << " (torch)";
    }
  }
  const Tensor<float>* m_w = state_named(opt, "w.exp_avg");
  const Tensor<float>* v_w = state_named(opt, "w.exp_avg_sq");
  const Tensor<float>* m_b = state_named(opt, "b.exp_avg");
  const Tensor<float>* v_b = state_named(opt, "b.exp_avg_sq");
  ASSERT_TRUE(m_w && v_w && m_b && v_b);
  EXPECT_EQ(m_w->shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(v_b->shape, (std::vector<int64_t>{3}));
  for (int i = 0; i < 6; ++i) {
    EXPECT_NEAR((*m_w)[i], kTorchExpAvgW[i], 1e-8) << i;
    EXPECT_NEAR((*v_w)[i], kTorchExpAvgSqW[i], 1e-8) << i;
    EXPECT_NEAR((*m_w)[i], ref.m[0][i], 1e-7) << i;
    EXPECT_NEAR((*v_w)[i], ref.v[0][i], 1e-8) << i;
  }
  for (int i = 0; i < 3; ++i) {
    EXPECT_NEAR((*m_b)[i], kTorchExpAvgB[i], 1e-8) << i;
    EXPECT_NEAR((*v_b)[i], kTorchExpAvgSqB[i], 1e-8) << i;
  }
}

TEST(Optimizer, WeightDecayOnlyOnDecayParameters) {
  // With zero gradients m = v = 0 and the Adam term is 0/(0 + eps) = 0: only decay moves p.
  Tiny tiny;
  auto params = tiny.list();
  const auto w0 = tiny.w.value.data, b0 = tiny.b.value.data;
  AdamWConfig c = golden_config();
  c.weight_decay = 0.5;
  AdamW opt(c);
  const double lr = 0.1;
  EXPECT_EQ(opt.step(params, lr), 0.0);
  for (int i = 0; i < 6; ++i) EXPECT_FLOAT_EQ(tiny.w.value[i], float(w0[i] * (1 - lr * 0.5))) << i;
  for (int i = 0; i < 3; ++i) EXPECT_EQ(tiny.b.value[i], b0[i]) << "b is not a matrix: no decay";
  // weight_decay = 0 leaves matrices alone too.
  Tiny plain;
  auto plain_params = plain.list();
  c.weight_decay = 0;
  AdamW no_decay(c);
  no_decay.step(plain_params, lr);
  EXPECT_EQ(plain.w.value.data, w0);
}

TEST(Optimizer, ClipsByGlobalNormAboveThresholdOnly) {
  // Above: g ← g · clip / (‖g‖ + 1e-6), the returned norm is the pre-clip one.
  {
    Tiny tiny;
    auto params = tiny.list();
    set_grads(tiny, 0);
    const auto gw = as_double(tiny.w.grad), gb = as_double(tiny.b.grad);
    double ss = 0;
    for (double x : gw) ss += x * x;
    for (double x : gb) ss += x * x;
    const double expected = std::sqrt(ss);
    EXPECT_NEAR(gradient_norm(params), expected, 1e-12);
    AdamWConfig c = golden_config();
    c.grad_clip = 0.5;
    AdamW opt(c);
    EXPECT_NEAR(opt.step(params, 1e-3), expected, 1e-12);
    const double scale = 0.5 / (expected + 1e-6);
    for (int i = 0; i < 6; ++i) EXPECT_FLOAT_EQ(tiny.w.grad[i], float(gw[i] * scale)) << i;
    for (int i = 0; i < 3; ++i) EXPECT_FLOAT_EQ(tiny.b.grad[i], float(gb[i] * scale)) << i;
    EXPECT_NEAR(gradient_norm(params), 0.5, 1e-6);
  }
  // Below the threshold, and with clipping off: gradients are bit-identical afterwards.
  for (double clip : {1.0, 0.0}) {
    Tiny tiny;
    auto params = tiny.list();
    set_grads(tiny, clip == 1.0 ? 1 : 3);  // step 2's norm is 0.43; step 4's is 4.1 (> 1, but clip off)
    const auto gw = tiny.w.grad.data, gb = tiny.b.grad.data;
    AdamWConfig c = golden_config();
    c.grad_clip = clip;
    AdamW opt(c);
    opt.step(params, 1e-3);
    EXPECT_EQ(tiny.w.grad.data, gw) << "grad_clip " << clip;
    EXPECT_EQ(tiny.b.grad.data, gb) << "grad_clip " << clip;
  }
}

TEST(Optimizer, StateRoundTripGivesIdenticalNextStep) {
  Tiny a;
  auto pa = a.list();
  AdamW opt(golden_config());
  for (int s = 0; s < 2; ++s) {
    set_grads(a, s);
    opt.step(pa, kLr[s]);
  }
  EXPECT_EQ(opt.state_bytes(), 9 * 2 * 4);
  const auto tensors = opt.state_tensors();
  ASSERT_EQ(tensors.size(), 4u);
  EXPECT_EQ(tensors[0].first, "w.exp_avg");
  EXPECT_EQ(tensors[1].first, "w.exp_avg_sq");
  EXPECT_EQ(tensors[2].first, "b.exp_avg");
  EXPECT_EQ(tensors[3].first, "b.exp_avg_sq");
  std::map<std::string, std::vector<float>> saved;
  for (const auto& [name, t] : tensors) saved[name] = t->data;

  const auto w2 = a.w.value, b2 = a.b.value;  // the parameters after step 2
  set_grads(a, 2);
  opt.step(pa, kLr[2]);  // the uninterrupted run's step 3

  // Resume twice: into a fresh optimizer (state matched at its first step) and into one whose
  // state was created by init_state (checked at load time).
  for (bool init_first : {false, true}) {
    Tiny b;
    b.w.value = w2;
    b.b.value = b2;
    auto pb = b.list();
    AdamW resumed(golden_config());
    if (init_first) resumed.init_state(pb);
    resumed.load_state(saved, 2);
    EXPECT_EQ(resumed.steps_taken(), 2);
    set_grads(b, 2);
    resumed.step(pb, kLr[2]);
    EXPECT_EQ(b.w.value.data, a.w.value.data) << "init_state first: " << init_first;
    EXPECT_EQ(b.b.value.data, a.b.value.data) << "init_state first: " << init_first;
    const auto ta = opt.state_tensors(), tb = resumed.state_tensors();
    ASSERT_EQ(ta.size(), tb.size());
    for (size_t i = 0; i < ta.size(); ++i) {
      EXPECT_EQ(ta[i].first, tb[i].first);
      EXPECT_EQ(ta[i].second->shape, tb[i].second->shape) << ta[i].first;
      EXPECT_EQ(ta[i].second->data, tb[i].second->data) << ta[i].first;
    }
    EXPECT_EQ(resumed.steps_taken(), 3);
  }
}

TEST(Optimizer, LoadStateErrorsNameTheTensor) {
  Tiny tiny;
  auto params = tiny.list();
  AdamW opt(golden_config());
  opt.init_state(params);
  EXPECT_EQ(opt.state_bytes(), 9 * 2 * 4);
  std::map<std::string, std::vector<float>> good;
  for (const auto& [name, t] : opt.state_tensors()) good[name] = t->data;

  auto expect_error = [&](AdamW& o, const std::map<std::string, std::vector<float>>& m, const std::string& needle) {
    try {
      o.load_state(m, 5);
      ADD_FAILURE() << "no error; expected one mentioning " << needle;
    } catch (const OptimizerError& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  auto missing = good;
  missing.erase("b.exp_avg_sq");
  expect_error(opt, missing, "missing tensor 'b.exp_avg_sq'");
  auto wrong_size = good;
  wrong_size["w.exp_avg"].resize(5);
  expect_error(opt, wrong_size, "'w.exp_avg' has 5 values, expected 6 for parameter 'w' of shape [2, 3]");
  auto extra = good;
  extra["lm_head.weight.exp_avg"] = {1};
  expect_error(opt, extra, "unexpected optimizer state tensor 'lm_head.weight.exp_avg'");
  EXPECT_EQ(opt.steps_taken(), 0) << "a failed load changes nothing";

  // Without state held, a mismatch surfaces at the next step, naming the parameter.
  AdamW fresh(golden_config());
  expect_error(fresh, missing, "missing tensor 'b.exp_avg_sq'");
  expect_error(fresh, {}, "holds no tensors");
  auto wrong_pair = wrong_size;
  expect_error(fresh, wrong_pair, "'w.exp_avg_sq' has 6 values but 'w.exp_avg' has 5");
  wrong_pair["w.exp_avg_sq"].resize(5);
  AdamW deferred(golden_config());
  deferred.load_state(wrong_pair, 5);
  try {
    deferred.step(params, 1e-3);
    ADD_FAILURE() << "no error";
  } catch (const OptimizerError& e) {
    EXPECT_NE(std::string(e.what()).find("parameter 'w' of shape [2, 3]"), std::string::npos) << e.what();
  }
  // A later step with a different parameter list is an error, not silently new state.
  AdamW stepped(golden_config());
  stepped.step(params, 1e-3);
  Parameter<float> extra_param({4}, false);
  auto more = params;
  more.push_back({"model.norm.weight", &extra_param});
  try {
    stepped.step(more, 1e-3);
    ADD_FAILURE() << "no error";
  } catch (const OptimizerError& e) {
    EXPECT_NE(std::string(e.what()).find("no optimizer state for parameter 'model.norm.weight'"), std::string::npos)
        << e.what();
  }
}

TEST(Optimizer, FirstNonFiniteNamesTheParameterAndStepIsSkipped) {
  Tiny tiny;
  auto params = tiny.list();
  set_grads(tiny, 1);
  EXPECT_EQ(first_non_finite(params), "");
  tiny.b.grad[1] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_EQ(first_non_finite(params), "b");
  tiny.w.grad[4] = std::numeric_limits<float>::infinity();
  EXPECT_EQ(first_non_finite(params), "w") << "the first in list order";

  const auto w0 = tiny.w.value.data, b0 = tiny.b.value.data;
  AdamW opt(golden_config());
  EXPECT_FALSE(std::isfinite(opt.step(params, 1e-2)));
  EXPECT_EQ(opt.steps_taken(), 0);
  EXPECT_EQ(tiny.w.value.data, w0);
  EXPECT_EQ(tiny.b.value.data, b0);

  // A NaN deep inside a large gradient (past the first parallel chunk) is found too.
  Parameter<float> big({300000}, true);
  ParameterList<float> list = {{"model.layers.0.mlp.up_proj.weight", &big}};
  EXPECT_EQ(first_non_finite(list), "");
  big.grad[299999] = -std::numeric_limits<float>::infinity();
  EXPECT_EQ(first_non_finite(list), "model.layers.0.mlp.up_proj.weight");
}

TEST(Optimizer, ScaleGradientsAndDeterminismOnLargeTensors) {
  // Several parallel chunks: two optimizers given the same inputs agree bit for bit, and the
  // norm matches a plain double sum.
  Rng rng(7);
  const auto values = testing::normal_vector<float>(200003, rng);
  const auto grads = testing::normal_vector<float>(200003, rng, 1e-3);
  std::vector<std::unique_ptr<Parameter<float>>> ps;
  std::vector<ParameterList<float>> lists;
  for (int copy = 0; copy < 2; ++copy) {
    ps.push_back(std::make_unique<Parameter<float>>(std::vector<int64_t>{200003}, true));
    ps.back()->value.data = values;
    lists.push_back({{"p", ps.back().get()}});
  }
  AdamW o1(golden_config()), o2(golden_config());
  for (int s = 0; s < 3; ++s) {
    ps[0]->grad.data = ps[1]->grad.data = grads;
    scale_gradients(lists[0], 2.0);
    scale_gradients(lists[1], 2.0);
    EXPECT_EQ(ps[0]->grad[12345], 2 * grads[12345]);
    double ss = 0;
    for (float g : grads) ss += 4.0 * double(g) * double(g);
    const double n1 = o1.step(lists[0], 1e-3), n2 = o2.step(lists[1], 1e-3);
    EXPECT_EQ(n1, n2);
    EXPECT_NEAR(n1, std::sqrt(ss), 1e-12 * std::sqrt(ss));
  }
  EXPECT_EQ(ps[0]->value.data, ps[1]->value.data);
  EXPECT_EQ(o1.state_bytes(), 200003 * 8);
}

TEST(Optimizer, RejectsBadConfig) {
  AdamWConfig c;
  c.beta1 = 1.0;
  EXPECT_THROW(AdamW{c}, std::invalid_argument);
  c = AdamWConfig{};
  c.grad_clip = -1;
  EXPECT_THROW(AdamW{c}, std::invalid_argument);
  AdamW ok{AdamWConfig{}};
  Tiny tiny;
  auto params = tiny.list();
  EXPECT_THROW(ok.step(params, -1e-3), std::invalid_argument);
}

TEST(LrSchedule, WarmupThenCosineToFloor) {
  const LrSchedule s{6e-4, 10, 110, 0.1};
  s.validate();
  const double peak = 6e-4, floor = 6e-5;
  EXPECT_DOUBLE_EQ(s.at(0), peak / 10) << "warmup starts at peak/warmup";
  EXPECT_DOUBLE_EQ(s.at(4), peak * 5 / 10);
  EXPECT_DOUBLE_EQ(s.at(9), peak) << "warmup ends at peak on step warmup-1";
  EXPECT_DOUBLE_EQ(s.at(10), peak) << "cosine starts at peak";
  EXPECT_NEAR(s.at(60), (peak + floor) / 2, 1e-15) << "halfway through the cosine";
  EXPECT_NEAR(s.at(35), floor + 0.5 * (1 + std::cos(M_PI * 0.25)) * (peak - floor), 1e-15);
  EXPECT_NEAR(s.at(109), floor + 0.5 * (1 + std::cos(M_PI * 0.99)) * (peak - floor), 1e-15);
  EXPECT_DOUBLE_EQ(s.at(110), floor) << "end";
  EXPECT_DOUBLE_EQ(s.at(1000000), floor) << "constant beyond the end";
  for (int64_t t = 10; t < 110; ++t) EXPECT_LE(s.at(t + 1), s.at(t)) << t;
  EXPECT_THROW(s.at(-1), std::invalid_argument);
}

TEST(LrSchedule, EdgeCasesAndValidation) {
  const LrSchedule no_warmup{1.0, 0, 4, 0.0};
  EXPECT_DOUBLE_EQ(no_warmup.at(0), 1.0);
  EXPECT_NEAR(no_warmup.at(2), 0.5, 1e-15);
  EXPECT_DOUBLE_EQ(no_warmup.at(4), 0.0);
  const LrSchedule all_warmup{1.0, 4, 4, 0.1};
  all_warmup.validate();
  EXPECT_DOUBLE_EQ(all_warmup.at(3), 1.0);
  EXPECT_DOUBLE_EQ(all_warmup.at(4), 0.1);
  EXPECT_THROW((LrSchedule{1.0, 5, 4, 0.1}.validate()), std::invalid_argument);
  EXPECT_THROW((LrSchedule{0.0, 0, 4, 0.1}.validate()), std::invalid_argument);
  EXPECT_THROW((LrSchedule{1.0, 0, 0, 0.1}.validate()), std::invalid_argument);
  EXPECT_THROW((LrSchedule{1.0, 0, 4, 1.5}.validate()), std::invalid_argument);
  try {
    LrSchedule{1.0, 5, 4, 0.1}.validate();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("warmup_steps = 5 exceeds total_steps = 4"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace ablate
