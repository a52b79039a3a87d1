// String helpers the engine needs (and the harness shares, through harness/common/text.h).
#pragma once

#include <string>

namespace ablate {

// Whether `s` ends with `suffix` (every string ends with "").
inline bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace ablate
