// Learning-rate schedule: linear warmup, then cosine decay to a floor (as in nanoGPT's get_lr
// and llm.c's train_gpt2). With P = peak_lr, W = warmup_steps, N = total_steps,
// L = min_lr_ratio·P and step s counted from 0:
//
//   s < W:        lr = P · (s + 1) / W                            P/W at s = 0, P at s = W − 1
//   W ≤ s < N:    r = (s − W) / (N − W),  lr = L + ½ (1 + cos(π r)) (P − L)
//                                                                  P at s = W, falling towards L
//   s ≥ N:        lr = L                                           constant after the end
//
// W = 0 means no warmup (cosine from step 0); W = N means warmup then the floor at once.
#pragma once

#include <cstdint>

namespace ablate {

struct LrSchedule {
  double peak_lr = 3e-4;
  int64_t warmup_steps = 0;
  int64_t total_steps = 0;
  double min_lr_ratio = 0.1;

  // The learning rate of step `step` (≥ 0; std::invalid_argument otherwise).
  double at(int64_t step) const;
  // std::invalid_argument naming the field unless peak_lr > 0 (finite), 0 ≤ warmup_steps ≤
  // total_steps, total_steps ≥ 1 and min_lr_ratio in [0, 1].
  void validate() const;
};

}  // namespace ablate
