// Small string helpers the harness, the drivers and the report share.
#pragma once

#include <string>

#include "components/core/text.h"  // ends_with

namespace ablate {

// `s` without the whitespace (std::isspace) at either end.
std::string trim(const std::string& s);

}  // namespace ablate
