// Config field lists: every config section states its keys once, as rows of a visit_fields
// function (gemma.cpp's VisitFields is the model):
//
//   template <class V> void visit_fields(V& v) {
//     v(field("eps", eps, "added to the mean square before the root").check(positive()));
//   }
//
// A row has the YAML name, the member it binds, a one-line doc and a constraint; the visitors
// that walk the rows derive everything else: validation here (check_fields), and in the harness the
// YAML reader, the resolved-config writer and the documented key list (harness/config/fields.h).
// Adding a key is one row. Checks that relate several keys (n_kv_heads divides n_heads) stay in
// the section's resolve code, after the per-key checks.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "components/core/errors.h"

namespace ablate {

// Shortest text that reads back as the same double ("1e-05", "0.5", "32"): numbers in messages.
std::string shortest_number(double v);

// What a key's value must satisfy. The message texts are part of the error contract:
//   positive   ints "must be positive, found 0"; numbers "must be > 0, found 0" (NaN/inf rejected)
//   at_least   "must be >= 1[ (note)], found 0"      greater  "must be > 1, found 1"
//   in_range   "must be in [0, 1), found 2"           one_of   "unknown [noun ]'x' (known: a, b)"
//   variant_of a name registered in a slot (registry.h), "unknown 'x' (known: ...)"
//   at_most    (ints, combined with the above) "must be at most 16777216, found ..."
struct Constraint {
  enum class Kind { kNone, kPositive, kAtLeast, kGreater, kRange, kOneOf, kVariant };
  Kind kind = Kind::kNone;
  double lo = 0, hi = 0;
  bool lo_open = false, hi_open = false;
  int64_t max = 0;  // ints and list lengths: 0 = no upper limit
  std::string note;
  std::vector<std::string> names;
  std::string noun;
  std::string slot;

  Constraint at_most(int64_t limit) const {
    Constraint c = *this;
    c.max = limit;
    return c;
  }
  // "> 0", ">= 1 (0 = auto)", "in [0, 1)", "tanh | erf", "a registered norm (ablate list)": for
  // the key list (which names no variants, so that registering one leaves it unchanged).
  std::string describe() const;
  // "" when `v` satisfies the constraint, else the message after "PATH: ".
  std::string violation(int64_t v) const;
  std::string violation(double v) const;
  std::string violation(const std::string& v) const;
};

// Constraint of `kind` with bounds `lo`, `hi` (the builders below name what they set).
inline Constraint make_constraint(Constraint::Kind kind, double lo = 0, double hi = 0) {
  Constraint c;
  c.kind = kind;
  c.lo = lo;
  c.hi = hi;
  return c;
}
inline Constraint positive() { return make_constraint(Constraint::Kind::kPositive); }
inline Constraint at_least(double lo, std::string note = "") {
  Constraint c = make_constraint(Constraint::Kind::kAtLeast, lo);
  c.note = std::move(note);
  return c;
}
inline Constraint greater(double lo) { return make_constraint(Constraint::Kind::kGreater, lo); }
inline Constraint in_range(double lo, double hi, bool lo_open, bool hi_open) {
  Constraint c = make_constraint(Constraint::Kind::kRange, lo, hi);
  c.lo_open = lo_open;
  c.hi_open = hi_open;
  return c;
}
inline Constraint one_of(std::vector<std::string> names, std::string noun = "") {
  Constraint c = make_constraint(Constraint::Kind::kOneOf);
  c.names = std::move(names);
  c.noun = std::move(noun);
  return c;
}
inline Constraint variant_of(std::string slot) {
  Constraint c = make_constraint(Constraint::Kind::kVariant);
  c.slot = std::move(slot);
  return c;
}

// Sizes are at most 2^24 = 16,777,216 (llama2.c headers are read with the same limit): far beyond
// any model Ablate can hold, and small enough that products of sizes (8·d_model, KV-cache and
// parameter bytes) cannot overflow int64.
constexpr int64_t kMaxSize = int64_t{1} << 24;
inline Constraint size() { return positive().at_most(kMaxSize); }

// One row: a key bound to its member. T is int64_t, double, bool, std::string or a std::vector
// of int64_t / double (lists: the constraint holds for each element).
template <typename T>
struct Field {
  const char* name = nullptr;
  T* value = nullptr;
  const char* doc = nullptr;
  Constraint constraint;
  const char* auto_word = nullptr;  // a word read as `auto_value` ("hidden: auto" is stored as 0)
  T auto_value{};
  const char* list_noun = nullptr;  // lists: "expected NOUN, found ..." ("a list of numbers")
  bool single_ok = false;           // lists: one value is also read, as a list of one
  bool written = true;              // false: this key is not part of the config in its current state
  bool checked = true;              // false: its constraint does not apply in the current state

  Field check(Constraint c) const {
    Field f = *this;
    f.constraint = std::move(c);
    return f;
  }
  Field or_word(const char* word, T value_for_word) const {
    Field f = *this;
    f.auto_word = word;
    f.auto_value = std::move(value_for_word);
    return f;
  }
  Field list_of(const char* noun) const {
    Field f = *this;
    f.list_noun = noun;
    return f;
  }
  // A list that may also be written as one value (`steps: 20` reads as [20]).
  Field or_single() const {
    Field f = *this;
    f.single_ok = true;
    return f;
  }
  // Keys used only in some states of a section (data.path for text data): not written and not
  // checked in the others.
  Field used_when(bool used) const {
    Field f = *this;
    f.written = used;
    f.checked = used;
    return f;
  }
};

template <typename T>
Field<T> field(const char* name, T& value, const char* doc) {
  Field<T> f;
  f.name = name;
  f.value = &value;
  f.doc = doc;
  return f;
}

// A nested mapping: `v.section("norm", norm)` visits norm.visit_fields(v) under "PATH.norm".
// Visitors implement operator()(const Field<T>&) for every T above and
// section(const char* name, S& s, const char* doc).

// Runs every row's constraint of `s` (and of its sections); throws ConfigError "PATH.KEY: message".
class FieldChecker {
 public:
  explicit FieldChecker(std::string path) : path_(std::move(path)) {}
  template <typename T>
  void operator()(const Field<T>& f) {
    if (f.checked && !(f.auto_word && *f.value == f.auto_value)) check(key(f.name), *f.value, f.constraint);
  }
  template <typename S>
  void section(const char* name, S& s, const char* /*doc*/) {
    FieldChecker inner(key(name));
    s.visit_fields(inner);
  }

 private:
  std::string key(const char* name) const { return path_.empty() ? name : path_ + "." + name; }
  static void fail_if(const std::string& path, const std::string& what) {
    if (!what.empty()) throw ConfigError(path + ": " + what);
  }
  static void check(const std::string& path, bool, const Constraint&) {}
  template <typename T>
  static void check(const std::string& path, const T& v, const Constraint& c) {
    fail_if(path, c.violation(v));
  }
  template <typename T>
  static void check(const std::string& path, const std::vector<T>& list, const Constraint& c) {
    for (size_t i = 0; i < list.size(); ++i) check(path + "[" + std::to_string(i) + "]", list[i], c);
  }
  std::string path_;
};

template <typename S>
void check_fields(S& section, const std::string& path) {
  FieldChecker checker(path);
  section.visit_fields(checker);
}

}  // namespace ablate
