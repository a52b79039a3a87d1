#include "components/core/precision.h"

#include <stdexcept>

#include <oneapi/dnnl/dnnl.hpp>

namespace ablate {

std::vector<std::string> precision_names() { return {"fp32", "bf16"}; }

std::string precision_name(Precision p) { return p == Precision::kBf16 ? "bf16" : "fp32"; }

Precision parse_precision(const std::string& name) {
  if (name == "fp32") return Precision::kFp32;
  if (name == "bf16") return Precision::kBf16;
  throw std::invalid_argument("unknown precision '" + name + "' (known: fp32, bf16)");
}

std::string cpu_bf16_feature() {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("amx-bf16")) return "amx_bf16";
  if (__builtin_cpu_supports("avx512bf16")) return "avx512_bf16";
  return "";
}

std::string onednn_isa() {
  switch (dnnl::get_effective_cpu_isa()) {
    case dnnl::cpu_isa::sse41: return "sse41";
    case dnnl::cpu_isa::avx: return "avx";
    case dnnl::cpu_isa::avx2: return "avx2";
    case dnnl::cpu_isa::avx2_vnni: return "avx2_vnni";
    case dnnl::cpu_isa::avx512_core: return "avx512_core";
    case dnnl::cpu_isa::avx512_core_vnni: return "avx512_core_vnni";
    case dnnl::cpu_isa::avx512_core_bf16: return "avx512_core_bf16";
    case dnnl::cpu_isa::avx512_core_amx: return "avx512_core_amx";
    default: return "other";
  }
}

std::string onednn_version() {
  const dnnl_version_t* v = dnnl::version();
  return std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch);
}

void require_precision(Precision p) {
  if (p != Precision::kBf16 || !cpu_bf16_feature().empty()) return;
  throw std::runtime_error(
      "precision: bf16 needs a CPU with AVX512-BF16 or AMX-BF16 instructions; this CPU has neither (oneDNN "
      "dispatches to " + onednn_isa() + "), and Ablate does not emulate bf16 slowly: use precision: fp32");
}

}  // namespace ablate
