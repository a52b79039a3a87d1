// Published claims (reports/claims.h): the verdict of an interval against a claim's direction and
// threshold; claims evaluated on constructed results (paired by seed, a constant side, budgets
// `smallest` / `largest`, lengths as multiples of L, cells that are missing); and the claims
// file's errors, located in the file.
#include <gtest/gtest.h>
#include <gmock/gmock.h>

#include <cmath>

#include "reports/claims.h"
#include "reports/report_data.h"
#include "tests/test_support.h"

namespace ablate {
namespace {

using ::testing::HasSubstr;
using nlohmann::json;

Difference interval(double low, double high) {
  Difference d;
  d.kind = IntervalKind::kPaired;
  d.difference = (low + high) / 2;
  d.low = low;
  d.high = high;
  return d;
}

TEST(ClaimVerdict, TheIntervalAgainstTheThreshold) {
  // expect greater: above 0 -> reproduced, below -> not reproduced, containing 0 -> not distinguishable.
  EXPECT_EQ(claim_verdict(interval(0.1, 0.5), true, 0), Verdict::kReproduced);
  EXPECT_EQ(claim_verdict(interval(-0.5, -0.1), true, 0), Verdict::kNotReproduced);
  EXPECT_EQ(claim_verdict(interval(-0.1, 0.5), true, 0), Verdict::kNotDistinguishable);
  // expect less mirrors it.
  EXPECT_EQ(claim_verdict(interval(0.1, 0.5), false, 0), Verdict::kNotReproduced);
  EXPECT_EQ(claim_verdict(interval(-0.5, -0.1), false, 0), Verdict::kReproduced);
  EXPECT_EQ(claim_verdict(interval(-0.1, 0.5), false, 0), Verdict::kNotDistinguishable);
  // A threshold moves the boundary: [0.1, 0.5] is not above 0.2.
  EXPECT_EQ(claim_verdict(interval(0.1, 0.5), true, 0.2), Verdict::kNotDistinguishable);
  EXPECT_EQ(claim_verdict(interval(0.3, 0.5), true, 0.2), Verdict::kReproduced);
  EXPECT_EQ(claim_verdict(interval(0.1, 0.15), true, 0.2), Verdict::kNotReproduced);
  EXPECT_EQ(claim_verdict(interval(-0.3, -0.2), true, -0.25), Verdict::kNotDistinguishable);
  // A zero-width interval on the threshold is not distinguishable from it.
  EXPECT_EQ(claim_verdict(interval(0, 0), true, 0), Verdict::kNotDistinguishable);
  // No interval (one seed): not distinguishable; no value: not measured.
  Difference one;
  one.difference = 1.0;
  EXPECT_EQ(claim_verdict(one, true, 0), Verdict::kNotDistinguishable);
  one.difference = NAN;
  EXPECT_EQ(claim_verdict(one, true, 0), Verdict::kNotMeasured);
  EXPECT_EQ(verdict_text(Verdict::kNotDistinguishable, 3), "not distinguishable with 3 seeds");
  EXPECT_EQ(verdict_text(Verdict::kNotDistinguishable, 1), "not distinguishable with 1 seed");
  EXPECT_EQ(verdict_text(Verdict::kReproduced, 3), "reproduced in shape");
  EXPECT_EQ(verdict_text(Verdict::kNotReproduced, 3), "not reproduced");
}

class ClaimsTest : public testing::TempDirTest {
 protected:
  ClaimsFile claims(const std::string& body) {
    const std::string path = file("claims.yaml");
    testing::write_bytes(path, "claims:\n" + body);
    return read_claims(path);
  }
  std::string error(const std::string& text) {
    const std::string path = file("claims.yaml");
    testing::write_bytes(path, text);
    return testing::message_of([&] { read_claims(path); });
  }
};

// One seed's results of variant "v": extend curves (method, budget) -> loss at lengths 32 / 128
// (L = 32), and passkey at 128.
ReportResult seed_result(int seed, double shift) {
  ReportResult r;
  r.path = "v/seed=" + std::to_string(seed) + "/result.json";
  r.variant = "v";
  r.seed = std::to_string(seed);
  r.finished_at = "2026-01-01T00:00:0" + std::to_string(seed) + "Z";
  auto curve = [&](const std::string& name, int steps, double at32, double at128) {
    json points = json::array();
    points.push_back({{"length", 32}, {"applicable", true}, {"loss", at32 + shift}});
    points.push_back({{"length", 128}, {"applicable", true}, {"loss", at128 + shift}});
    points.push_back({{"length", 256}, {"applicable", false}, {"reason", "too long"}});
    return json{{"name", name}, {"finetuned_steps", steps}, {"points", points}};
  };
  json extend_methods = json::array({curve("none", 0, 2.0, 6.0), curve("linear", 0, 2.0, 3.0), curve("linear", 5, 2.1, 2.6),
                                      curve("linear", 20, 2.1, 2.4), curve("yarn", 0, 2.0, 2.7), curve("yarn", 5, 2.1, 2.5),
                                      curve("yarn", 20, 2.1, 2.4 + 0.05 * seed)});
  json key_points = json::array();
  key_points.push_back({{"length", 128}, {"depth", 0}, {"trials", 4}, {"correct", 3}});
  key_points.push_back({{"length", 128}, {"depth", 1}, {"trials", 4}, {"correct", 1 + seed}});
  json key_method = {{"name", "linear"}, {"finetuned_steps", 20}, {"points", key_points}};
  r.json = json::object();
  r.json["format"] = "ablate-result/1";
  r.json["seed"] = seed;
  r.json["extend"] = {{"trained_context", 32}, {"methods", extend_methods}};
  r.json["passkey"] = {{"trained_context", 32}, {"methods", json::array({key_method})}};
  return r;
}

ReportSet three_seeds() {
  ReportSet set;
  for (int seed = 0; seed < 3; ++seed) set.results.push_back(seed_result(seed, 0.01 * seed));
  set.variants.push_back({"v", {}});
  for (const ReportResult& r : set.results) set.variants[0].results.push_back(&r);
  return set;
}

TEST_F(ClaimsTest, PairedBySeedAtBudgetsAndMultiplesOfL) {
  const ClaimsFile file = claims(
      "  - {id: explode, metric: perplexity, a: {method: none, length: 4L}, b: {method: linear, length: 128}, expect: greater}\n"
      "  - {id: recover, metric: perplexity, a: {method: linear, length: 4L}, b: {method: linear, budget: largest, length: 4L},"
      " expect: greater}\n"
      "  - {id: short, metric: perplexity, a: {method: linear, budget: smallest, length: 4L},"
      " b: {method: yarn, budget: 5, length: 4L}, expect: less}\n"
      "  - {id: level, metric: perplexity, a: {method: linear, budget: largest, length: 4L},"
      " b: {method: yarn, budget: largest, length: 4L}, expect: greater}\n"
      "  - {id: keys, metric: passkey, a: {method: linear, budget: largest, length: 4L}, b: {value: 0.5}, expect: greater}\n"
      "  - {id: gone, metric: perplexity, a: {method: ntk, length: 4L}, b: {method: linear, length: 4L}, expect: greater}\n"
      "  - {id: far, metric: perplexity, a: {method: none, length: 8L}, b: {method: linear, length: 8L}, expect: greater}\n");
  const ReportSet set = three_seeds();
  const std::vector<ClaimOutcome> out = evaluate_claims(file, set);
  ASSERT_EQ(out.size(), 7u);  // one per claim, for the one variant
  // explode: 6 − 3 = 3 nats at every seed (the shifts cancel in each pair): a zero-width interval.
  EXPECT_EQ(out[0].a_cell, "none @ 128");
  EXPECT_EQ(out[0].a.size(), 3u);
  EXPECT_EQ(out[0].d.kind, IntervalKind::kPaired);
  EXPECT_NEAR(out[0].d.difference, 3.0, 1e-12);
  EXPECT_NEAR(out[0].d.high - out[0].d.low, 0.0, 1e-9);
  EXPECT_EQ(out[0].verdict, Verdict::kReproduced);
  // recover: budget largest = 20, 3.0 − 2.4.
  EXPECT_EQ(out[1].b_cell, "linear fine-tuned 20 steps @ 128");
  EXPECT_NEAR(out[1].d.difference, 0.6, 1e-12);
  EXPECT_EQ(out[1].verdict, Verdict::kReproduced);
  // short: smallest = 5; linear 2.6 − yarn 2.5 = +0.1, but a < b was expected.
  EXPECT_EQ(out[2].a_cell, "linear fine-tuned 5 steps @ 128");
  EXPECT_NEAR(out[2].d.difference, 0.1, 1e-12);
  EXPECT_EQ(out[2].verdict, Verdict::kNotReproduced);
  // level: d_s = 2.4 − (2.4 + 0.05 s) = 0, −0.05, −0.1: mean −0.05, sd 0.05, t(0.975, 2) = 4.302653.
  const double half = 4.302652729749464 * 0.05 / std::sqrt(3.0);
  EXPECT_NEAR(out[3].d.difference, -0.05, 1e-12);
  EXPECT_NEAR(out[3].d.low, -0.05 - half, 1e-9);
  EXPECT_NEAR(out[3].d.high, -0.05 + half, 1e-9);
  EXPECT_EQ(out[3].verdict, Verdict::kNotDistinguishable);
  EXPECT_EQ(verdict_text(out[3].verdict, 3), "not distinguishable with 3 seeds");
  // keys: accuracy (3 + 1 + s) / 8 = 0.5, 0.625, 0.75 against the constant 0.5: mean 0.125, sd 0.125.
  EXPECT_EQ(out[4].b_cell, "0.5");
  EXPECT_NEAR(out[4].d.difference, 0.125, 1e-12);
  EXPECT_NEAR(out[4].d.low, 0.125 - 4.302652729749464 * 0.125 / std::sqrt(3.0), 1e-9);
  EXPECT_EQ(out[4].verdict, Verdict::kNotDistinguishable);
  // gone: no ntk curve; far: 8L = 256 is not applicable.
  EXPECT_EQ(out[5].verdict, Verdict::kNotMeasured);
  EXPECT_THAT(out[5].missing, HasSubstr("a: ntk @ 128: no such method and budget in the results"));
  EXPECT_EQ(out[6].verdict, Verdict::kNotMeasured);
  EXPECT_THAT(out[6].missing, HasSubstr("none @ 256: no applicable point at that length"));
}

TEST_F(ClaimsTest, OneSeedHasNoInterval) {
  ReportSet set;
  set.results.push_back(seed_result(0, 0));
  set.variants.push_back({"v", {&set.results[0]}});
  const ClaimsFile one = claims(
      "  - {id: x, metric: perplexity, a: {method: none, length: 4L}, b: {method: linear, length: 4L}, expect: greater}\n");
  const std::vector<ClaimOutcome> out = evaluate_claims(one, set);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].d.kind, IntervalKind::kNone);
  EXPECT_EQ(out[0].verdict, Verdict::kNotDistinguishable);
  // No result with the section at all: one outcome, not measured.
  const ClaimsFile passkey = claims("  - {id: y, metric: passkey, a: {method: none, length: 4L}, b: {value: 0}, expect: greater}\n");
  const std::vector<ClaimOutcome> none = evaluate_claims(passkey, ReportSet());
  ASSERT_EQ(none.size(), 1u);
  EXPECT_EQ(none[0].verdict, Verdict::kNotMeasured);
  EXPECT_THAT(none[0].missing, HasSubstr("no result holds a passkey: section"));
}

