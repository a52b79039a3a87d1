// Student t intervals over seeds (see statistics.h for the recipe and its source).
#include "reports/statistics.h"

#include <cmath>
#include <limits>
#include <map>
#include <stdexcept>

namespace ablate {
namespace {

// The continued fraction of I_x(a, b) (Abramowitz & Stegun 26.5.8), by the modified Lentz method:
//   1 / (1 + d1 / (1 + d2 / (1 + ...))),
//   d_{2m+1} = −(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1)),  d_{2m} = m (b − m) x / ((a + 2m − 1)(a + 2m)).
// Converges fast for x < (a + 1) / (a + b + 2).
double beta_continued_fraction(double x, double a, double b) {
  constexpr double kTiny = 1e-300, kEpsilon = 1e-16;
  double f = kTiny, c = f, d = 0;
  for (int j = 1; j <= 10000; ++j) {
    double numerator = 1;  // a_1 = 1, then a_{j} = d_{j−1}
    if (j > 1) {
      const int i = j - 1;
      const double m = i / 2;
      numerator = i % 2 == 1 ? -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
                             : m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m));
    }
    d = 1 + numerator * d;
    if (std::abs(d) < kTiny) d = kTiny;
    c = 1 + numerator / c;
    if (std::abs(c) < kTiny) c = kTiny;
    d = 1 / d;
    const double delta = c * d;
    f *= delta;
    if (std::abs(delta - 1) < kEpsilon) return f;
  }
  return f;  // not reached for the arguments the t distribution uses
}

// P(T > t) for t ≥ 0: ½ · I_{df/(df+t²)}(df/2, ½); the normal's ½ · erfc(t/√2) for df = ∞.
double upper_tail(double t, double df) {
  if (std::isinf(df)) return 0.5 * std::erfc(t / std::sqrt(2.0));
  return 0.5 * regularized_incomplete_beta(df / (df + t * t), df / 2, 0.5);
}

double mean_of(const std::vector<double>& v) {
  double sum = 0;
  for (double x : v) sum += x;
  return sum / static_cast<double>(v.size());
}

// Sample variance (n − 1 in the denominator); needs n ≥ 2.
double variance_of(const std::vector<double>& v) {
  const double m = mean_of(v);
  double sq = 0;
  for (double x : v) sq += (x - m) * (x - m);
  return sq / static_cast<double>(v.size() - 1);
}

std::string seeds_text(int64_t n) { return std::to_string(n) + (n == 1 ? " seed" : " seeds"); }

}  // namespace

double regularized_incomplete_beta(double x, double a, double b) {
  if (!(a > 0) || !(b > 0) || !(x >= 0) || !(x <= 1))
    throw std::invalid_argument("regularized_incomplete_beta: needs a, b > 0 and x in [0, 1]");
  if (x == 0 || x == 1) return x;
  // x^a (1 − x)^b / (a B(a, b)), in logs.
  const double front =
      std::exp(a * std::log(x) + b * std::log1p(-x) - (std::lgamma(a) + std::lgamma(b) - std::lgamma(a + b)));
  if (x < (a + 1) / (a + b + 2)) return front / a * beta_continued_fraction(x, a, b);
  return 1 - front / b * beta_continued_fraction(1 - x, b, a);  // I_x(a, b) = 1 − I_{1−x}(b, a)
}

double student_t_cdf(double t, double df) {
  if (!(df > 0)) throw std::invalid_argument("student_t_cdf: degrees of freedom must be > 0");
  const double tail = upper_tail(std::abs(t), df);
  return t >= 0 ? 1 - tail : tail;
}

