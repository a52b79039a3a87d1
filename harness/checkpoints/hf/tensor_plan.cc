// Shared pieces of the tensor plans (see tensor_plan.h).
#include "harness/checkpoints/hf/tensor_plan.h"

#include <algorithm>
#include <stdexcept>

namespace ablate::hf {

Params parameters_by_name(Model<float>& model) {
  Params p;
  for (const auto& np : model.parameters()) p[np.name] = np.param;
  return p;
}

Parameter<float>& param(Params& params, const std::string& name) {
  const auto it = params.find(name);
  if (it == params.end()) throw std::logic_error("hf_checkpoint: the model has no parameter " + name);
  return *it->second;
}

Slot copy_into(Parameter<float>& p) {
  return {p.value.shape, [&p](const std::vector<float>& v) { std::copy(v.begin(), v.end(), p.value.ptr()); }};
}

}  // namespace ablate::hf
