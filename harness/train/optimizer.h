// AdamW with global-norm gradient clipping: decoupled weight decay (Loshchilov & Hutter 2019,
// "Decoupled Weight Decay Regularization"), computed the way torch.optim.AdamW (single-tensor
// path, amsgrad off) and torch.nn.utils.clip_grad_norm_ compute it. One step with learning rate
// lr, step number t = steps_taken() + 1, gradient g of parameter p:
//
//   ‖g‖   = sqrt(Σ_params Σ_i g_i²)                      global L2 norm over every gradient
//   c     = grad_clip / (‖g‖ + 1e-6);  if grad_clip > 0 and c < 1:  g ← c·g   (in place)
//   p     ← p · (1 − lr·weight_decay)                    only for parameters with decay = true
//   m     ← β₁ m + (1 − β₁) g                            "exp_avg"
//   v     ← β₂ v + (1 − β₂) g²                           "exp_avg_sq"
//   p     ← p − (lr / (1 − β₁ᵗ)) · m / (sqrt(v) / sqrt(1 − β₂ᵗ) + ε)
//
// Arithmetic: m, v and p are stored in fp32, and each element's update is evaluated in fp32, by
// PyTorch's operations in PyTorch's order (optimizer.cc), so results agree with its fp32 kernels to
// an ulp or so (they may fuse a multiply and an add where this build does not, or the reverse).
// (Until run 9 of reports/precision_bf16.md the update was evaluated in double: its sqrt and
// division took 8% of a bf16 training step.)
// The norm is accumulated in double: per parameter, partial sums over fixed 64K-element chunks
// added in chunk order, then the per-parameter sums added in list order. Nothing depends on the
// thread count or timing, so a step is bit-identical run to run.
//
// State (m, v) is keyed by parameter name and created, zero-filled, at the first step from that
// step's parameter list (or by init_state). Every later step must bring exactly the same names
// with the same element counts; any difference is an OptimizerError naming the tensor.
// Gradient accumulation is the caller's job: gradients add up over micro-batches, the caller
// scales the loss (or calls scale_gradients) and then calls step once.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "components/core/parameter.h"
#include "components/core/tensor.h"
#include "harness/common/errors.h"

namespace ablate {

struct AdamWConfig {
  double lr = 3e-4;  // the default peak rate; step() takes the rate of each step explicitly
  double beta1 = 0.9, beta2 = 0.95, eps = 1e-8, weight_decay = 0.1;
  double grad_clip = 1.0;  // max global L2 norm of the gradients; 0 = off
};

class AdamW {
 public:
  // std::invalid_argument for betas outside [0, 1), or a negative eps, weight_decay or grad_clip.
  explicit AdamW(AdamWConfig config);

  // Clips the gradients in place (when grad_clip > 0 and grad_clip / (norm + 1e-6) < 1, as
  // torch's clip_grad_norm_ does; below that they are not touched at all), then applies one
  // AdamW update to every parameter in `params` with learning rate `lr` (≥ 0, finite).
  // Returns the global L2 norm of the gradients before clipping (computed even when clipping
  // is off, for logging).
  // A non-finite norm (a NaN or Inf in some gradient) skips the step: parameters, gradients, m,
  // v and steps_taken() are left untouched and the non-finite norm is returned; the caller can
  // name the culprit with first_non_finite(params).
  double step(ParameterList<float>& params, double lr);

  int64_t steps_taken() const { return steps_taken_; }
  const AdamWConfig& config() const { return config_; }

  // Creates zero state for every parameter not yet held (and checks the rest as step() does),
  // without updating anything. Call it before load_state to have load_state check shapes at once.
  void init_state(const ParameterList<float>& params);

  // For checkpoints: ("<param>.exp_avg", m) and ("<param>.exp_avg_sq", v) for each parameter,
  // in parameter-list order, with the parameter's shape. Empty before the first step or
  // init_state. The pointers stay valid until the next step, init_state or load_state.
  std::vector<std::pair<std::string, const Tensor<float>*>> state_tensors() const;

  // Restores m and v (keyed as state_tensors names them) and the step count. All or nothing:
  // on error nothing changes.
  // - When state is held (after a step or init_state): every "<param>.exp_avg" and
  //   "<param>.exp_avg_sq" must be present with the parameter's element count, and no other
  //   names; errors name the missing tensor, or the tensor with both sizes and the shape.
  // - When none is held yet: the tensors are taken as they are (pairs must be complete and of
  //   equal size) and matched to the parameters at the next step, which then raises the same
  //   errors (a parameter without state, a size mismatch, a state tensor matching no parameter).
  //   An empty map is an error here (it would silently restart from zero state).
  void load_state(const std::map<std::string, std::vector<float>>& tensors, int64_t steps_taken);

  // Bytes held by m and v (0 before the state exists): 8 bytes per parameter element.
  int64_t state_bytes() const;

 private:
  struct State {
    std::string name;  // the parameter's name
    Tensor<float> exp_avg, exp_avg_sq;
  };
  // Makes state_ line up with `params` one to one (creating it on first use when `create`),
  // reordering it into parameter order; throws OptimizerError on any mismatch.
  void bind(const ParameterList<float>& params, bool create);

  AdamWConfig config_;
  int64_t steps_taken_ = 0;
  std::vector<State> state_;
};

// sqrt(Σ g²) over every gradient, accumulated in double in the fixed order described above.
double gradient_norm(const ParameterList<float>& params);

// g ← factor·g for every gradient (e.g. 1/micro_batches when the loss was not scaled).
void scale_gradients(ParameterList<float>& params, double factor);

// The name of the first parameter, in list order, whose gradient holds a NaN or ±Inf;
// "" when every gradient is finite.
std::string first_non_finite(const ParameterList<float>& params);

}  // namespace ablate
