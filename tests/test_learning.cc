// A tiny model of each family learns to copy: given "x₁…x₆ SEP", it must predict x₁…x₆ again,
// which needs attention to look 7 positions back. Trained with the harness AdamW (no decay, no clipping).
#include <gtest/gtest.h>

#include <cmath>

#include "components/core/cross_entropy.h"
#include "components/model/model.h"
#include "harness/train/optimizer.h"
#include "tests/test_support.h"

namespace ablate {
namespace {

// Copy-task batch: sequence x₁…x_k SEP x₁…x_k; inputs are its first 2k tokens, and only the
// predictions of the copied half are scored (other targets are −1 = ignored).
void copy_batch(Rng& rng, int64_t B, int64_t k, int64_t vocab, std::vector<int32_t>& inputs,
                std::vector<int32_t>& targets) {
  const int32_t sep = static_cast<int32_t>(vocab - 1);
  const int64_t T = 2 * k;
  inputs.assign(B * T, 0);
  targets.assign(B * T, -1);
  for (int64_t b = 0; b < B; ++b) {
    std::vector<int32_t> s(2 * k + 1);
    for (int64_t i = 0; i < k; ++i) s[i] = s[k + 1 + i] = static_cast<int32_t>(rng.below(vocab - 1));
    s[k] = sep;
    for (int64_t t = 0; t < T; ++t) {
      inputs[b * T + t] = s[t];
      if (t >= k) targets[b * T + t] = s[t + 1];
    }
  }
}

TEST(Learning, TinyModelOfEachFamilyLearnsToCopy) {
  constexpr int64_t kVocab = 12, kCopy = 6, B = 16, T = 2 * kCopy, kSteps = 400;
  constexpr double kThreshold = 0.05;  // nats per copied token; chance is ln(11) = 2.40
  for (const auto& family : testing::families()) {
    ModelConfig c = testing::tiny_config(family);
    c.vocab_size = kVocab;
    c.d_model = 32;
    c.context = T;
    c.init_std = 0.02;
    if (family == "yarn") c.position.scaling.factor = 1;  // trained at its own context
    c.resolve();
    Model<float> model(c, 1);
    AdamW opt(AdamWConfig{/*lr=*/3e-3, /*beta1=*/0.9, /*beta2=*/0.99, /*eps=*/1e-8, /*weight_decay=*/0.0,
                          /*grad_clip=*/0.0});
    CrossEntropy<float> ce;
    Rng rng(42);
    std::vector<int32_t> inputs, targets;
    std::vector<float> dlogits(B * T * kVocab);
    double first = 0, last = 0;
    for (int64_t step = 0; step < kSteps; ++step) {
      copy_batch(rng, B, kCopy, kVocab, inputs, targets);
      model.zero_grad();
      const auto& logits = model.forward(inputs.data(), B, T);
      const double loss = ce.forward(logits.ptr(), targets.data(), B * T, kVocab);
      if (step == 0) first = loss;
      last = loss;
      ce.backward(dlogits.data());
      model.backward(dlogits.data());
      auto params = model.parameters();
      opt.step(params, opt.config().lr);
    }
    EXPECT_GT(first, 2.0) << family;
    EXPECT_LT(last, kThreshold) << family << ": copy loss after " << kSteps << " steps";
    std::printf("copy task %-6s loss %.3f -> %.4f in %ld steps\n", family.c_str(), first, last, (long)kSteps);
  }
}

}  // namespace
}  // namespace ablate
