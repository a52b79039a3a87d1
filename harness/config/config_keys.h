// Every key of an experiment config, from the sections' field lists: what `ablate keys` prints
// and docs/config-keys.md holds (a test keeps that file equal to this output).
#pragma once

#include <string>
#include <vector>

#include "harness/config/fields.h"

namespace ablate {

// In the order a config file reads: the top level, model, data, train, eval, choice, extend, bench.
std::vector<KeyDoc> config_key_docs();

// The keys as a Markdown table (`markdown`) or as aligned text lines.
std::string config_keys_text(bool markdown);

}  // namespace ablate
