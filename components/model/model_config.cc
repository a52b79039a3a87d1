// ModelConfig: derived sizes and validation (resolve). Every message starts with the YAML path.
#include "components/model/model_config.h"

#include "components/model/registry.h"

namespace ablate {
namespace {

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw ConfigError(path + ": " + what);
}

}  // namespace

int64_t ModelConfig::mlp_hidden() const {
  if (mlp.hidden > 0) return mlp.hidden;
  return find_variant("mlp", mlp.type, "model.mlp.type").auto_hidden(*this);
}

double ModelConfig::token_embedding_scale() const {
  if (embedding_scale > 0) return embedding_scale;
  const VariantRow& row = find_variant("position", position.type, "model.position.type");
  return row.embedding_scale ? row.embedding_scale(*this) : 1.0;
}

void ModelConfig::resolve(const std::string& prefix) {
  const std::string& p = prefix;
  // Every key's own constraint (the field lists in model_config.h), then what relates keys.
  check_fields(*this, p);

  const std::string ap = p + ".attention";
  if (d_model % attention.n_heads != 0) {
    fail(ap + ".n_heads",
         std::to_string(attention.n_heads) + " does not divide d_model=" + std::to_string(d_model));
  }
  find_variant("attention", attention.type, ap + ".type").resolve(*this, ap);  // sets n_kv_heads
  if (attention.n_heads % attention.n_kv_heads != 0) {
    fail(ap + ".n_kv_heads", std::to_string(attention.n_kv_heads) +
                                 " does not divide n_heads=" + std::to_string(attention.n_heads));
  }

  // The auto size is stored so that the resolved config states the model.
  mlp.hidden = mlp_hidden();

  const std::string pp = p + ".position";
  if (position.rotary_dim % 2 != 0) {
    fail(pp + ".rotary_dim", "must be even, found " + std::to_string(position.rotary_dim));
  }
  if (position.rotary_dim > head_dim()) {
    fail(pp + ".rotary_dim", std::to_string(position.rotary_dim) + " exceeds head_dim=" +
                                 std::to_string(head_dim()) + " (0 = full head_dim)");
  }
  const VariantRow& position_variant = find_variant("position", position.type, pp + ".type");
  if (position_variant.resolve) position_variant.resolve(*this, pp);
  // The auto scale is stored so that the resolved config (results, checkpoints) states it.
  embedding_scale = token_embedding_scale();

  const RopeScalingConfig& s = position.scaling;
  const std::string sp = pp + ".scaling";
  if (s.type != "none" && position.type != "rope") {
    fail(sp + ".type",
         "'" + s.type + "' needs position.type rope (position.type is " + position.type + ")");
  }
  const VariantRow& scaling_variant = find_variant("position.scaling", s.type, sp + ".type");
  if (scaling_variant.resolve) scaling_variant.resolve(*this, sp);
}

}  // namespace ablate
