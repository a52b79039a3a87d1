#include "harness/train/optimizer.h"

#include <cmath>
#include <set>

#include "components/core/parallel.h"
#include "components/core/row_reduce.h"
#include "components/core/text.h"

namespace ablate {
namespace {

// Elements per parallel task. Fixed, so chunk boundaries (and the norm's summation order)
// depend only on the tensor size.
constexpr int64_t kChunk = int64_t(1) << 16;

const std::string kExpAvg = ".exp_avg";
const std::string kExpAvgSq = ".exp_avg_sq";

// Σ x² in double: partial sums over fixed chunks (each in lanes: lane_sum), added in chunk order.
double sum_squares(const float* x, int64_t n) {
  const int64_t n_chunks = (n + kChunk - 1) / kChunk;
  std::vector<double> partial(static_cast<size_t>(n_chunks), 0.0);
  parallel_chunks(n, kChunk, [&](int64_t b, int64_t e) {
    const float* xb = x + b;
    const double s = lane_sum<double>(e - b, [&](int64_t i) { return double(xb[i]) * double(xb[i]); });
    partial[static_cast<size_t>(b / kChunk)] = s;
  });
  double total = 0;
  for (double s : partial) total += s;
  return total;
}

bool all_finite(const float* x, int64_t n) {
  const int64_t n_chunks = (n + kChunk - 1) / kChunk;
  std::vector<char> bad(static_cast<size_t>(n_chunks), 0);
  parallel_chunks(n, kChunk, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i)
      if (!std::isfinite(x[i])) {
        bad[static_cast<size_t>(b / kChunk)] = 1;
        return;
      }
  });
  for (char c : bad)
    if (c) return false;
  return true;
}

std::string size_mismatch(const std::string& tensor, int64_t found, const std::string& param,
                          const std::vector<int64_t>& shape) {
  return "AdamW: optimizer state '" + tensor + "' has " + std::to_string(found) + " values, expected " +
         std::to_string(shape_numel(shape)) + " for parameter '" + param + "' of shape " + shape_string(shape);
}

}  // namespace

AdamW::AdamW(AdamWConfig config) : config_(config) {
  auto check = [](bool ok, const std::string& what) {
    if (!ok) throw std::invalid_argument("AdamW: " + what);
  };
  check(config_.beta1 >= 0 && config_.beta1 < 1, "beta1 = " + std::to_string(config_.beta1) + " is outside [0, 1)");
  check(config_.beta2 >= 0 && config_.beta2 < 1, "beta2 = " + std::to_string(config_.beta2) + " is outside [0, 1)");
  check(config_.eps >= 0 && std::isfinite(config_.eps), "eps = " + std::to_string(config_.eps) + " must be >= 0");
  check(config_.weight_decay >= 0 && std::isfinite(config_.weight_decay),
        "weight_decay = " + std::to_string(config_.weight_decay) + " must be >= 0");
  check(config_.grad_clip >= 0 && std::isfinite(config_.grad_clip),
        "grad_clip = " + std::to_string(config_.grad_clip) + " must be >= 0 (0 = off)");
}

void AdamW::bind(const ParameterList<float>& params, bool create) {
  // Fast path: the state already lines up with the list.
  bool aligned = state_.size() == params.size();
  for (size_t i = 0; aligned && i < params.size(); ++i)
    aligned = state_[i].name == params[i].name && state_[i].exp_avg.numel() == params[i].param->value.numel() &&
              state_[i].exp_avg.shape == params[i].param->value.shape;
  if (aligned) return;

  std::set<std::string> seen;
  for (const auto& p : params)
    if (!seen.insert(p.name).second) throw OptimizerError("AdamW: parameter '" + p.name + "' appears twice in the list");

  // Check everything before changing anything.
  std::unordered_map<std::string, size_t> index;
  for (size_t i = 0; i < state_.size(); ++i) index.emplace(state_[i].name, i);
  for (const auto& p : params) {
    auto it = index.find(p.name);
    if (it == index.end()) {
      if (create) continue;
      throw OptimizerError("AdamW: no optimizer state for parameter '" + p.name + "' (the state holds " +
                           std::to_string(state_.size()) + " parameters; was it saved from another model?)");
    }
    const State& s = state_[it->second];
    if (s.exp_avg.numel() != p.param->value.numel())
      throw OptimizerError(size_mismatch(p.name + kExpAvg, s.exp_avg.numel(), p.name, p.param->value.shape));
  }
  for (const auto& s : state_)
    if (!seen.count(s.name))
      throw OptimizerError("AdamW: optimizer state '" + s.name + kExpAvg + "' matches no parameter in the list");

  std::vector<State> ordered;
  ordered.reserve(params.size());
  for (const auto& p : params) {
    auto it = index.find(p.name);
    State s;
    if (it == index.end()) {
      s.name = p.name;
      s.exp_avg = Tensor<float>(p.param->value.shape);
      s.exp_avg_sq = Tensor<float>(p.param->value.shape);
    } else {
      s = std::move(state_[it->second]);
      s.exp_avg.shape = p.param->value.shape;  // loaded state arrives flat
      s.exp_avg_sq.shape = p.param->value.shape;
    }
    ordered.push_back(std::move(s));
  }
  state_ = std::move(ordered);
}

