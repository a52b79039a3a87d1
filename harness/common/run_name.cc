// The characters of a run name (see run_name.h).
#include "harness/common/run_name.h"

namespace ablate {

bool is_run_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
         c == '.' || c == '=' || c == '+';
}

}  // namespace ablate
