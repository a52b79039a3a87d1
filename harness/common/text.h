// Small string helpers the harness, the drivers and the report share.
#pragma once

#include <string>

namespace ablate {

// `s` without the whitespace (std::isspace) at either end.
std::string trim(const std::string& s);

// Whether `s` ends with `suffix` (every string ends with "").
bool ends_with(const std::string& s, const std::string& suffix);

}  // namespace ablate
