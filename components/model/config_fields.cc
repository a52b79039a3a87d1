// Constraint texts and checks (config_fields.h).
#include "components/model/config_fields.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "components/model/registry.h"

namespace ablate {

std::string shortest_number(double v) {
  char buf[40];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof(buf), "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

namespace {

std::string joined(const std::vector<std::string>& names, const char* separator) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : separator) + n;
  return out;
}

std::string with_note(const std::string& bound, const std::string& note) {
  return note.empty() ? bound : bound + " (" + note + ")";
}

std::string range_text(const Constraint& c) {
  return std::string(c.lo_open ? "(" : "[") + shortest_number(c.lo) + ", " + shortest_number(c.hi) +
         (c.hi_open ? ")" : "]");
}

// The bound `v` breaks, as "must be ..." text, or "" (both numeric kinds; NaN and infinities
// break every bound).
std::string numeric_violation(const Constraint& c, double v, bool integer, const std::string& found) {
  using K = Constraint::Kind;
  const bool finite = std::isfinite(v);
  switch (c.kind) {
    case K::kPositive:
      if (!(v > 0) || !finite) return std::string(integer ? "must be positive" : "must be > 0") + ", found " + found;
      break;
    case K::kAtLeast:
      if (!(v >= c.lo) || !finite) return "must be " + with_note(">= " + shortest_number(c.lo), c.note) + ", found " + found;
      break;
    case K::kGreater:
      if (!(v > c.lo) || !finite) return "must be " + with_note("> " + shortest_number(c.lo), c.note) + ", found " + found;
      break;
    case K::kRange: {
      const bool above = c.lo_open ? v > c.lo : v >= c.lo;
      const bool below = c.hi_open ? v < c.hi : v <= c.hi;
      if (!above || !below || !finite) return "must be in " + range_text(c) + ", found " + found;
      break;
    }
    default:
      break;
  }
  return "";
}

}  // namespace

std::string Constraint::describe() const {
  switch (kind) {
    case Kind::kNone: return "";
    case Kind::kPositive: return max > 0 ? "1 .. " + std::to_string(max) : "> 0";
    case Kind::kAtLeast: return with_note(">= " + shortest_number(lo), note) + (max > 0 ? ", <= " + std::to_string(max) : "");
    case Kind::kGreater: return with_note("> " + shortest_number(lo), note);
    case Kind::kRange: return "in " + range_text(*this);
    case Kind::kOneOf: return joined(names, " | ");
    case Kind::kVariant: return "a registered " + slot + " (ablate list)";
  }
  return "";
}

std::string Constraint::violation(int64_t v) const {
  std::string what = numeric_violation(*this, double(v), true, std::to_string(v));
  if (what.empty() && max > 0 && v > max)
    what = "must be at most " + std::to_string(max) + ", found " + std::to_string(v);
  return what;
}

std::string Constraint::violation(double v) const { return numeric_violation(*this, v, false, shortest_number(v)); }

std::string Constraint::violation(const std::string& v) const {
  if (kind == Kind::kOneOf && std::find(names.begin(), names.end(), v) == names.end())
    return "unknown " + (noun.empty() ? "" : noun + " ") + "'" + v + "' (known: " + joined(names, ", ") + ")";
  if (kind == Kind::kVariant) {
    const std::vector<std::string> known = variant_names(slot);
    if (std::find(known.begin(), known.end(), v) == known.end())
      return "unknown '" + v + "' (known: " + joined_variant_names(slot) + ")";
  }
  return "";
}

}  // namespace ablate
