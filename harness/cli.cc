#include "harness/cli.h"

#include <iomanip>
#include <ostream>

#include "components/registry.h"

namespace ablate {
namespace {

const char* kUsage =
    "usage: ablate <command> [args]\n"
    "commands:\n"
    "  list                 every registered component variant, by slot\n"
    "  help                 this text\n";

int list_variants(std::ostream& out) {
  for (const auto& slot : registered_slots()) {
    out << slot << ":\n";
    for (const auto& v : registered_variants())
      if (v.slot == slot) out << "  " << std::left << std::setw(12) << v.name << "  " << v.summary << "\n";
  }
  return 0;
}

}  // namespace

int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.empty()) {
    err << kUsage;
    return 2;
  }
  const std::string& command = args[0];
  if (command == "help" || command == "--help" || command == "-h") {
    out << kUsage;
    return 0;
  }
  if (command == "list") {
    if (args.size() > 1) {
      err << "ablate list: takes no arguments, got '" << args[1] << "'\n";
      return 2;
    }
    return list_variants(out);
  }
  err << "ablate: unknown command '" << command << "'\n" << kUsage;
  return 2;
}

}  // namespace ablate
