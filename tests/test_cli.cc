// `ablate list` prints every slot and every variant name of DESIGN.md's table (the YAML contract).
#include <gtest/gtest.h>

#include <sstream>

#include "experiments/cli.h"

namespace ablate {
namespace {

TEST(Cli, ListPrintsEverySlotAndVariantOfTheContract) {
  std::ostringstream out, err;
  ASSERT_EQ(run_cli({"list"}, out, err), 0) << err.str();
  const std::string text = "\n" + out.str();
  const std::vector<std::pair<std::string, std::vector<std::string>>> contract = {
      {"norm:", {"layernorm", "rmsnorm"}},
      {"mlp:", {"gelu", "swiglu"}},
      {"position:", {"learned", "sinusoidal", "rope", "none"}},
      {"position.scaling:", {"none", "linear", "ntk", "dynamic_ntk", "yarn"}},
      {"attention:", {"mha", "mqa", "gqa"}},
  };
  for (size_t s = 0; s < contract.size(); ++s) {
    const size_t begin = text.find("\n" + contract[s].first) + 1;
    ASSERT_NE(begin, 0u) << contract[s].first;
    const size_t end = s + 1 < contract.size() ? text.find("\n" + contract[s + 1].first) : text.size();
    const std::string section = text.substr(begin, end - begin);
    for (const auto& name : contract[s].second)
      EXPECT_NE(section.find("\n  " + name + " "), std::string::npos) << contract[s].first << " " << name;
  }
}

TEST(Cli, UnknownCommandIsAUsageError) {
  std::ostringstream out, err;
  EXPECT_EQ(run_cli({"trian"}, out, err), 2);
  EXPECT_NE(err.str().find("unknown command 'trian'"), std::string::npos);
  EXPECT_EQ(run_cli({}, out, err), 2);
}

}  // namespace
}  // namespace ablate
