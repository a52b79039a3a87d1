// Published claims against a results folder (see claims.h).
#include "reports/claims.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "components/model/config_fields.h"
#include "harness/config/config_tree.h"
#include "harness/config/extend_config.h"
#include "harness/config/yaml_read.h"

namespace ablate {
namespace {

using nlohmann::json;

const std::vector<std::string> kMetrics = {"perplexity", "passkey"};

// The section of a result a metric reads.
const char* section_of(const std::string& metric) { return metric == "passkey" ? "passkey" : "extend"; }

// "0", "20", "smallest", "largest": a budget as written.
std::string read_budget(const YAML::Node& n, const std::string& path) {
  if (n.IsScalar() && (n.Scalar() == "smallest" || n.Scalar() == "largest")) return n.Scalar();
  const int64_t steps = read_int(n, path, "a number of steps, 'smallest' or 'largest'");
  if (steps < 0) config_fail(path, "must be >= 0, found " + std::to_string(steps));
  return std::to_string(steps);
}

// "512" or "4L": a length as written.
std::string read_length(const YAML::Node& n, const std::string& path) {
  const std::string text = n.IsScalar() ? n.Scalar() : "";
  const bool multiple = text.size() > 1 && text.back() == 'L' &&
                        std::all_of(text.begin(), text.end() - 1, [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
  if (multiple && std::stoll(text.substr(0, text.size() - 1)) > 0) return text;
  const int64_t tokens = read_int(n, path, "a length in tokens or a multiple of the trained context like '4L'");
  if (tokens <= 0) config_fail(path, "must be positive, found " + std::to_string(tokens));
  return std::to_string(tokens);
}

ClaimSide read_side(const YAML::Node& node, const std::string& path) {
  ClaimSide side;
  bool has_budget = false;
  read_mapping(node, path,
               {{"value", [&](const YAML::Node& n, const std::string& p) { side.value = read_double(n, p); }},
                {"method", string_field(side.method)},
                {"budget",
                 [&](const YAML::Node& n, const std::string& p) {
                   side.budget = read_budget(n, p);
                   has_budget = true;
                 }},
                {"length", [&](const YAML::Node& n, const std::string& p) { side.length = read_length(n, p); }}},
               /*required=*/true);
  if (side.value) {
    if (!side.method.empty() || !side.length.empty() || has_budget)
      config_fail(path, "a constant side ({value: x}) has no method, budget or length");
    return side;
  }
  if (side.method.empty()) config_fail(path + ".method", "required (the scaling method's name), or give {value: x}");
  if (side.length.empty()) config_fail(path + ".length", "required (tokens, or a multiple of the trained context: 4L)");
  return side;
}

Claim read_claim(const YAML::Node& node, const std::string& path) {
  Claim c;
  std::string expect;
  bool has_a = false, has_b = false;
  read_mapping(node, path,
               {{"id", string_field(c.id)},
                {"source", string_field(c.source)},
                {"paper", string_field(c.paper)},
                {"metric", string_field(c.metric)},
                {"a",
                 [&](const YAML::Node& n, const std::string& p) {
                   c.a = read_side(n, p);
                   has_a = true;
                 }},
                {"b",
                 [&](const YAML::Node& n, const std::string& p) {
                   c.b = read_side(n, p);
                   has_b = true;
                 }},
                {"expect", string_field(expect)},
                {"threshold", double_field(c.threshold)},
                {"note", string_field(c.note)}},
               /*required=*/true);
  if (c.id.empty()) config_fail(path + ".id", "required (a name for the claim)");
  if (c.metric.empty()) config_fail(path + ".metric", "required (perplexity or passkey)");
  if (const std::string why = one_of(kMetrics).violation(c.metric); !why.empty()) config_fail(path + ".metric", why);
  if (!has_a) config_fail(path + ".a", "required ({method, budget, length})");
  if (!has_b) config_fail(path + ".b", "required ({method, budget, length} or {value: x})");
  if (c.a.value) config_fail(path + ".a", "must be a measured cell ({method, budget, length}); only b may be a constant");
  if (const std::string why = one_of({"greater", "less"}).violation(expect); !why.empty())
    config_fail(path + ".expect", expect.empty() ? "required (greater: a − b > threshold, or less)" : why);
  c.greater = expect == "greater";
  return c;
}

// The budget `side.budget` resolves to among `budgets` (every finetuned_steps of the section).
std::optional<int64_t> resolve_budget(const std::string& budget, const std::set<int64_t>& budgets) {
  if (budget == "largest") return budgets.empty() ? std::nullopt : std::optional<int64_t>(*budgets.rbegin());
  if (budget == "smallest") {
    for (int64_t b : budgets)
      if (b > 0) return b;
    return std::nullopt;
  }
  return std::stoll(budget);
}

int64_t resolve_length(const std::string& length, int64_t trained) {
  if (!length.empty() && length.back() == 'L') return std::stoll(length.substr(0, length.size() - 1)) * trained;
  return std::stoll(length);
}

std::optional<int64_t> integer_in(const json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_number()) return std::nullopt;
  return j[key].get<int64_t>();
}

// One seed's value of a measured side, with the cell it resolved to; nullopt (and `why`) when
// the result does not hold it.
std::optional<double> side_value(const json& section, const std::string& metric, const ClaimSide& side,
                                 std::string& cell, std::string& why) {
  std::set<int64_t> budgets;
  for (const json& m : section["methods"]) budgets.insert(integer_in(m, "finetuned_steps").value_or(0));
  const std::optional<int64_t> budget = resolve_budget(side.budget, budgets);
  const int64_t trained = integer_in(section, "trained_context").value_or(0);
  if (!budget) {
    why = "no fine-tuning budget > 0 in the results (" + side.budget + ")";
    return std::nullopt;
  }
  if (side.length.back() == 'L' && trained <= 0) {
    why = "the results do not record the trained context (" + side.length + ")";
    return std::nullopt;
  }
  const int64_t length = resolve_length(side.length, trained);
  cell = budget_label(side.method, *budget) + " @ " + std::to_string(length);
  for (const json& m : section["methods"]) {
    if (!m.is_object() || !m.contains("name") || m["name"] != side.method) continue;
    if (integer_in(m, "finetuned_steps").value_or(0) != *budget || !m.contains("points") || !m["points"].is_array()) continue;
    int64_t correct = 0, trials = 0;
    for (const json& p : m["points"]) {
      if (integer_in(p, "length") != length || (p.contains("applicable") && p["applicable"] == false)) continue;
      if (metric == "perplexity") {
        if (p.contains("loss") && p["loss"].is_number()) return p["loss"].get<double>();
        if (p.contains("perplexity") && p["perplexity"].is_number()) return std::log(p["perplexity"].get<double>());
      } else {
        correct += integer_in(p, "correct").value_or(0);
        trials += integer_in(p, "trials").value_or(0);
      }
    }
    if (trials > 0) return double(correct) / double(trials);
    why = cell + ": no applicable point at that length";
    return std::nullopt;
  }
  why = cell + ": no such method and budget in the results";
  return std::nullopt;
}

}  // namespace

std::string ClaimSide::text() const {
  if (value) return shortest_number(*value);
  return method + ", budget " + budget + ", " + length;
}

ClaimsFile read_claims(const std::string& path) {
  const ConfigTree tree = load_config_tree(path);
  ClaimsFile file;
  file.path = path;
  try {
    read_mapping(tree.root, "",
                 {{"title", string_field(file.title)},
                  {"commands",
                   [&](const YAML::Node& n, const std::string& p) {
                     if (!n.IsSequence()) config_fail(p, "expected a list of command lines, found " + describe_node(n));
                     for (size_t i = 0; i < n.size(); ++i) file.commands.push_back(read_string(n[i], p + "[" + std::to_string(i) + "]"));
                   }},
                  {"claims",
                   [&](const YAML::Node& n, const std::string& p) {
                     if (!n.IsSequence() || n.size() == 0)
                       config_fail(p, "expected a non-empty list of claims, found " + describe_node(n));
                     for (size_t i = 0; i < n.size(); ++i) {
                       const std::string at = p + "[" + std::to_string(i) + "]";
                       Claim c = read_claim(n[i], at);
                       for (const Claim& other : file.claims)
                         if (other.id == c.id) config_fail(at + ".id", "'" + c.id + "' names two claims");
                       file.claims.push_back(std::move(c));
                     }
                   }}},
                 /*required=*/true);
    if (file.claims.empty()) config_fail("claims", "required: the list of claims");
  } catch (const ConfigError& e) {
    throw locate_error(tree, e);
  }
  if (file.title.empty()) file.title = "Published claims";
  return file;
}

Verdict claim_verdict(const Difference& d, bool greater, double threshold) {
  if (!std::isfinite(d.difference)) return Verdict::kNotMeasured;
  if (d.kind == IntervalKind::kNone) return Verdict::kNotDistinguishable;
  const bool above = d.low > threshold, below = d.high < threshold;
  if (above) return greater ? Verdict::kReproduced : Verdict::kNotReproduced;
  if (below) return greater ? Verdict::kNotReproduced : Verdict::kReproduced;
  return Verdict::kNotDistinguishable;
}

std::string verdict_text(Verdict v, int64_t seeds) {
  switch (v) {
    case Verdict::kReproduced: return "reproduced in shape";
    case Verdict::kNotReproduced: return "not reproduced";
    case Verdict::kNotDistinguishable:
      return "not distinguishable with " + std::to_string(seeds) + (seeds == 1 ? " seed" : " seeds");
    case Verdict::kNotMeasured: return "not measured";
  }
  return "";
}

std::vector<ClaimOutcome> evaluate_claims(const ClaimsFile& claims, const ReportSet& set) {
  std::vector<ClaimOutcome> out;
  for (const Claim& claim : claims.claims) {
    const char* section = section_of(claim.metric);
    auto has = [section](const json& j) {
      return j.contains(section) && j[section].is_object() && j[section].contains("methods") &&
             j[section]["methods"].is_array();
    };
    bool any = false;
    for (const Variant& v : set.variants) {
      const std::vector<const ReportResult*> results = latest_per_seed(v, has);
      if (results.empty()) continue;
      any = true;
      ClaimOutcome o;
      o.claim = &claim;
      o.variant = v.name;
      std::string why_a, why_b;
      for (const ReportResult* r : results) {
        const json& s = r->json[section];
        std::string cell, why;
        if (auto x = side_value(s, claim.metric, claim.a, cell, why)) o.a.push_back({r->seed, *x});
        else if (why_a.empty()) why_a = why;
        if (o.a_cell.empty()) o.a_cell = cell;
        if (claim.b.value) continue;
        cell.clear();
        if (auto x = side_value(s, claim.metric, claim.b, cell, why)) o.b.push_back({r->seed, *x});
        else if (why_b.empty()) why_b = why;
        if (o.b_cell.empty()) o.b_cell = cell;
      }
      if (claim.b.value) {
        for (const SeedValue& x : o.a) o.b.push_back({x.seed, *claim.b.value});
        o.b_cell = shortest_number(*claim.b.value);
      }
      if (o.a.empty() || o.b.empty()) {
        o.missing = o.a.empty() ? "a: " + why_a : "b: " + why_b;
        o.d.difference = NAN;
      } else {
        o.d = difference_interval(o.b, o.a);
      }
      o.verdict = claim_verdict(o.d, claim.greater, claim.threshold);
      out.push_back(std::move(o));
    }
    if (!any) {
      ClaimOutcome o;
      o.claim = &claim;
      o.d.difference = NAN;
      o.missing = std::string("no result holds a ") + section + ": section";
      out.push_back(std::move(o));
    }
  }
  return out;
}

}  // namespace ablate
