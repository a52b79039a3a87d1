// Precision of a model's matrix products (the `precision:` key). fp32: fp32 operands, bitwise
// deterministic for a given thread count and CPU. bf16 (mixed precision, as torch.autocast on CPU):
// the linear layers' and the LM head's GEMMs — forward and both backward products — take bf16
// operands and accumulate in fp32, and so do attention's score and value products where the bf16
// kernel is native (AttentionBlocks, attention.h); master weights, gradients, AdamW state, norms,
// the softmax and the loss stay fp32. The bf16 weight copies are remade once per optimizer step.
#pragma once

#include <string>
#include <vector>

namespace ablate {

enum class Precision { kFp32, kBf16 };

std::vector<std::string> precision_names();  // fp32, bf16
std::string precision_name(Precision p);
Precision parse_precision(const std::string& name);  // throws std::invalid_argument naming the known ones

// Throws PrecisionUnsupported naming what this CPU lacks (bf16 needs AVX512-BF16 or AMX-BF16).
void require_precision(Precision p);

// What this CPU offers bf16 products: "amx_bf16", "avx512_bf16", or "" (none).
std::string cpu_bf16_feature();

// The instruction set oneDNN dispatches its kernels to on this CPU, as oneDNN names it, and
// oneDNN's version ("2.6.3").
std::string onednn_isa();
std::string onednn_version();

}  // namespace ablate
