// The `ablate` command line: subcommand dispatch, usage text, exit codes.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace ablate {

// Runs `ablate ARGS...`; returns the process exit code (0 ok, 1 runtime error, 2 usage error).
int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// The subcommands run_cli dispatches ("list", "run", ..., "help"), in the order `ablate help`
// lists them.
std::vector<std::string> cli_command_names();

}  // namespace ablate
