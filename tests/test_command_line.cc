// One subcommand's command line (harness/common/command_line.h): the usage line built from its
// arguments and options, values and flags, each usage error, and --help / -h.
#include <gtest/gtest.h>
#include <gmock/gmock.h>

#include <optional>
#include <sstream>

#include "harness/common/command_line.h"

namespace ablate {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

struct Parsed {
  std::string config, out_dir, level;
  bool force = false;
  std::optional<int> exit;
  std::string out, err;
};

// A command "demo CONFIG.yaml [-o DIR] [--force] [--level N]"; --level takes 0..9.
Parsed parse_demo(const std::vector<std::string>& args) {
  Parsed p;
  CommandLine line("demo", "Demonstrates the parser.");
  line.argument("CONFIG.yaml", "config file", p.config)
      .option({"-o", "--output"}, "DIR", "the folder", p.out_dir)
      .flag("--force", "redo it", p.force)
      .option({"--level"}, "N", "a digit", [&p](const std::string& v) {
        if (v.size() != 1 || v[0] < '0' || v[0] > '9') return "--level: expected a digit, found '" + v + "'";
        p.level = v;
        return std::string();
      });
  std::ostringstream out, err;
  p.exit = line.parse(args, out, err);
  p.out = out.str();
  p.err = err.str();
  return p;
}

const char* kDemoUsage = "usage: ablate demo CONFIG.yaml [-o DIR] [--force] [--level N]\n";

TEST(CommandLine, ReadsArgumentsOptionsAndFlagsInAnyOrder) {
  const Parsed p = parse_demo({"--force", "-o", "-x", "a.yaml", "--level", "7"});
  EXPECT_FALSE(p.exit.has_value()) << p.err;
  EXPECT_EQ(p.config, "a.yaml");
  EXPECT_EQ(p.out_dir, "-x");  // an option's value is the next argument, whatever it looks like
  EXPECT_TRUE(p.force);
  EXPECT_EQ(p.level, "7");
  EXPECT_EQ(parse_demo({"a.yaml", "--output", "d"}).out_dir, "d");
  EXPECT_FALSE(parse_demo({"a.yaml"}).force);
}

TEST(CommandLine, UsageErrorsNameTheProblemThenTheUsage) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{}, "missing CONFIG.yaml"},
      {{"a.yaml", "b.yaml"}, "one config file expected, found a second: 'b.yaml'"},
      {{"a.yaml", "-o"}, "-o needs a value"},
      {{"a.yaml", "--output"}, "--output needs a value"},
      {{"a.yaml", "--bogus"}, "unknown option '--bogus'"},
      {{"a.yaml", "-"}, "unknown option '-'"},
      {{"a.yaml", "--level", "12"}, "--level: expected a digit, found '12'"},
  };
  for (const auto& [args, what] : cases) {
    const Parsed p = parse_demo(args);
    EXPECT_EQ(p.exit, 2) << what;
    EXPECT_EQ(p.err, "ablate demo: " + what + "\n" + kDemoUsage);
    EXPECT_EQ(p.out, "");
  }
}

TEST(CommandLine, HelpPrintsUsageSummaryAndOptions) {
  for (const char* flag : {"--help", "-h"}) {
    const Parsed p = parse_demo({"a.yaml", flag, "--bogus"});
    EXPECT_EQ(p.exit, 0);
    EXPECT_EQ(p.err, "");
    EXPECT_THAT(p.out, StartsWith(std::string(kDemoUsage) + "Demonstrates the parser.\n\noptions:\n"));
    EXPECT_THAT(p.out, HasSubstr("\n  -o, --output DIR  the folder\n"));
    EXPECT_THAT(p.out, HasSubstr("\n  --force           redo it\n"));
    EXPECT_THAT(p.out, HasSubstr("\n  -h, --help        this text\n"));
  }
  EXPECT_EQ(parse_demo({"-o", "--help", "a.yaml"}).out_dir, "--help");  // a value, not a request
}

TEST(CommandLine, SeveralArgumentsAreCountedAtTheEnd) {
  std::vector<std::string> paths;
  bool force = false;
  CommandLine line("copy", "Copies.");
  line.arguments({"IN", "OUT"}, paths).flag("--force", "replace OUT", force).usage_note("   (OUT is replaced)");
  EXPECT_EQ(line.usage(), "usage: ablate copy IN OUT [--force]   (OUT is replaced)");
  std::ostringstream out, err;
  EXPECT_EQ(line.parse({"a", "b", "c"}, out, err), 2);
  EXPECT_EQ(err.str(), "ablate copy: expected IN and OUT, found 3 paths\nusage: ablate copy IN OUT [--force]   (OUT is replaced)\n");
  paths.clear();
  EXPECT_EQ(line.parse({"a", "--force", "b"}, out, err), std::nullopt);
  EXPECT_EQ(paths, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(force);
}

}  // namespace
}  // namespace ablate
