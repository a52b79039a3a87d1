// ModelConfig parsing, resolution and validation: every bad input in the table gets its message.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "components/model/model_config.h"
#include "components/model/registry.h"
#include "harness/config/model_yaml.h"

namespace ablate {
namespace {

// The message of the ConfigError that parsing `text` throws ("" if none).
std::string error_of(const std::string& text, const std::string& source = "config.yaml") {
  try {
    parse_model_config_text(text, source);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

ModelConfig parse(const std::string& text) { return parse_model_config_text(text, "test.yaml"); }

bool same(const ModelConfig& a, const ModelConfig& b) {
  const RopeScalingConfig& x = a.position.scaling;
  const RopeScalingConfig& y = b.position.scaling;
  return a.vocab_size == b.vocab_size && a.d_model == b.d_model && a.n_layers == b.n_layers &&
         a.context == b.context && a.tie_embeddings == b.tie_embeddings && a.bias == b.bias &&
         a.init_std == b.init_std && a.embedding_scale == b.embedding_scale && a.norm.type == b.norm.type && a.norm.eps == b.norm.eps &&
         a.mlp.type == b.mlp.type && a.mlp.hidden == b.mlp.hidden &&
         a.mlp.multiple_of == b.mlp.multiple_of && a.mlp.form == b.mlp.form &&
         a.position.type == b.position.type && a.position.theta == b.position.theta &&
         a.position.rotary_dim == b.position.rotary_dim && x.type == y.type &&
         x.factor == y.factor && x.original_context == y.original_context &&
         x.beta_fast == y.beta_fast && x.beta_slow == y.beta_slow && x.mscale == y.mscale &&
         x.mscale_all_dim == y.mscale_all_dim && x.attention_factor == y.attention_factor &&
         x.truncate == y.truncate && a.attention.type == b.attention.type &&
         a.attention.n_heads == b.attention.n_heads &&
         a.attention.n_kv_heads == b.attention.n_kv_heads;
}

struct BadCase {
  std::string yaml;
  std::string message;  // expected substring of the error
};

TEST(ModelConfig, BadInputsGetTheirMessages) {
  // Unknown type names list the known ones, as the registry has them.
  const std::string known_norms = "(known: " + joined_variant_names("norm") + ")";
  const std::string known_mlps = "(known: " + joined_variant_names("mlp") + ")";
  const std::string known_positions = "(known: " + joined_variant_names("position") + ")";
  const std::string known_scalings = "(known: " + joined_variant_names("position.scaling") + ")";
  const std::string known_attention = "(known: " + joined_variant_names("attention") + ")";
  const std::vector<BadCase> cases = {
      {"model: {norm: {type: batchnorm}}", "config.yaml: model.norm.type: unknown 'batchnorm' " + known_norms},
      {"model: {mlp: {type: relu}}", "model.mlp.type: unknown 'relu' " + known_mlps},
      {"model: {position: {type: alibi}}", "model.position.type: unknown 'alibi' " + known_positions},
      {"model: {position: {scaling: {type: warp}}}", "model.position.scaling.type: unknown 'warp' " + known_scalings},
      {"model: {attention: {type: mla}}", "model.attention.type: unknown 'mla' " + known_attention},
      // Sizes.
      {"model: {d_model: -4}", "config.yaml: model.d_model: must be positive, found -4"},
      {"model: {vocab_size: 0}", "model.vocab_size: must be positive, found 0"},
      {"model: {n_layers: -1}", "model.n_layers: must be positive, found -1"},
      {"model: {context: 0}", "model.context: must be positive, found 0"},
      {"model: {attention: {n_heads: 0}}", "model.attention.n_heads: must be positive, found 0"},
      {"model: {d_model: 64, attention: {n_heads: 5}}",
       "model.attention.n_heads: 5 does not divide d_model=64"},
      {"model: {init_std: 0}", "model.init_std: must be > 0, found 0"},
      // Upper limits (2^24), so that products of sizes cannot overflow (found by tests/fuzz).
      {"model: {d_model: 4444444444444444444}", "model.d_model: must be at most 16777216, found 4444444444444444444"},
      {"model: {vocab_size: 16777217}", "model.vocab_size: must be at most 16777216, found 16777217"},
      {"model: {n_layers: 100000000}", "model.n_layers: must be at most 16777216"},
      {"model: {context: 100000000}", "model.context: must be at most 16777216"},
      {"model: {attention: {n_heads: 100000000}}", "model.attention.n_heads: must be at most 16777216"},
      {"model: {mlp: {hidden: 1000000000}}", "model.mlp.hidden: must be at most 134217728, found 1000000000"},
      {"model: {mlp: {multiple_of: 100000000}}", "model.mlp.multiple_of: must be at most 16777216"},
      {"model: {position: {scaling: {type: linear, factor: 2, original_context: 100000000}}}",
       "model.position.scaling.original_context: must be at most 16777216"},
      // Attention types and n_kv_heads.
      {"model: {d_model: 64, attention: {type: gqa, n_heads: 8, n_kv_heads: 3}}",
       "model.attention.n_kv_heads: 3 does not divide n_heads=8"},
      {"model: {d_model: 64, attention: {type: gqa, n_heads: 8}}",
       "model.attention.n_kv_heads: required for type gqa"},
      {"model: {d_model: 64, attention: {type: gqa, n_heads: 8, n_kv_heads: -2}}",
       "model.attention.n_kv_heads: must be positive, found -2"},
      {"model: {d_model: 64, attention: {type: mha, n_heads: 8, n_kv_heads: 2}}",
       "model.attention.n_kv_heads: 2 given, but type mha uses n_kv_heads = n_heads = 8"},
      {"model: {d_model: 64, attention: {type: mqa, n_heads: 8, n_kv_heads: 2}}",
       "model.attention.n_kv_heads: 2 given, but type mqa uses n_kv_heads = 1"},
      // Norm and MLP.
      {"model: {norm: {eps: 0}}", "model.norm.eps: must be > 0, found 0"},
      {"model: {norm: {eps: -1e-5}}", "model.norm.eps: must be > 0, found -1e-05"},
      {"model: {mlp: {hidden: -3}}", "model.mlp.hidden: must be >= 0 (0 = auto), found -3"},
      {"model: {embedding_scale: -1}", "model.embedding_scale: must be >= 0 (0 = auto), found -1"},
      {"model: {embedding_scale: sqrt}", "model.embedding_scale: expected a number or 'auto', found 'sqrt'"},
      {"model: {embedding_scale: [1]}", "model.embedding_scale: expected a number or 'auto', found a sequence"},
      {"model: {mlp: {multiple_of: 0}}", "model.mlp.multiple_of: must be >= 1, found 0"},
      {"model: {mlp: {type: gelu, form: fast}}",
       "model.mlp.form: unknown 'fast' (known: tanh, erf)"},
      // Position and RoPE.
      {"model: {position: {theta: 0}}", "model.position.theta: must be > 0, found 0"},
      {"model: {d_model: 64, attention: {n_heads: 4}, position: {rotary_dim: 7}}",
       "model.position.rotary_dim: must be even, found 7"},
      {"model: {d_model: 64, attention: {n_heads: 4}, position: {rotary_dim: 32}}",
       "model.position.rotary_dim: 32 exceeds head_dim=16"},
      {"model: {position: {rotary_dim: -2}}", "model.position.rotary_dim: must be >= 0, found -2"},
      {"model: {d_model: 28, attention: {n_heads: 4}, position: {type: rope}}",
       "model.position.type: rope needs an even head_dim, found head_dim=7"},
      {"model: {position: {scaling: {type: linear, factor: 0.5}}}",
       "model.position.scaling.factor: must be >= 1 (a scaling factor < 1 is an error), found 0.5"},
      {"model: {position: {scaling: {type: yarn, factor: 4, original_context: -1}}}",
       "model.position.scaling.original_context: must be >= 0, found -1"},
      {"model: {position: {scaling: {type: yarn, factor: 4, beta_fast: 1, beta_slow: 2}}}",
       "model.position.scaling.beta_fast: must be > beta_slow=2, found 1"},
      {"model: {position: {scaling: {type: yarn, factor: 4, beta_slow: 0}}}",
       "model.position.scaling.beta_slow: must be > 0, found 0"},
      {"model: {position: {scaling: {type: yarn, factor: 4, attention_factor: -1}}}",
       "model.position.scaling.attention_factor: must be >= 0, found -1"},
      {"model: {position: {scaling: {type: yarn, factor: 4, mscale: -1}}}",
       "model.position.scaling.mscale: must be >= 0, found -1"},
      {"model: {position: {scaling: {type: yarn, factor: 4, mscale_all_dim: -0.5}}}",
       "model.position.scaling.mscale_all_dim: must be >= 0, found -0.5"},
      {"model: {position: {type: learned, scaling: {type: yarn, factor: 4}}}",
       "model.position.scaling.type: 'yarn' needs position.type rope"},
      // Keys and types.
      {"model: {norm: {epsilon: 1e-6}}",
       "config.yaml: model.norm.epsilon: unknown key (allowed: type, eps)"},
      {"model: {dmodel: 64}", "model.dmodel: unknown key (allowed: vocab_size, d_model, n_layers"},
      {"model: {position: {scaling: {factr: 2}}}", "model.position.scaling.factr: unknown key"},
      {"model: {d_model: 64, d_model: 32}", "model.d_model: duplicate key"},
      {"model: {d_model: big}", "config.yaml: model.d_model: expected an integer, found 'big'"},
      {"model: {d_model: 64.5}", "model.d_model: expected an integer, found '64.5'"},
      {"model: {d_model: [64]}", "model.d_model: expected an integer, found a sequence"},
      {"model: {d_model: }", "model.d_model: expected an integer, found null"},
      {"model: {d_model: 99999999999999999999}", "model.d_model: integer out of range"},
      {"model: {norm: {eps: tiny}}", "model.norm.eps: expected a number, found 'tiny'"},
      {"model: {norm: {eps: .inf}}", "model.norm.eps: expected a number, found '.inf'"},
      {"model: {bias: maybe}", "model.bias: expected true or false, found 'maybe'"},
      {"model: {mlp: {hidden: lots}}",
       "model.mlp.hidden: expected an integer or 'auto', found 'lots'"},
      {"model: {norm: {type: {a: 1}}}", "model.norm.type: expected a string, found a mapping"},
      {"model: {norm: rmsnorm}", "model.norm: expected a mapping, found 'rmsnorm'"},
      {"model: 3", "model: expected a mapping, found '3'"},
      {"model:", "model: expected a mapping, found null"},
      // Whole documents.
      {"", "config.yaml: empty document"},
      {"model: {}\n---\nmodel: {}\n", "config.yaml: expected one YAML document, found 2"},
      {"model: {d_model: 64}\nname: \"\xc3\x28\"\n", "config.yaml:2:8: YAML syntax error: invalid UTF-8 (byte 0xC3)"},
  };
  for (const BadCase& c : cases) {
    const std::string message = error_of(c.yaml);
    EXPECT_NE(message.find(c.message), std::string::npos)
        << "input:    " << c.yaml << "\nexpected: " << c.message << "\ngot:      " << message;
  }
}

TEST(ModelConfig, ErrorMessageStartsWithSourceAndPath) {
  EXPECT_EQ(error_of("model:\n  d_model: big\n", "sweep.yaml"),
            "sweep.yaml: model.d_model: expected an integer, found 'big'");
  // resolve() alone names the path under its prefix.
  ModelConfig c;
  c.d_model = 64;
  c.attention.type = "gqa";
  c.attention.n_heads = 8;
  c.attention.n_kv_heads = 3;
  try {
    c.resolve("model");
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "model.attention.n_kv_heads: 3 does not divide n_heads=8");
  }
}

TEST(ModelConfig, YamlSyntaxErrorNamesSourceLineAndColumn) {
  // Lines and columns count from 1; the bad '}' is line 3, column 14.
  const std::string message = error_of("model:\n  d_model: 64\n  norm: [a, b}\n", "bad.yaml");
  EXPECT_EQ(message.rfind("bad.yaml:3:14: YAML syntax error: ", 0), 0u) << message;
  const std::string dedent = error_of("model:\n  d_model: 64\n norm: x\n", "bad.yaml");
  EXPECT_EQ(dedent.rfind("bad.yaml:3:", 0), 0u) << dedent;
  const std::string alias = error_of("model:\n  mlp: *nothing\n", "bad.yaml");
  EXPECT_EQ(alias.rfind("bad.yaml:2:", 0), 0u) << alias;
}

// yaml-cpp's LoadAll never returns on a stray ',' after a document (jbeder/yaml-cpp#1040; found by
// tests/fuzz): a syntax error at the comma.
TEST(ModelConfig, StrayCommaIsASyntaxErrorNotAHang) {
  EXPECT_EQ(error_of("{\"model\": {\"d_model\": 32}},", "m.json"), "m.json:1:27: YAML syntax error: unexpected ','");
  EXPECT_EQ(error_of("{model: {d_model: 32}}, {n_layers: 1}", "m.yaml"), "m.yaml:1:23: YAML syntax error: unexpected ','");
}

TEST(ModelConfig, MlpHiddenAuto) {
  ModelConfig c;
  c.d_model = 32;
  c.mlp.type = "swiglu";
  c.mlp.multiple_of = 8;
  EXPECT_EQ(c.mlp_hidden(), 88);  // floor(256 / 3) = 85 -> 88
  c.d_model = 4096;
  c.mlp.multiple_of = 256;
  EXPECT_EQ(c.mlp_hidden(), 11008);  // Llama-2 7B
  c.mlp.type = "gelu";
  EXPECT_EQ(c.mlp_hidden(), 4 * 4096);
  c.mlp.hidden = 1000;
  EXPECT_EQ(c.mlp_hidden(), 1000);

  // resolve() stores the auto size, so the resolved config states it.
  const ModelConfig p =
      parse("model: {d_model: 32, mlp: {type: swiglu, hidden: auto, multiple_of: 8}}");
  EXPECT_EQ(p.mlp.hidden, 88);
  EXPECT_EQ(p.mlp_hidden(), 88);
  EXPECT_EQ(parse("model: {d_model: 32, mlp: {type: gelu}}").mlp_hidden(), 128);
  EXPECT_EQ(parse("model: {d_model: 32, mlp: {type: gelu, hidden: 100}}").mlp_hidden(), 100);
}

// embedding_scale: auto is the position variant's recipe (sqrt(d_model) for sinusoidal, Vaswani et
// al. 3.4; 1 for the others), stored by resolve() so that the resolved config states it; a number
// is kept, so the unscaled sinusoidal form stays available as an ablation.
TEST(ModelConfig, EmbeddingScaleAutoIsThePositionVariantsRecipe) {
  for (const std::string& position : variant_names("position")) {
    const double expected = position == "sinusoidal" ? std::sqrt(48.0) : 1.0;
    for (const std::string& spelled : {std::string(), std::string(", embedding_scale: auto"),
                                       std::string(", embedding_scale: 0")}) {
      const ModelConfig c = parse("model: {d_model: 48, position: {type: " + position + "}" + spelled + "}");
      EXPECT_DOUBLE_EQ(c.embedding_scale, expected) << position << spelled;
      EXPECT_NE(model_config_to_yaml(c).find("embedding_scale: "), std::string::npos);
    }
    EXPECT_EQ(parse("model: {position: {type: " + position + "}, embedding_scale: 1}").embedding_scale, 1.0);
    EXPECT_EQ(parse("model: {position: {type: " + position + "}, embedding_scale: 2.5}").embedding_scale, 2.5);
  }
  // Resolving again keeps the stored scale.
  ModelConfig c = parse("model: {d_model: 64, position: {type: sinusoidal}}");
  c.resolve();
  EXPECT_DOUBLE_EQ(c.embedding_scale, 8.0);
}

TEST(ModelConfig, AttentionTypesSetKvHeads) {
  const ModelConfig mha = parse("model: {d_model: 64, attention: {type: mha, n_heads: 8}}");
  EXPECT_EQ(mha.n_kv_heads(), 8);
  const ModelConfig mha_same =
      parse("model: {d_model: 64, attention: {type: mha, n_heads: 8, n_kv_heads: 8}}");
  EXPECT_EQ(mha_same.n_kv_heads(), 8);
  const ModelConfig mqa = parse("model: {d_model: 64, attention: {type: mqa, n_heads: 8}}");
  EXPECT_EQ(mqa.n_kv_heads(), 1);
  const ModelConfig gqa =
      parse("model: {d_model: 64, attention: {type: gqa, n_heads: 8, n_kv_heads: 2}}");
  EXPECT_EQ(gqa.n_kv_heads(), 2);
  EXPECT_EQ(gqa.head_dim(), 8);
  EXPECT_EQ(gqa.kv_cache_bytes_per_token(), 2 * 2 * 2 * 8 * 4);  // default n_layers = 2
  // Resolving twice is harmless.
  ModelConfig again = gqa;
  again.resolve();
  EXPECT_TRUE(same(again, gqa));
  ModelConfig mha_again = mha;
  mha_again.resolve();
  EXPECT_EQ(mha_again.n_kv_heads(), 8);
}

TEST(ModelConfig, DefaultsAndMissingSlots) {
  const ModelConfig c = parse("model: {d_model: 32}");
  ModelConfig expected;
  expected.d_model = 32;
  expected.resolve();
  EXPECT_TRUE(same(c, expected));
  EXPECT_EQ(c.norm.type, "rmsnorm");
  EXPECT_EQ(c.position.type, "rope");
  EXPECT_EQ(c.rotary_dim(), c.head_dim());
  EXPECT_EQ(c.rope_original_context(), c.context);
  // An empty slot keeps its defaults too.
  EXPECT_TRUE(same(parse("model:\n  d_model: 32\n  norm:\n"), expected));
}

TEST(ModelConfig, DocumentWithoutModelKeyIsTheModelSection) {
  const ModelConfig a = parse("d_model: 48\nattention: {n_heads: 6}\n");
  EXPECT_EQ(a.d_model, 48);
  EXPECT_EQ(a.attention.n_heads, 6);
  // Other top-level sections are left to their own readers.
  const ModelConfig b =
      parse("train: {steps: 10}\nmodel: {d_model: 48, attention: {n_heads: 6}}\n");
  EXPECT_TRUE(same(a, b));
}

TEST(ModelConfig, JsonInputParses) {
  const std::string json =
      R"({"vocab_size": 64, "d_model": 32, "n_layers": 2, "context": 16, "tie_embeddings": false,)"
      R"( "bias": true, "init_std": 0.02, "norm": {"type": "layernorm", "eps": 1e-05},)"
      R"( "mlp": {"type": "swiglu", "hidden": "auto", "multiple_of": 8},)"
      R"( "position": {"type": "rope", "theta": 10000.0, "rotary_dim": 4,)"
      R"( "scaling": {"type": "yarn", "factor": 4.0, "original_context": 16, "truncate": false}},)"
      R"( "attention": {"type": "gqa", "n_heads": 4, "n_kv_heads": 2}})";
  const ModelConfig c = parse(json);
  EXPECT_EQ(c.vocab_size, 64);
  EXPECT_EQ(c.d_model, 32);
  EXPECT_EQ(c.context, 16);
  EXPECT_FALSE(c.tie_embeddings);
  EXPECT_TRUE(c.bias);
  EXPECT_EQ(c.norm.type, "layernorm");
  EXPECT_DOUBLE_EQ(c.norm.eps, 1e-5);
  EXPECT_EQ(c.mlp_hidden(), 88);
  EXPECT_EQ(c.position.rotary_dim, 4);
  EXPECT_EQ(c.position.scaling.type, "yarn");
  EXPECT_DOUBLE_EQ(c.position.scaling.factor, 4.0);
  EXPECT_FALSE(c.position.scaling.truncate);
  EXPECT_EQ(c.n_kv_heads(), 2);
  // Wrapped in {"model": ...} too.
  EXPECT_TRUE(same(parse(R"({"model": )" + json + "}"), c));
  // And through the YAML::Node entry point.
  EXPECT_TRUE(same(parse_model_config(YAML::Load(json)), c));
}

TEST(ModelConfig, EmitParseRoundTrip) {
  std::vector<std::string> inputs = {
      "model: {}",
      "model: {d_model: 32, mlp: {type: swiglu, hidden: auto, multiple_of: 8}}",
      "model: {vocab_size: 50257, d_model: 96, n_layers: 3, context: 1024, tie_embeddings: false,"
      " bias: true, init_std: 0.0123456789, norm: {type: layernorm, eps: 1e-6},"
      " mlp: {type: gelu, form: erf}, position: {type: learned},"
      " attention: {type: mqa, n_heads: 6}}",
      "model: {d_model: 64, attention: {type: gqa, n_heads: 8, n_kv_heads: 2},"
      " position: {type: rope, theta: 500000, rotary_dim: 4, scaling: {type: yarn, factor: 8,"
      " original_context: 64, beta_fast: 16, beta_slow: 0.5, mscale: 0.707, mscale_all_dim: 1,"
      " attention_factor: 1.1, truncate: false}}}",
      "model: {position: {type: none}, norm: {eps: 0.1}}",
      "model: {d_model: 40, position: {type: sinusoidal}}",  // embedding_scale sqrt(40), bit-exact
      "model: {position: {type: sinusoidal}, embedding_scale: 1}",
  };
  for (const std::string& input : inputs) {
    const ModelConfig c = parse(input);
    const std::string yaml = model_config_to_yaml(c);
    const ModelConfig back = parse(yaml);
    EXPECT_TRUE(same(c, back)) << input << "\n--- emitted ---\n" << yaml;
    EXPECT_EQ(model_config_to_yaml(back), yaml);
    // The emitted text states the resolved sizes.
    EXPECT_NE(yaml.find("  hidden: " + std::to_string(c.mlp_hidden()) + "\n"), std::string::npos);
    EXPECT_NE(yaml.find("  n_kv_heads: " + std::to_string(c.n_kv_heads()) + "\n"),
              std::string::npos);
  }
  // Doubles come back bit-exact.
  const ModelConfig odd = parse("model: {init_std: 0.1, norm: {eps: 3.0000000000000004e-07}}");
  EXPECT_TRUE(same(parse(model_config_to_yaml(odd)), odd));
}

}  // namespace
}  // namespace ablate
