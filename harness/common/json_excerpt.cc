#include "harness/common/json_excerpt.h"

namespace ablate {
namespace {

bool nests_deeper_than(const nlohmann::json& v, int levels) {
  if (!v.is_structured()) return false;
  if (levels == 0) return true;
  for (const nlohmann::json& x : v)
    if (nests_deeper_than(x, levels - 1)) return true;
  return false;
}

}  // namespace

std::string json_excerpt(const nlohmann::json& value) {
  if (nests_deeper_than(value, 16)) return std::string("a deeply nested ") + value.type_name();
  std::string s = value.dump();
  return s.size() > 60 ? s.substr(0, 57) + "..." : s;
}

}  // namespace ablate
