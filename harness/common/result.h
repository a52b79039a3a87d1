// Result files: one JSON document per run, the contract every report reads (docs/results.md
// describes every field). Here: the fields every result shares, and writing one atomically
// (temp file + rename: a reader sees the old file or the whole new one).
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <string>

#include "harness/config/experiment_config.h"

namespace ablate {

constexpr const char* kResultFormat = "ablate-result/1";

// The common fields, with started_at = `started`; `threads` = worker threads used.
nlohmann::json result_header(const std::string& kind, const ExperimentConfig& config, int threads,
                             std::chrono::system_clock::time_point started);

// Sets finished_at and wall_seconds (from started_at) and writes `result` to `path` atomically,
// creating the parent directory. std::runtime_error naming the path on failure.
void write_result(const std::string& path, nlohmann::json result,
                  std::chrono::system_clock::time_point started);

}  // namespace ablate
