// The command line of one `ablate` subcommand: its positional arguments and options, the usage
// line built from them, `--help` / `-h`, and the usage errors every command words alike:
//
//   ablate COMMAND: WHAT
//   usage: ablate COMMAND ARGS [OPTION VALUE]...
//
// Arguments are read in order: an option's value is the next argument, whatever it looks like;
// anything else that starts with '-' is an unknown option; -h or --help prints the help (the
// usage line, the command's summary and its options) on stdout and stops.
#pragma once

#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace ablate {

class CommandLine {
 public:
  // command: the subcommand's name ("report"); summary: what --help says it does.
  CommandLine(std::string command, std::string summary);

  // The command's one positional argument, `name` in the usage ("CONFIG.yaml"). A second is
  // "one WHAT expected, found a second: 'ARG'", none "missing NAME".
  CommandLine& argument(const std::string& name, const std::string& what, std::string& target);
  // Exactly names.size() positional arguments ({"IN", "OUT"}); another count is "expected IN and
  // OUT, found N paths".
  CommandLine& arguments(const std::vector<std::string>& names, std::vector<std::string>& targets);
  // An option without a value.
  CommandLine& flag(const std::string& name, const std::string& help, bool& target);
  // An option with a value, spelled any of `names` (the first one in the usage line).
  CommandLine& option(const std::vector<std::string>& names, const std::string& value_name, const std::string& help,
                      std::string& target);
  // An option whose value `set` checks and stores: it returns the usage error, or "" when fine.
  CommandLine& option(const std::vector<std::string>& names, const std::string& value_name, const std::string& help,
                      std::function<std::string(const std::string&)> set);
  // Text after the usage line's options ("   (OUT defaults to RESULTS_DIR/report)").
  CommandLine& usage_note(const std::string& note);

  // Reads `args` (what follows the command's name) into the targets. Returns the exit code when
  // the command should stop there: 0 after --help (printed on `out`), 2 after a usage error
  // (printed on `err`); nothing when the command should go on.
  std::optional<int> parse(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) const;

  // "usage: ablate COMMAND ..." without a newline.
  std::string usage() const;

 private:
  struct Option {
    std::vector<std::string> names;
    std::string value_name;  // empty for a flag
    std::string help;
    std::function<std::string(const std::string&)> set;  // an option with a value
    bool* flag = nullptr;                                 // a flag
  };
  const Option* find_option(const std::string& arg) const;
  int usage_error(std::ostream& err, const std::string& what) const;

  std::string command_, summary_, note_;
  std::vector<Option> options_;
  std::vector<std::string> positional_names_;
  std::string one_positional_;                        // argument(): the WHAT of "one WHAT expected"
  std::string* single_target_ = nullptr;              // argument()
  std::vector<std::string>* many_targets_ = nullptr;  // arguments()
};

}  // namespace ablate
