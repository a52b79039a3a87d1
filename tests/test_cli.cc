// The `ablate` command line: `ablate list` prints every slot and every variant name of the
// README's table (the YAML contract); every subcommand answers --help and -h; unknown commands
// are usage errors.
#include <gtest/gtest.h>
#include <gmock/gmock.h>

#include <algorithm>
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
      {"position.scaling:", {"none", "linear", "ntk", "dynamic_ntk", "yarn", "llama3", "longrope"}},
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

// Every subcommand the CLI dispatches (its own table, not a copy here) prints its usage on stdout
// and exits 0 for --help and -h, and so does `ablate` itself.
TEST(Cli, EveryCommandAnswersHelp) {
  const std::vector<std::string> commands = cli_command_names();
  for (const char* expected : {"list", "run", "train", "eval", "extend", "choice", "bench", "convert", "report", "help"})
    EXPECT_NE(std::find(commands.begin(), commands.end(), expected), commands.end()) << expected;
  std::ostringstream usage, usage_err;
  ASSERT_EQ(run_cli({"help"}, usage, usage_err), 0);
  for (const std::string& command : commands) {
    EXPECT_THAT(usage.str(), ::testing::HasSubstr("\n  " + command + " ")) << command << " is missing from ablate help";
    for (const char* flag : {"--help", "-h"}) {
      std::ostringstream out, err;
      EXPECT_EQ(run_cli({command, flag}, out, err), 0) << command << " " << flag << "\n" << err.str();
      EXPECT_THAT(out.str(), ::testing::StartsWith("usage: ablate ")) << command << " " << flag;
      EXPECT_EQ(err.str(), "") << command << " " << flag;
    }
  }
  for (const char* flag : {"--help", "-h"}) {
    std::ostringstream out, err;
    EXPECT_EQ(run_cli({flag}, out, err), 0);
    EXPECT_EQ(out.str(), usage.str()) << flag;
  }
}

// A command's --help lists its options, with the usage line its usage errors print.
TEST(Cli, HelpShowsTheUsageLineOfTheErrors) {
  std::ostringstream help, out, err;
  ASSERT_EQ(run_cli({"bench", "--help"}, help, err), 0);
  EXPECT_THAT(help.str(), ::testing::StartsWith("usage: ablate bench CONFIG.yaml [-o DIR] [--threads N]\n"));
  EXPECT_THAT(help.str(), ::testing::HasSubstr("\n  --threads N "));
  EXPECT_EQ(run_cli({"bench", "a.yaml", "b.yaml"}, out, err), 2);
  EXPECT_EQ(err.str(), "ablate bench: one config file expected, found a second: 'b.yaml'\n"
                       "usage: ablate bench CONFIG.yaml [-o DIR] [--threads N]\n");
  // Arguments are read in order: a usage error before --help is reported as one.
  err.str("");
  EXPECT_EQ(run_cli({"run", "--bogus", "--help"}, out, err), 2);
  EXPECT_THAT(err.str(), ::testing::HasSubstr("unknown option '--bogus'"));
}

TEST(Cli, UnknownCommandIsAUsageError) {
  std::ostringstream out, err;
  EXPECT_EQ(run_cli({"trian"}, out, err), 2);
  EXPECT_NE(err.str().find("unknown command 'trian'"), std::string::npos);
  EXPECT_EQ(run_cli({}, out, err), 2);
}

}  // namespace
}  // namespace ablate
