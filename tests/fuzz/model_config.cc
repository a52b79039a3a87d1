// Fuzzes the `model:` section on its own, as a saved or hand-written model config is read:
// parse_model_config_text (a YAML or JSON document, its top-level `model:` or the document itself),
// then model_config_to_yaml and a second parse (model_yaml.h: the resolved config reads back exactly).
// Expected: ConfigError. A failure is any other exception, a crash, a sanitizer report, a hang,
// or a resolved config whose YAML reads back as a different config.
#include <cstdio>
#include <cstdlib>

#include "harness/config/model_yaml.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ablate;
  try {
    const ModelConfig config = parse_model_config_text(fuzz::bytes_of(data, size), "fuzz.yaml");
    const std::string yaml = model_config_to_yaml(config);
    const std::string again = model_config_to_yaml(parse_model_config_text(yaml, "round trip"));
    if (again != yaml) {
      std::fprintf(stderr, "model config round trip changed it:\n%s\n---\n%s\n", yaml.c_str(), again.c_str());
      std::abort();
    }
  } catch (const ConfigError& e) {
    fuzz::expected(e);
  }
  return 0;
}
