// Fuzzes the YAML experiment config, as `ablate run CONFIG.yaml` reads it: load_config_tree_text
// (YAML syntax, duplicate keys, nesting, `base:`), then plan_sweep for a file with a `sweep:`
// section or parse_experiment otherwise (every section's keys, types and checks).
// Expected: ConfigError (config_tree.h, yaml_read.h). A failure is any other exception, a crash,
// a sanitizer report, a hang, or a parsed config that does not survive
// experiment_to_json -> dump -> experiment_from_json unchanged (experiment_config.h promises that).
// Inputs naming /dev, /proc, /sys or /run are skipped (a base or tokenizer file there never ends).
#include <cstdio>
#include <cstdlib>

#include "experiments/sweep.h"
#include "harness/checkpoints/experiment_inputs.h"
#include "harness/config/config_tree.h"
#include "harness/config/experiment_config.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using namespace ablate;

// experiment_to_json must be writable (results and checkpoints dump it) and read back equal.
void check_round_trip(const ExperimentConfig& config) {
  const nlohmann::json saved = experiment_to_json(config);
  const std::string text = saved.dump();  // nlohmann::json::type_error on invalid UTF-8: a finding
  const ExperimentConfig again = experiment_from_json(nlohmann::json::parse(text), "round trip", experiment_inputs_from_files());
  const nlohmann::json resaved = experiment_to_json(again);
  if (resaved != saved) {
    std::fprintf(stderr, "experiment config round trip changed it:\n  %s\n  %s\n", text.c_str(), resaved.dump().c_str());
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text = fuzz::bytes_of(data, size);
  if (fuzz::names_special_file(text)) return 0;
  try {
    const ConfigTree tree = load_config_tree_text(text, "fuzz.yaml");
    if (has_sweep(tree)) {
      const SweepPlan plan = plan_sweep(tree, "fuzz");
      for (size_t i = 0; i < plan.points.size() && i < 4; ++i) check_round_trip(plan.points[i].config);
    } else {
      check_round_trip(parse_experiment(tree, "fuzz", experiment_inputs_from_files()));
    }
  } catch (const ConfigError& e) {
    fuzz::expected(e);
  }
  return 0;
}
