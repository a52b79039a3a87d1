// Running another program and collecting what it prints (gnuplot for the report, git for the
// run info): no shell, stdin from /dev/null.
#pragma once

#include <string>
#include <vector>

namespace ablate {

// Where the child's stderr goes.
enum class ChildStderr { kWithOutput, kDiscarded };

struct ProcessResult {
  int exit_status = -1;  // -1: killed by a signal, or not started
  std::string output;    // stdout (and stderr, kWithOutput); why it did not start, when it did not
};

// Runs argv[0] (looked up on PATH when it holds no '/') with the arguments argv and waits for it.
// std::runtime_error only when no pipe can be created.
ProcessResult run_process(const std::vector<std::string>& argv, ChildStderr child_stderr);

}  // namespace ablate
