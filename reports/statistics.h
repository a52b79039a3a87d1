// Student t intervals for the report: the difference of a metric between a variant and the
// baseline variant over seeds, with a 95% interval, and the mark a reader needs when the interval
// does not exclude zero.
//
// Recipe (any statistics text, e.g. NIST/SEMATECH e-Handbook §7.3.1 and §1.3.5.3):
//   paired by seed (the seeds both variants have, at least two of them): d_s = b_s − a_s,
//     difference = mean(d), interval = mean(d) ± t(1 − α/2, n − 1) · sd(d) / √n;
//   else Welch's two-sample interval (each variant with at least two seeds):
//     difference = mean(b) − mean(a), se = √(s_a²/n_a + s_b²/n_b),
//     df = se⁴ / ((s_a²/n_a)²/(n_a − 1) + (s_b²/n_b)²/(n_b − 1))  (Welch–Satterthwaite),
//     interval = difference ± t(1 − α/2, df) · se;
//   else (a variant with one seed) no interval: "n = 1: no interval".
// Quantiles of Student's t are exact: the CDF is 1 − ½·I_{df/(df+t²)}(df/2, ½) for t ≥ 0 (I: the
// regularized incomplete beta function, evaluated by its continued fraction), inverted by
// bisection; df = ∞ is the standard normal.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ablate {

// I_x(a, b), the regularized incomplete beta function, for a, b > 0 and x in [0, 1].
double regularized_incomplete_beta(double x, double a, double b);
// P(T ≤ t) for Student's t with `df` degrees of freedom (df > 0; infinity: the standard normal).
double student_t_cdf(double t, double df);
// The p-quantile (0 < p < 1) of Student's t with `df` degrees of freedom (infinity: normal).
double student_t_quantile(double p, double df);

// One seed's value of a metric. An empty seed never pairs (a result without a "seed" field).
struct SeedValue {
  std::string seed;
  double value = 0;
};

enum class IntervalKind { kNone, kPaired, kWelch };

// variant − baseline.
struct Difference {
  IntervalKind kind = IntervalKind::kNone;
  int64_t n_baseline = 0, n_variant = 0;  // seeds of each
  int64_t pairs = 0;                      // seeds shared, used when kind is kPaired
  double difference = 0;                  // NaN when either side has no value
  double low = 0, high = 0, df = 0;       // the interval and its degrees of freedom (kind ≠ kNone)
  // Whether the interval excludes zero (false without an interval).
  bool distinguishable() const;
};

// The difference of `variant` from `baseline` with its `level` (0.95) interval, by the recipe above.
Difference difference_interval(const std::vector<SeedValue>& baseline, const std::vector<SeedValue>& variant,
                               double level = 0.95);

// "paired, 3 seeds", "Welch, 2 and 3 seeds", "n = 1: no interval" (and "no values").
std::string interval_method_text(const Difference& d);
// "not distinguishable with 3 seeds" when the interval contains 0, "n = 1: no interval" without
// one, else "" (the interval excludes 0).
std::string distinguishability_mark(const Difference& d);

}  // namespace ablate
