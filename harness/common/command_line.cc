// Parsing one subcommand's arguments (see command_line.h).
#include "harness/common/command_line.h"

#include <algorithm>
#include <ostream>

namespace ablate {
namespace {

bool is_help(const std::string& arg) { return arg == "-h" || arg == "--help"; }

}  // namespace

CommandLine::CommandLine(std::string command, std::string summary)
    : command_(std::move(command)), summary_(std::move(summary)) {}

CommandLine& CommandLine::argument(const std::string& name, const std::string& what, std::string& target) {
  positional_names_ = {name};
  one_positional_ = what;
  single_target_ = &target;
  return *this;
}

CommandLine& CommandLine::arguments(const std::vector<std::string>& names, std::vector<std::string>& targets) {
  positional_names_ = names;
  many_targets_ = &targets;
  return *this;
}

CommandLine& CommandLine::flag(const std::string& name, const std::string& help, bool& target) {
  options_.push_back({{name}, "", help, {}, &target});
  return *this;
}

CommandLine& CommandLine::option(const std::vector<std::string>& names, const std::string& value_name,
                                 const std::string& help, std::string& target) {
  return option(names, value_name, help, [&target](const std::string& value) {
    target = value;
    return std::string();
  });
}

CommandLine& CommandLine::option(const std::vector<std::string>& names, const std::string& value_name,
                                 const std::string& help, std::function<std::string(const std::string&)> set) {
  options_.push_back({names, value_name, help, std::move(set), nullptr});
  return *this;
}

CommandLine& CommandLine::usage_note(const std::string& note) {
  note_ = note;
  return *this;
}

std::string CommandLine::usage() const {
  std::string text = "usage: ablate " + command_;
  for (const std::string& name : positional_names_) text += " " + name;
  for (const Option& o : options_) text += " [" + o.names.front() + (o.flag ? "" : " " + o.value_name) + "]";
  return text + note_;
}

const CommandLine::Option* CommandLine::find_option(const std::string& arg) const {
  for (const Option& o : options_)
    if (std::find(o.names.begin(), o.names.end(), arg) != o.names.end()) return &o;
  return nullptr;
}

int CommandLine::usage_error(std::ostream& err, const std::string& what) const {
  err << "ablate " << command_ << ": " << what << "\n" << usage() << "\n";
  return 2;
}

std::optional<int> CommandLine::parse(const std::vector<std::string>& args, std::ostream& out,
                                      std::ostream& err) const {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (const Option* o = find_option(arg)) {
      if (o->flag) {
        *o->flag = true;
        continue;
      }
      if (i + 1 >= args.size()) return usage_error(err, arg + " needs a value");
      const std::string error = o->set(args[++i]);
      if (!error.empty()) return usage_error(err, error);
    } else if (is_help(arg)) {
      out << usage() << "\n" << summary_ << "\n\noptions:\n";
      std::vector<std::pair<std::string, std::string>> lines;
      for (const Option& o : options_) {
        std::string spelled;
        for (const std::string& name : o.names) spelled += (spelled.empty() ? "" : ", ") + name;
        lines.emplace_back(spelled + (o.flag ? "" : " " + o.value_name), o.help);
      }
      lines.emplace_back("-h, --help", "this text");
      size_t width = 0;
      for (const auto& line : lines) width = std::max(width, line.first.size());
      for (const auto& [spelled, help] : lines) out << "  " << spelled << std::string(width + 2 - spelled.size(), ' ') << help << "\n";
      return 0;
    } else if (!arg.empty() && arg[0] == '-') {
      return usage_error(err, "unknown option '" + arg + "'");
    } else if (many_targets_) {
      many_targets_->push_back(arg);
    } else if (single_target_ && single_target_->empty()) {
      *single_target_ = arg;
    } else {
      return usage_error(err, "one " + one_positional_ + " expected, found a second: '" + arg + "'");
    }
  }
  if (single_target_ && single_target_->empty()) return usage_error(err, "missing " + positional_names_.front());
  if (many_targets_ && many_targets_->size() != positional_names_.size()) {
    std::string names;
    for (size_t k = 0; k < positional_names_.size(); ++k)
      names += (k == 0 ? "" : k + 1 == positional_names_.size() ? " and " : ", ") + positional_names_[k];
    return usage_error(err, "expected " + names + ", found " + std::to_string(many_targets_->size()) + " paths");
  }
  return std::nullopt;
}

}  // namespace ablate
