// Running another program (harness/common/process.h): its exit status, its output with or without
// stderr, a program that does not exist, and one killed by a signal.
#include <gtest/gtest.h>
#include <gmock/gmock.h>

#include "harness/common/process.h"

namespace ablate {
namespace {

using ::testing::HasSubstr;

TEST(Process, OutputAndExitStatus) {
  const std::vector<std::string> script = {"sh", "-c", "echo out; echo err >&2; read line || echo eof; exit 3"};
  const ProcessResult with = run_process(script, ChildStderr::kWithOutput);
  EXPECT_EQ(with.exit_status, 3);
  EXPECT_EQ(with.output, "out\nerr\neof\n");  // stdin is /dev/null
  const ProcessResult without = run_process(script, ChildStderr::kDiscarded);
  EXPECT_EQ(without.exit_status, 3);
  EXPECT_EQ(without.output, "out\neof\n");
}

TEST(Process, ArgumentsReachTheProgramAsTheyAre) {
  const ProcessResult r = run_process({"printf", "%s|", "a b", "it's", "$HOME"}, ChildStderr::kWithOutput);
  EXPECT_EQ(r.exit_status, 0);
  EXPECT_EQ(r.output, "a b|it's|$HOME|");  // no shell in between
}

TEST(Process, AMissingProgramOrASignalIsStatusMinusOne) {
  const ProcessResult missing = run_process({"/nonexistent/ablate-no-such-program"}, ChildStderr::kWithOutput);
  EXPECT_EQ(missing.exit_status, -1);
  EXPECT_THAT(missing.output, HasSubstr("cannot start /nonexistent/ablate-no-such-program: "));
  const ProcessResult killed = run_process({"sh", "-c", "kill -9 $$"}, ChildStderr::kWithOutput);
  EXPECT_EQ(killed.exit_status, -1);
}

}  // namespace
}  // namespace ablate