TEST_F(ClaimsTest, FileErrorsNameTheFileLineAndKey) {
  const std::string ok = "{method: none, length: 4L}";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"claims: []\n", "claims: expected a non-empty list of claims"},
      {"title: x\n", "claims: required"},
      {"claims:\n  - {id: a, metric: ppl, a: " + ok + ", b: " + ok + ", expect: greater}\n",
       "claims[0].metric: unknown 'ppl' (known: perplexity, passkey)"},
      {"claims:\n  - {metric: perplexity, a: " + ok + ", b: " + ok + ", expect: greater}\n", "claims[0].id: required"},
      {"claims:\n  - {id: a, metric: perplexity, a: " + ok + ", b: " + ok + ", expect: up}\n",
       "claims[0].expect: unknown 'up' (known: greater, less)"},
      {"claims:\n  - {id: a, metric: perplexity, a: " + ok + ", b: " + ok + "}\n", "claims[0].expect: required"},
      {"claims:\n  - {id: a, metric: perplexity, a: {value: 1}, b: " + ok + ", expect: less}\n",
       "claims[0].a: must be a measured cell"},
      {"claims:\n  - {id: a, metric: perplexity, a: {method: none}, b: " + ok + ", expect: less}\n",
       "claims[0].a.length: required"},
      {"claims:\n  - {id: a, metric: perplexity, a: {method: none, length: 4X}, b: " + ok + ", expect: less}\n",
       "claims[0].a.length: expected a length in tokens or a multiple of the trained context like '4L'"},
      {"claims:\n  - {id: a, metric: perplexity, a: {method: none, length: 4L, budget: most}, b: " + ok + ", expect: less}\n",
       "claims[0].a.budget: expected a number of steps, 'smallest' or 'largest'"},
      {"claims:\n  - {id: a, metric: perplexity, a: " + ok + ", b: {value: 1, method: x}, expect: less}\n",
       "claims[0].b: a constant side ({value: x}) has no method, budget or length"},
      {"claims:\n  - {id: a, metric: perplexity, a: " + ok + ", b: " + ok + ", expect: less, colour: red}\n",
       "claims[0].colour: unknown key"},
      {"claims:\n  - {id: a, metric: perplexity, a: " + ok + ", b: " + ok + ", expect: less}\n"
       "  - {id: a, metric: perplexity, a: " + ok + ", b: " + ok + ", expect: less}\n",
       "claims[1].id: 'a' names two claims"},
  };
  for (const auto& [text, message] : cases) {
    const std::string what = error(text);
    EXPECT_THAT(what, HasSubstr(message)) << text;
    EXPECT_THAT(what, HasSubstr(file("claims.yaml"))) << text;
  }
  EXPECT_THAT(error("claims:\n  - {id: a, metric: perplexity, a: " + ok + ", b: " + ok + ", expect: up}\n"),
              HasSubstr("claims.yaml:2:"));  // the line of the bad key
}

}  // namespace
}  // namespace ablate
