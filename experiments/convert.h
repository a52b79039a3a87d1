// `ablate convert IN OUT [--to FORMAT] [--tokenizer SPEC] [--force]`: a checkpoint from one format
// into another (checkpoint_formats.h): llama2.c .bin, a Hugging Face directory (config.json +
// model.safetensors, F32) and Ablate's checkpoint (.safetensors). IN's format is detected; OUT's
// comes from --to (ablate, huggingface, llama2c) or its name (*.safetensors: ablate, *.bin: llama2c,
// anything else: a Hugging Face directory). An existing OUT is replaced only with --force.
//
// An Ablate checkpoint records an experiment config: its model section is the converted model, its
// name OUT's stem, data.tokenizer the --tokenizer spec (default byte; checked against the model's
// vocabulary), train.context and eval.context the model's context, everything else the defaults.
//
// Prints the model's `model:` YAML section on stdout, so that an experiment config can state the
// same model (`ablate convert a.bin a.safetensors > model.yaml`, then `base: model.yaml` in the
// config, and `ablate eval config.yaml --checkpoint a.safetensors`); what was done, and any notes
// on where Ablate computes differently from the source (hf_checkpoint.h), go to stderr.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace ablate {

// args: what follows "convert". Returns the exit code (0 ok, 1 error, 2 usage).
int convert_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace ablate
