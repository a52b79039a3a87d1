// The report's Student t intervals (reports/statistics.h) on constructed inputs: t quantiles
// against their closed forms and printed tables, the CDF against a numerical integral of the
// density, a paired interval by hand, Welch's interval against an mpmath computation, pairing by
// seed (a case Welch cannot separate but the pairs do), the "not distinguishable" mark and n = 1.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "reports/statistics.h"

namespace ablate {
namespace {

// Student t density, normalised with lgamma: Γ((ν+1)/2) / (√(νπ) Γ(ν/2)) · (1 + t²/ν)^(−(ν+1)/2).
double t_density(double t, double df) {
  return std::exp(std::lgamma((df + 1) / 2) - std::lgamma(df / 2) - 0.5 * std::log(df * M_PI) -
                  (df + 1) / 2 * std::log1p(t * t / df));
}

// P(T ≤ t) = ½ + ∫₀ᵗ density, by composite Simpson's rule (independent of the incomplete beta).
double t_cdf_by_integration(double t, double df) {
  const int n = 20000;
  const double h = t / n;
  double sum = t_density(0, df) + t_density(t, df);
  for (int i = 1; i < n; ++i) sum += (i % 2 ? 4 : 2) * t_density(i * h, df);
  return 0.5 + sum * h / 3;
}

TEST(ReportStatistics, IncompleteBetaMatchesItsClosedForms) {
  for (double x : {0.0, 0.1, 0.37, 0.5, 0.9, 1.0}) {
    EXPECT_NEAR(regularized_incomplete_beta(x, 1, 1), x, 1e-14);                          // uniform
    EXPECT_NEAR(regularized_incomplete_beta(x, 3, 1), std::pow(x, 3), 1e-14);             // I_x(a, 1) = x^a
    EXPECT_NEAR(regularized_incomplete_beta(x, 1, 2.5), 1 - std::pow(1 - x, 2.5), 1e-14);  // 1 − (1 − x)^b
  }
  EXPECT_NEAR(regularized_incomplete_beta(0.5, 7.5, 7.5), 0.5, 1e-14);  // symmetry
  EXPECT_THROW(regularized_incomplete_beta(1.5, 1, 1), std::invalid_argument);
}

TEST(ReportStatistics, TQuantilesAreExact) {
  // Printed tables (t(0.975, ν)), to their 3 decimals.
  EXPECT_NEAR(student_t_quantile(0.975, 1), 12.706, 5e-4);
  EXPECT_NEAR(student_t_quantile(0.975, 2), 4.303, 5e-4);
  EXPECT_NEAR(student_t_quantile(0.975, 4), 2.776, 5e-4);
  EXPECT_NEAR(student_t_quantile(0.975, 30), 2.042, 5e-4);
  EXPECT_NEAR(student_t_quantile(0.975, std::numeric_limits<double>::infinity()), 1.960, 5e-4);
  // Closed forms: ν = 1 (Cauchy) tan(π(p − ½)); ν = 2: (2p − 1) / √(2p(1 − p)); ν = 4:
  // 2√(q − 1), q = cos(arccos(√α)/3)/√α, α = 4p(1 − p).
  for (double p : {0.6, 0.9, 0.975, 0.995}) {
    EXPECT_NEAR(student_t_quantile(p, 1), std::tan(M_PI * (p - 0.5)), 1e-10 * std::tan(M_PI * (p - 0.5))) << p;
    EXPECT_NEAR(student_t_quantile(p, 2), (2 * p - 1) / std::sqrt(2 * p * (1 - p)), 1e-12) << p;
    const double alpha = 4 * p * (1 - p), q = std::cos(std::acos(std::sqrt(alpha)) / 3) / std::sqrt(alpha);
    EXPECT_NEAR(student_t_quantile(p, 4), 2 * std::sqrt(q - 1), 1e-12) << p;
    EXPECT_NEAR(student_t_quantile(1 - p, 4), -2 * std::sqrt(q - 1), 1e-12) << p;
  }
  // mpmath (30 digits, findroot on betainc): t(0.975, 30) and at a Welch-like fractional ν.
  EXPECT_NEAR(student_t_quantile(0.975, 30), 2.04227245630123831, 1e-12);
  EXPECT_NEAR(student_t_quantile(0.975, 4.9591836734693878), 2.57695844900905595, 1e-12);
  EXPECT_DOUBLE_EQ(student_t_quantile(0.5, 3), 0);
  EXPECT_THROW(student_t_quantile(1.0, 3), std::invalid_argument);
  EXPECT_THROW(student_t_quantile(0.9, 0), std::invalid_argument);
}

TEST(ReportStatistics, TCdfEqualsTheIntegralOfTheDensity) {
  for (double df : {1.0, 2.5, 4.0, 9.3, 60.0})
    for (double t : {0.3, 1.0, 2.2, 5.0})
      EXPECT_NEAR(student_t_cdf(t, df), t_cdf_by_integration(t, df), 1e-11) << "t=" << t << " df=" << df;
  EXPECT_NEAR(student_t_cdf(-1.0, 2.5), 1 - student_t_cdf(1.0, 2.5), 1e-15);
}

TEST(ReportStatistics, PairedIntervalBySeed) {
  // Per-seed differences 0.10, 0.11, 0.12: mean 0.11, sd 0.01, interval 0.11 ± t(0.975, 2) · 0.01 / √3.
  const std::vector<SeedValue> baseline = {{"0", 1.0}, {"1", 2.0}, {"2", 3.0}};
  const std::vector<SeedValue> variant = {{"2", 3.12}, {"0", 1.10}, {"1", 2.11}};  // order does not matter
  const Difference d = difference_interval(baseline, variant);
  ASSERT_EQ(d.kind, IntervalKind::kPaired);
  EXPECT_EQ(d.pairs, 3);
  EXPECT_NEAR(d.difference, 0.11, 1e-12);
  EXPECT_DOUBLE_EQ(d.df, 2);
  const double half = 4.302652729749464 * 0.01 / std::sqrt(3.0);
  EXPECT_NEAR(d.low, 0.11 - half, 1e-12);
  EXPECT_NEAR(d.high, 0.11 + half, 1e-12);
  EXPECT_TRUE(d.distinguishable());
  EXPECT_EQ(distinguishability_mark(d), "");
  EXPECT_EQ(interval_method_text(d), "paired, 3 seeds");

  // The same numbers without seeds to pair them: the seed-to-seed spread (1, 2, 3) swamps the
  // difference, and Welch's interval contains 0.
  std::vector<SeedValue> a = baseline, b = variant;
  for (SeedValue& s : a) s.seed = "";
  for (SeedValue& s : b) s.seed = "";
  const Difference w = difference_interval(a, b);
  ASSERT_EQ(w.kind, IntervalKind::kWelch);
  EXPECT_NEAR(w.difference, 0.11, 1e-12);
  EXPECT_LT(w.low, 0);
  EXPECT_GT(w.high, 0);
  EXPECT_FALSE(w.distinguishable());
  EXPECT_EQ(distinguishability_mark(w), "not distinguishable with 3 and 3 seeds");
  // Seeds that do not match pair nothing either.
  for (SeedValue& s : b) s.seed = "x" + std::to_string(&s - b.data());
  EXPECT_EQ(difference_interval(baseline, b).kind, IntervalKind::kWelch);
}

TEST(ReportStatistics, WelchIntervalMatchesMpmath) {
  // 1, 2, 3 against 4, 5, 6, 7: difference 3.5, se² = 1/3 + (5/3)/4, Welch–Satterthwaite
  // ν = 4.95918..., interval from mpmath: [1.26828851866121154, 5.73171148133878846].
  const Difference d = difference_interval({{"", 1}, {"", 2}, {"", 3}}, {{"", 4}, {"", 5}, {"", 6}, {"", 7}});
  ASSERT_EQ(d.kind, IntervalKind::kWelch);
  EXPECT_NEAR(d.difference, 3.5, 1e-14);
  EXPECT_NEAR(d.df, 4.95918367346938778, 1e-12);
  EXPECT_NEAR(d.low, 1.26828851866121154, 1e-11);
  EXPECT_NEAR(d.high, 5.73171148133878846, 1e-11);
  EXPECT_EQ(interval_method_text(d), "Welch, 3 and 4 seeds");
  EXPECT_TRUE(d.distinguishable());
}

TEST(ReportStatistics, AnIntervalContainingZeroIsMarked) {
  // Paired differences +0.1 and −0.05: the interval is wide around 0.025.
  const Difference d = difference_interval({{"0", 2.0}, {"1", 2.1}}, {{"0", 2.1}, {"1", 2.05}});
  ASSERT_EQ(d.kind, IntervalKind::kPaired);
  EXPECT_NEAR(d.difference, 0.025, 1e-12);
  const double half = 12.706204736174698 * std::sqrt(0.01125) / std::sqrt(2.0);  // sd² = (0.075² · 2) / 1
  EXPECT_NEAR(d.high - d.difference, half, 1e-10);
  EXPECT_FALSE(d.distinguishable());
  EXPECT_EQ(distinguishability_mark(d), "not distinguishable with 2 seeds");

  // Seeds that agree exactly (a parameter count): a zero-width interval, distinguishable only if non-zero.
  const Difference same = difference_interval({{"0", 100}, {"1", 100}}, {{"0", 100}, {"1", 100}});
  EXPECT_EQ(same.low, 0);
  EXPECT_EQ(same.high, 0);
  EXPECT_FALSE(same.distinguishable());
  const Difference fewer = difference_interval({{"0", 100}, {"1", 100}}, {{"0", 80}, {"1", 80}});
  EXPECT_EQ(fewer.low, -20);
  EXPECT_TRUE(fewer.distinguishable());
}

TEST(ReportStatistics, OneSeedHasNoInterval) {
  const Difference d = difference_interval({{"0", 2.0}}, {{"0", 2.5}});
  EXPECT_EQ(d.kind, IntervalKind::kNone);
  EXPECT_NEAR(d.difference, 0.5, 1e-15);
  EXPECT_FALSE(d.distinguishable());
  EXPECT_EQ(distinguishability_mark(d), "n = 1: no interval");
  EXPECT_EQ(interval_method_text(d), "n = 1: no interval");
  // One pair among several seeds that do not pair, with one side at a single seed: no interval either.
  EXPECT_EQ(difference_interval({{"0", 2.0}, {"1", 2.2}}, {{"0", 2.5}}).kind, IntervalKind::kNone);
  // No values on one side.
  const Difference none = difference_interval({}, {{"0", 1}});
  EXPECT_TRUE(std::isnan(none.difference));
  EXPECT_EQ(distinguishability_mark(none), "no values");
}

}  // namespace
}  // namespace ablate
