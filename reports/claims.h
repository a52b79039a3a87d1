// Published claims checked against a results folder (`ablate report --claims FILE`): each claim
// names two measured cells (or a cell and a constant), the direction the paper reports, and the
// report computes Ablate's figure with its 95% interval over seeds and a verdict.
//
// The claims file (YAML; configs/reproduce/extension_claims.yaml is one):
//
//   title: Context extension (PI, YaRN) at small scale    # the report section's heading
//   commands: ["ablate run ...", "ablate report ..."]      # how the results were made
//   claims:
//     - id: pi-recovers                    # distinct; names the claim in tables and plots
//       source: Chen et al. 2023 (arXiv 2306.15595), Table 2
//       paper: "PI fine-tuned at 8192 for 1000 steps: 16.10 -> 6.95 (PG-19)"
//       metric: perplexity                 # perplexity (extend:) | passkey (passkey:)
//       a: {method: linear, budget: 0, length: 4L}
//       b: {method: linear, budget: largest, length: 4L}
//       expect: greater                    # a - b > threshold (greater) or < threshold (less)
//       threshold: 0                       # optional, in the difference's unit
//       note: "..."                        # optional: what to read into the verdict
//
// A side is {method, budget, length} or {value: NUMBER} (a constant). method = the result entry's
// `name` (the scaling method); budget = its `finetuned_steps`: a number, `smallest` (the smallest
// budget > 0 in the results) or `largest`; length = tokens, or `NL`: N times the trained context
// L (`4L`). The measured quantity of a side, per seed:
//   perplexity: the point's loss (mean NLL in nats, log perplexity), so a − b is the log of the
//               perplexity ratio (reported also as the ratio exp(a − b));
//   passkey:    accuracy at the length (correct / trials over every depth).
// Figure = a − b with a 95% Student t interval, paired by seed (statistics.h: d_s = a_s − b_s;
// a constant side gives the one-sample interval of the other), evaluated for each variant.
// Verdict, for `greater` (mirrored for `less`):
//   reproduced in shape                interval entirely above the threshold
//   not reproduced                     interval entirely below it (the opposite direction)
//   not distinguishable with n seeds   interval contains the threshold, or n = 1 (no interval)
//   not measured                       a side has no value (the results lack the method, budget
//                                      or length), with what is missing
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "reports/report_data.h"
#include "reports/statistics.h"

namespace ablate {

struct ClaimSide {
  std::optional<double> value;  // a constant instead of a measured cell
  std::string method;
  std::string budget = "0";     // "0", "20", "smallest", "largest"
  std::string length;           // "512" or "4L"
  std::string text() const;     // "linear, budget 0, 4L" or "0.5"
};

struct Claim {
  std::string id, source, paper, metric, note;
  ClaimSide a, b;
  bool greater = true;  // expect: greater (a − b > threshold) or less
  double threshold = 0;
};

struct ClaimsFile {
  std::string path, title;
  std::vector<std::string> commands;
  std::vector<Claim> claims;
};

// Reads a claims file; errors are ConfigErrors with the file, line and key in front
// ("claims.yaml:7:13: claims[1].metric: unknown 'ppl' (known: perplexity, passkey)").
ClaimsFile read_claims(const std::string& path);

enum class Verdict { kReproduced, kNotReproduced, kNotDistinguishable, kNotMeasured };

// The verdict of an interval (d: a − b) against a claim's direction and threshold.
Verdict claim_verdict(const Difference& d, bool greater, double threshold);
// "reproduced in shape", "not reproduced", "not distinguishable with 3 seeds", "not measured".
std::string verdict_text(Verdict v, int64_t seeds);

struct ClaimOutcome {
  const Claim* claim = nullptr;
  std::string variant;
  std::vector<SeedValue> a, b;  // per seed
  std::string a_cell, b_cell;   // the resolved cells ("linear fine-tuned 30 steps @ 512"), for the table
  Difference d;                 // a − b (kind kNone without two seeds)
  Verdict verdict = Verdict::kNotMeasured;
  std::string missing;          // why kNotMeasured
};

// Every claim for every variant whose results hold its metric's section (extend: or passkey:),
// in claim order, then variant order.
std::vector<ClaimOutcome> evaluate_claims(const ClaimsFile& claims, const ReportSet& set);

}  // namespace ablate
