// Building and writing result JSON files (see result.h).
#include "harness/common/result.h"

#include <filesystem>
#include <stdexcept>

#include "harness/common/file_io.h"
#include "harness/common/run_info.h"

namespace ablate {

nlohmann::json result_header(const std::string& kind, const ExperimentConfig& config, int threads,
                             std::chrono::system_clock::time_point started) {
  nlohmann::json r = nlohmann::json::object();
  r["format"] = kResultFormat;
  r["kind"] = kind;
  r["name"] = config.name;
  r["seed"] = config.seed;
  r["config"] = experiment_to_json(config);
  r["git"] = git_info();
  r["machine"] = machine_info(threads);
  r["libraries"] = library_versions();
  r["started_at"] = iso8601_utc(started);
  return r;
}

void write_result(const std::string& path, nlohmann::json result,
                  std::chrono::system_clock::time_point started) {
  const auto finished = std::chrono::system_clock::now();
  result["finished_at"] = iso8601_utc(finished);
  result["wall_seconds"] = std::chrono::duration<double>(finished - started).count();
  const std::string text = result.dump(2) + "\n";
  try {
    const std::filesystem::path parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent);
    write_file_atomically(path, {{text.data(), text.size()}});
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ": cannot write the result: " + e.what());
  }
}

}  // namespace ablate
