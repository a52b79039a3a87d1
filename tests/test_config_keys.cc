// The documented key list is the field lists' own: docs/config-keys.md holds exactly what
// `ablate keys --markdown` prints, and every documented key is one the reader accepts.
#include <gtest/gtest.h>

#include <set>

#include "harness/checkpoints/experiment_inputs.h"
#include "harness/config/config_keys.h"
#include "harness/config/config_tree.h"
#include "harness/config/experiment_config.h"
#include "tests/test_support.h"

namespace ablate {
namespace {

TEST(ConfigKeys, TheDocumentIsTheFieldListsOutput) {
  const std::string doc = testing::read_bytes(std::string(ABLATE_SOURCE_DIR) + "/docs/config-keys.md");
  const std::string table = config_keys_text(/*markdown=*/true);
  const size_t at = doc.find("| key | type |");
  ASSERT_NE(at, std::string::npos) << "docs/config-keys.md has no key table";
  EXPECT_EQ(doc.substr(at), table) << "docs/config-keys.md is out of date: run scripts/update-config-keys-doc";
}

// Each documented key appears once, with a doc, and the resolved config (what results record)
// states it; keys that are written only in some states (data.path for text data) aside.
TEST(ConfigKeys, EveryDocumentedKeyIsInTheResolvedConfig) {
  std::set<std::string> paths;
  for (const KeyDoc& k : config_key_docs()) {
    EXPECT_TRUE(paths.insert(k.path).second) << "documented twice: " << k.path;
    EXPECT_FALSE(k.doc.empty()) << k.path << " has no one-line doc";
  }
  const ExperimentConfig c = parse_experiment(load_config_tree_text("choice: {}\nextend: {lengths: [16], methods: [{type: none}]}\npasskey: {lengths: [256]}\nbench: {}\n", "x.yaml"), "x", experiment_inputs_from_files());
  const nlohmann::json written = experiment_to_json(c);
  for (const std::string& path : paths) {
    if (path == "model.from" || path == "name" || path == "data.path" || path == "data.validation_path") continue;
    const nlohmann::json::json_pointer pointer("/" + [&] {
      std::string p = path;
      for (char& ch : p) ch = ch == '.' ? '/' : ch;
      return p;
    }());
    EXPECT_TRUE(written.contains(pointer)) << path << " is documented but not in the resolved config";
  }
}

}  // namespace
}  // namespace ablate