void AdamW::init_state(const ParameterList<float>& params) { bind(params, /*create=*/true); }

double AdamW::step(ParameterList<float>& params, double lr) {
  if (!(lr >= 0) || !std::isfinite(lr))
    throw std::invalid_argument("AdamW::step: learning rate " + std::to_string(lr) + " must be finite and >= 0");
  bind(params, /*create=*/state_.empty());
  for (const auto& p : params)
    if (p.param->grad.numel() != p.param->value.numel())
      throw OptimizerError("AdamW: parameter '" + p.name + "' has shape " + shape_string(p.param->value.shape) +
                           " but its gradient has shape " + shape_string(p.param->grad.shape));

  const double norm = gradient_norm(params);
  if (!std::isfinite(norm)) return norm;
  double clip = 1.0;
  if (config_.grad_clip > 0) clip = std::min(1.0, config_.grad_clip / (norm + 1e-6));
  const bool clipping = clip < 1.0;

  ++steps_taken_;
  const double t = double(steps_taken_);
  const double b1 = config_.beta1, b2 = config_.beta2, eps = config_.eps;
  const double step_size = lr / (1 - std::pow(b1, t));
  const double bc2_sqrt = std::sqrt(1 - std::pow(b2, t));
  for (size_t k = 0; k < params.size(); ++k) {
    Parameter<float>& param = *params[k].param;
    State& s = state_[k];
    const double decay = (param.decay && config_.weight_decay > 0) ? 1 - lr * config_.weight_decay : 1.0;
    float* p = param.value.ptr();
    float* g = param.grad.ptr();
    float* m = s.exp_avg.ptr();
    float* v = s.exp_avg_sq.ptr();
    // PyTorch's fp32 operations, in its order, each rounded to fp32 (the scalars too): p·decay;
    // m·β₁ + (1−β₁)·g; v·β₂ + ((1−β₂)·g)·g; sqrt(v) / sqrt(1−β₂ᵗ) + ε; p + (−step)·(m / denom).
    const float f_decay = float(decay), f_b1 = float(b1), f_1mb1 = float(1 - b1), f_b2 = float(b2),
                f_1mb2 = float(1 - b2), f_bc2_sqrt = float(bc2_sqrt), f_eps = float(eps), f_step = float(-step_size);
    // (The scalars are copied into the task: read through references, any store to p, m or v
    // might change them, and the loop would not vectorise.)
    parallel_chunks(param.value.numel(), kChunk,
                    [&, f_decay, f_b1, f_1mb1, f_b2, f_1mb2, f_bc2_sqrt, f_eps, f_step](int64_t b, int64_t e) {
      if (clipping)
        for (int64_t i = b; i < e; ++i) g[i] = float(double(g[i]) * clip);
      // No branch and no errno (CMakeLists.txt: -fno-math-errno here; v >= 0, so sqrt never sets
      // it) in this loop: it vectorises, with the same correctly rounded sqrt and division.
      for (int64_t i = b; i < e; ++i) {
        const float gi = g[i];
        const float mi = m[i] * f_b1 + f_1mb1 * gi;
        const float vi = v[i] * f_b2 + f_1mb2 * gi * gi;
        m[i] = mi;
        v[i] = vi;
        const float denom = std::sqrt(vi) / f_bc2_sqrt + f_eps;
        p[i] = p[i] * f_decay + f_step * (mi / denom);
      }
    });
    param.mark_changed();
  }
  return norm;
}