double student_t_quantile(double p, double df) {
  if (!(p > 0 && p < 1)) throw std::invalid_argument("student_t_quantile: p must be in (0, 1)");
  if (!(df > 0)) throw std::invalid_argument("student_t_quantile: degrees of freedom must be > 0");
  if (p == 0.5) return 0;
  if (p < 0.5) return -student_t_quantile(1 - p, df);
  const double tail = 1 - p;  // solve P(T > t) = tail for t ≥ 0: the tail decreases in t
  double lo = 0, hi = 1;
  while (upper_tail(hi, df) > tail) {
    lo = hi;
    hi *= 2;
  }
  for (int i = 0; i < 200 && hi - lo > 1e-15 * hi; ++i) {
    const double mid = 0.5 * (lo + hi);
    (upper_tail(mid, df) > tail ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

bool Difference::distinguishable() const { return kind != IntervalKind::kNone && (low > 0 || high < 0); }

Difference difference_interval(const std::vector<SeedValue>& baseline, const std::vector<SeedValue>& variant,
                               double level) {
  Difference d;
  std::vector<double> a, b;
  std::map<std::string, double> a_by_seed;
  for (const SeedValue& s : baseline)
    if (std::isfinite(s.value)) {
      a.push_back(s.value);
      if (!s.seed.empty()) a_by_seed[s.seed] = s.value;
    }
  std::vector<double> paired;  // variant − baseline at each shared seed
  for (const SeedValue& s : variant)
    if (std::isfinite(s.value)) {
      b.push_back(s.value);
      auto it = s.seed.empty() ? a_by_seed.end() : a_by_seed.find(s.seed);
      if (it != a_by_seed.end()) paired.push_back(s.value - it->second);
    }
  d.n_baseline = static_cast<int64_t>(a.size());
  d.n_variant = static_cast<int64_t>(b.size());
  if (a.empty() || b.empty()) {
    d.difference = std::numeric_limits<double>::quiet_NaN();
    return d;
  }
  const double p = 1 - (1 - level) / 2;
  if (paired.size() >= 2) {
    const double n = static_cast<double>(paired.size());
    d.kind = IntervalKind::kPaired;
    d.pairs = static_cast<int64_t>(paired.size());
    d.difference = mean_of(paired);
    d.df = n - 1;
    const double half = student_t_quantile(p, d.df) * std::sqrt(variance_of(paired) / n);
    d.low = d.difference - half;
    d.high = d.difference + half;
    return d;
  }
  d.difference = mean_of(b) - mean_of(a);
  if (a.size() < 2 || b.size() < 2) return d;  // n = 1: no interval
  const double na = static_cast<double>(a.size()), nb = static_cast<double>(b.size());
  const double va = variance_of(a) / na, vb = variance_of(b) / nb, se = std::sqrt(va + vb);
  d.kind = IntervalKind::kWelch;
  // Both variances zero: the interval is the point, at the pooled degrees of freedom.
  d.df = se > 0 ? (va + vb) * (va + vb) / (va * va / (na - 1) + vb * vb / (nb - 1)) : na + nb - 2;
  const double half = se > 0 ? student_t_quantile(p, d.df) * se : 0;
  d.low = d.difference - half;
  d.high = d.difference + half;
  return d;
}

std::string interval_method_text(const Difference& d) {
  switch (d.kind) {
    case IntervalKind::kPaired: return "paired, " + seeds_text(d.pairs);
    case IntervalKind::kWelch:
      return "Welch, " + std::to_string(d.n_baseline) + " and " + seeds_text(d.n_variant);
    case IntervalKind::kNone: break;
  }
  if (d.n_baseline == 0 || d.n_variant == 0) return "no values";
  return "n = 1: no interval";
}

std::string distinguishability_mark(const Difference& d) {
  if (d.kind == IntervalKind::kNone) return d.n_baseline == 0 || d.n_variant == 0 ? "no values" : "n = 1: no interval";
  if (d.distinguishable()) return "";
  return "not distinguishable with " +
         (d.kind == IntervalKind::kPaired ? seeds_text(d.pairs)
                                          : std::to_string(d.n_baseline) + " and " + seeds_text(d.n_variant));
}

}  // namespace ablate
