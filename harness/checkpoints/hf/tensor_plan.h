// How a Hugging Face checkpoint's tensors meet a Model<float>'s parameters. Reading: a Plan maps
// each tensor name of the files to a Slot (the shape config.json implies, and what stores the
// tensor into the model). Writing: an HfExport holds config.json and the tensors to write.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "components/model/model.h"
#include "harness/checkpoints/hf/config_json.h"
#include "harness/checkpoints/safetensors.h"

namespace ablate::hf {

// Where one tensor of the files goes: its shape in the file, and what stores it into the model.
struct Slot {
  std::vector<int64_t> shape;
  std::function<void(const std::vector<float>&)> store;
  bool loaded = false;
};

using Plan = std::map<std::string, Slot>;
using Params = std::map<std::string, Parameter<float>*>;

Params parameters_by_name(Model<float>& model);

// The parameter `name`; a missing one is a logic_error (the plan and the model disagree).
Parameter<float>& param(Params& params, const std::string& name);

// Copies a file tensor straight into a parameter of the same shape.
Slot copy_into(Parameter<float>& p);

// A tensor the writer computes (a layout the model does not hold as such).
struct OwnedTensor {
  std::string name;
  std::vector<int64_t> shape;
  std::vector<float> data;
};

// One architecture's config.json and tensors; `tensors` point into the model or into `owned`.
struct HfExport {
  Json config;
  std::vector<OwnedTensor> owned;
  std::vector<TensorToWrite> tensors;
};

}  // namespace ablate::hf
