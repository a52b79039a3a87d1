// The names of the perplexity windowing conventions (`eval.windowing`, `extend.windowing`); each
// is defined, with the source it follows, in perplexity.h.
#pragma once

#include <string>
#include <vector>

namespace ablate {

inline const std::vector<std::string>& windowing_names() {
  static const std::vector<std::string> names = {"disjoint", "hf_strided", "llamacpp", "lm_eval_rolling"};
  return names;
}

}  // namespace ablate
