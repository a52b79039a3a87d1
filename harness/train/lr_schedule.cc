#include "harness/train/lr_schedule.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace ablate {

double LrSchedule::at(int64_t step) const {
  if (step < 0) throw std::invalid_argument("LrSchedule::at: step " + std::to_string(step) + " is negative");
  if (step < warmup_steps) return peak_lr * double(step + 1) / double(warmup_steps);
  const double min_lr = min_lr_ratio * peak_lr;
  if (step >= total_steps) return min_lr;
  const double r = double(step - warmup_steps) / double(total_steps - warmup_steps);
  const double pi = std::acos(-1.0);
  return min_lr + 0.5 * (1.0 + std::cos(pi * r)) * (peak_lr - min_lr);
}

void LrSchedule::validate() const {
  auto fail = [](const std::string& what) { throw std::invalid_argument("lr schedule: " + what); };
  if (!(peak_lr > 0) || !std::isfinite(peak_lr)) fail("peak_lr = " + std::to_string(peak_lr) + " must be > 0");
  if (total_steps < 1) fail("total_steps = " + std::to_string(total_steps) + " must be >= 1");
  if (warmup_steps < 0) fail("warmup_steps = " + std::to_string(warmup_steps) + " must be >= 0");
  if (warmup_steps > total_steps)
    fail("warmup_steps = " + std::to_string(warmup_steps) + " exceeds total_steps = " + std::to_string(total_steps));
  if (!(min_lr_ratio >= 0 && min_lr_ratio <= 1))
    fail("min_lr_ratio = " + std::to_string(min_lr_ratio) + " is outside [0, 1]");
}

}  // namespace ablate
