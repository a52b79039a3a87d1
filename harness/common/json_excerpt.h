// A JSON value quoted in an error message: its dump cut to 60 characters ("...") and, for a value
// nested deeper than 16 levels, only its type ("a deeply nested array"): dump() recurses, so a
// hostile file of deeply nested brackets would otherwise overflow the stack while reporting itself.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace ablate {

std::string json_excerpt(const nlohmann::json& value);

}  // namespace ablate
