// ModelConfig: derived sizes and validation (resolve). Every message starts with the YAML path.
#include "components/model/model_config.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "components/model/registry.h"

namespace ablate {
namespace {

// Shortest text that reads back as the same double ("1e-05", "0.5", "32").
std::string format_number(double v) {
  char buf[40];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof(buf), "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw ConfigError(path + ": " + what);
}

void check_known(const std::string& path, const std::string& slot, const std::string& name) {
  const std::vector<std::string> names = variant_names(slot);
  if (std::find(names.begin(), names.end(), name) == names.end()) {
    fail(path, "unknown '" + name + "' (known: " + joined_variant_names(slot) + ")");
  }
}

void check_positive(const std::string& path, int64_t v) {
  if (v <= 0) fail(path, "must be positive, found " + std::to_string(v));
}

void check_non_negative(const std::string& path, int64_t v) {
  if (v < 0) fail(path, "must be >= 0, found " + std::to_string(v));
}

// Sizes are at most 2^24 = 16,777,216 (llama2.c headers are read with the same limit): far beyond
// any model Ablate can hold, and small enough that products of sizes (8·d_model, KV-cache and
// parameter bytes) cannot overflow int64.
constexpr int64_t kMaxSize = int64_t{1} << 24;

// mlp.hidden: `auto` gives up to 4·d_model (rounded up to multiple_of), which must read back.
constexpr int64_t kMaxHidden = 8 * kMaxSize;

void check_at_most(const std::string& path, int64_t v, int64_t limit) {
  if (v > limit) fail(path, "must be at most " + std::to_string(limit) + ", found " + std::to_string(v));
}

void check_size(const std::string& path, int64_t v) {
  check_positive(path, v);
  check_at_most(path, v, kMaxSize);
}

// The `!(v > 0)` forms also reject NaN.
void check_positive(const std::string& path, double v) {
  if (!(v > 0) || !std::isfinite(v)) fail(path, "must be > 0, found " + format_number(v));
}

void check_non_negative(const std::string& path, double v) {
  if (!(v >= 0) || !std::isfinite(v)) fail(path, "must be >= 0, found " + format_number(v));
}

}  // namespace

int64_t ModelConfig::mlp_hidden() const {
  if (mlp.hidden > 0) return mlp.hidden;
  if (mlp.type == "gelu") return 4 * d_model;
  // swiglu: floor(2 * 4d / 3), rounded up to a multiple of multiple_of (Llama).
  const int64_t h = 2 * 4 * d_model / 3;
  const int64_t m = std::max<int64_t>(mlp.multiple_of, 1);
  return (h + m - 1) / m * m;
}

void ModelConfig::resolve(const std::string& prefix) {
  const std::string& p = prefix;

  // Variant names, per slot.
  check_known(p + ".norm.type", "norm", norm.type);
  check_known(p + ".mlp.type", "mlp", mlp.type);
  check_known(p + ".position.type", "position", position.type);
  check_known(p + ".position.scaling.type", "position.scaling", position.scaling.type);
  check_known(p + ".attention.type", "attention", attention.type);

  // Sizes.
  check_size(p + ".vocab_size", vocab_size);
  check_size(p + ".d_model", d_model);
  check_size(p + ".n_layers", n_layers);
  check_size(p + ".context", context);
  check_positive(p + ".init_std", init_std);

  // Attention: heads, and n_kv_heads from the type.
  const std::string ap = p + ".attention";
  check_size(ap + ".n_heads", attention.n_heads);
  if (d_model % attention.n_heads != 0) {
    fail(ap + ".n_heads",
         std::to_string(attention.n_heads) + " does not divide d_model=" + std::to_string(d_model));
  }
  const int64_t given_kv = attention.n_kv_heads;  // 0 = not given
  if (attention.type == "mha") {
    if (given_kv != 0 && given_kv != attention.n_heads) {
      fail(ap + ".n_kv_heads", std::to_string(given_kv) +
                                   " given, but type mha uses n_kv_heads = n_heads = " +
                                   std::to_string(attention.n_heads) + " (use type gqa)");
    }
    attention.n_kv_heads = attention.n_heads;
  } else if (attention.type == "mqa") {
    if (given_kv != 0 && given_kv != 1) {
      fail(ap + ".n_kv_heads",
           std::to_string(given_kv) + " given, but type mqa uses n_kv_heads = 1 (use type gqa)");
    }
    attention.n_kv_heads = 1;
  } else {  // gqa
    if (given_kv == 0) fail(ap + ".n_kv_heads", "required for type gqa");
    check_positive(ap + ".n_kv_heads", given_kv);
  }
  if (attention.n_heads % attention.n_kv_heads != 0) {
    fail(ap + ".n_kv_heads", std::to_string(attention.n_kv_heads) +
                                 " does not divide n_heads=" + std::to_string(attention.n_heads));
  }

  // Norm.
  check_positive(p + ".norm.eps", norm.eps);

  // MLP; the auto size is stored so that the resolved config states the model.
  if (mlp.hidden < 0) {
    fail(p + ".mlp.hidden", "must be >= 0 (0 = auto), found " + std::to_string(mlp.hidden));
  }
  check_at_most(p + ".mlp.hidden", mlp.hidden, kMaxHidden);
  if (mlp.multiple_of < 1) {
    fail(p + ".mlp.multiple_of", "must be >= 1, found " + std::to_string(mlp.multiple_of));
  }
  check_at_most(p + ".mlp.multiple_of", mlp.multiple_of, kMaxSize);
  if (mlp.form != "tanh" && mlp.form != "erf") {
    fail(p + ".mlp.form", "unknown '" + mlp.form + "' (known: tanh, erf)");
  }
  mlp.hidden = mlp_hidden();

  // Position.
  const std::string pp = p + ".position";
  check_positive(pp + ".theta", position.theta);
  check_non_negative(pp + ".rotary_dim", position.rotary_dim);
  if (position.rotary_dim % 2 != 0) {
    fail(pp + ".rotary_dim", "must be even, found " + std::to_string(position.rotary_dim));
  }
  if (position.rotary_dim > head_dim()) {
    fail(pp + ".rotary_dim", std::to_string(position.rotary_dim) + " exceeds head_dim=" +
                                 std::to_string(head_dim()) + " (0 = full head_dim)");
  }
  if (position.type == "rope" && head_dim() % 2 != 0) {
    fail(pp + ".type", "rope needs an even head_dim, found head_dim=" + std::to_string(head_dim()) +
                           " (d_model=" + std::to_string(d_model) +
                           " / n_heads=" + std::to_string(attention.n_heads) + ")");
  }

  // RoPE scaling.
  const RopeScalingConfig& s = position.scaling;
  const std::string sp = pp + ".scaling";
  if (s.type != "none" && position.type != "rope") {
    fail(sp + ".type",
         "'" + s.type + "' needs position.type rope (position.type is " + position.type + ")");
  }
  if (!(s.factor >= 1) || !std::isfinite(s.factor)) {
    fail(sp + ".factor",
         "must be >= 1 (a scaling factor < 1 is an error), found " + format_number(s.factor));
  }
  check_non_negative(sp + ".original_context", s.original_context);
  check_at_most(sp + ".original_context", s.original_context, kMaxSize);
  if (s.type == "yarn") {
    check_positive(sp + ".beta_slow", s.beta_slow);
    if (!(s.beta_fast > s.beta_slow) || !std::isfinite(s.beta_fast)) {
      fail(sp + ".beta_fast", "must be > beta_slow=" + format_number(s.beta_slow) + ", found " +
                                  format_number(s.beta_fast));
    }
  }
  check_non_negative(sp + ".attention_factor", s.attention_factor);
  check_non_negative(sp + ".mscale", s.mscale);
  check_non_negative(sp + ".mscale_all_dim", s.mscale_all_dim);
}

}  // namespace ablate