std::vector<std::pair<std::string, const Tensor<float>*>> AdamW::state_tensors() const {
  std::vector<std::pair<std::string, const Tensor<float>*>> out;
  out.reserve(2 * state_.size());
  for (const auto& s : state_) {
    out.emplace_back(s.name + kExpAvg, &s.exp_avg);
    out.emplace_back(s.name + kExpAvgSq, &s.exp_avg_sq);
  }
  return out;
}

void AdamW::load_state(const std::map<std::string, std::vector<float>>& tensors, int64_t steps_taken) {
  if (steps_taken < 0) throw OptimizerError("AdamW: steps_taken = " + std::to_string(steps_taken) + " is negative");
  if (!state_.empty()) {
    // Validate against the state held, then copy.
    size_t used = 0;
    for (const auto& s : state_)
      for (const std::string* suffix : {&kExpAvg, &kExpAvgSq}) {
        const std::string key = s.name + *suffix;
        auto it = tensors.find(key);
        if (it == tensors.end()) throw OptimizerError("AdamW: optimizer state is missing tensor '" + key + "'");
        if (int64_t(it->second.size()) != s.exp_avg.numel())
          throw OptimizerError(size_mismatch(key, int64_t(it->second.size()), s.name, s.exp_avg.shape));
        ++used;
      }
    if (used != tensors.size()) {
      std::set<std::string> known;
      for (const auto& s : state_) known.insert({s.name + kExpAvg, s.name + kExpAvgSq});
      for (const auto& kv : tensors)
        if (!known.count(kv.first))
          throw OptimizerError("AdamW: unexpected optimizer state tensor '" + kv.first + "' (no such parameter)");
    }
    for (auto& s : state_) {
      s.exp_avg.data = tensors.at(s.name + kExpAvg);
      s.exp_avg_sq.data = tensors.at(s.name + kExpAvgSq);
    }
    steps_taken_ = steps_taken;
    return;
  }
  // No state yet: take the tensors as they are; step() matches them to the parameters.
  if (tensors.empty()) throw OptimizerError("AdamW: the optimizer state to load holds no tensors");
  std::vector<State> loaded;
  for (const auto& [key, values] : tensors) {
    if (ends_with(key, kExpAvgSq)) {
      const std::string name = key.substr(0, key.size() - kExpAvgSq.size());
      if (!tensors.count(name + kExpAvg)) throw OptimizerError("AdamW: optimizer state is missing tensor '" + name + kExpAvg + "'");
      continue;
    }
    if (!ends_with(key, kExpAvg))
      throw OptimizerError("AdamW: unexpected optimizer state tensor '" + key + "' (names end in " + kExpAvg + " or " +
                           kExpAvgSq + ")");
    const std::string name = key.substr(0, key.size() - kExpAvg.size());
    auto sq = tensors.find(name + kExpAvgSq);
    if (sq == tensors.end()) throw OptimizerError("AdamW: optimizer state is missing tensor '" + name + kExpAvgSq + "'");
    if (sq->second.size() != values.size())
      throw OptimizerError("AdamW: optimizer state '" + name + kExpAvgSq + "' has " + std::to_string(sq->second.size()) +
                           " values but '" + key + "' has " + std::to_string(values.size()));
    State s;
    s.name = name;
    s.exp_avg.shape = s.exp_avg_sq.shape = {int64_t(values.size())};
    s.exp_avg.data = values;
    s.exp_avg_sq.data = sq->second;
    loaded.push_back(std::move(s));
  }
  state_ = std::move(loaded);
  steps_taken_ = steps_taken;
}

int64_t AdamW::state_bytes() const {
  int64_t bytes = 0;
  for (const auto& s : state_) bytes += s.exp_avg.bytes_allocated() + s.exp_avg_sq.bytes_allocated();
  return bytes;
}

double gradient_norm(const ParameterList<float>& params) {
  double total = 0;
  for (const auto& p : params) total += sum_squares(p.param->grad.ptr(), p.param->grad.numel());
  return std::sqrt(total);
}

void scale_gradients(ParameterList<float>& params, double factor) {
  for (auto& p : params) {
    float* g = p.param->grad.ptr();
    parallel_chunks(p.param->grad.numel(), kChunk, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) g[i] = float(double(g[i]) * factor);
    });
  }
}

std::string first_non_finite(const ParameterList<float>& params) {
  for (const auto& p : params)
    if (!all_finite(p.param->grad.ptr(), p.param->grad.numel())) return p.name;
  return "";
}

}  // namespace ablate
