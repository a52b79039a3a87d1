// The config document layer: `base:` inheritance, file errors, overrides, source locations and
// YAML <-> JSON. Every file lives in the test's temp dir.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <functional>
#include <limits>
#include <string>

#include "harness/config/config_tree.h"
#include "tests/test_support.h"

namespace ablate {
namespace {

using ::testing::HasSubstr;
using ablate::testing::TempDirTest;
using ablate::testing::write_bytes;
using nlohmann::json;

// The message of the ConfigError `f` throws, or "(no error)".
std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

json as_json(const ConfigTree& tree) { return yaml_to_json(tree.root); }

class ConfigTreeTest : public TempDirTest {};

TEST_F(ConfigTreeTest, BaseInheritanceTwoLevelsDeep) {
  write_bytes(file("grand.yaml"),
              "seed: 1\n"
              "model:\n"
              "  d_model: 64\n"
              "  norm:\n"
              "    type: layernorm\n"
              "    eps: 1.0e-5\n"
              "  attention: {type: mha, n_heads: 4}\n"
              "data:\n"
              "  files: [a.bin, b.bin, c.bin]\n"
              "train:\n"
              "  lr: 0.001\n"
              "  steps: 100\n"
              "eval:\n"
              "  context: 8\n");
  write_bytes(file("base.yaml"),
              "base: grand.yaml\n"
              "model:\n"
              "  norm:\n"
              "    type: rmsnorm\n"
              "train:\n"
              "  steps: 200\n"
              "tags: [x]\n");
  write_bytes(file("child.yaml"),
              "train:\n"
              "  lr: 3e-4\n"
              "model:\n"
              "  attention: {n_heads: 8}\n"
              "data:\n"
              "  files: [z.bin]\n"
              "eval: ~\n"
              "base: base.yaml\n");
  const ConfigTree tree = load_config_tree(file("child.yaml"));
  EXPECT_EQ(tree.path, file("child.yaml"));
  const json expected = {
      {"seed", 1},
      {"model",
       {{"d_model", 64},
        {"norm", {{"type", "rmsnorm"}, {"eps", 1e-5}}},
        {"attention", {{"type", "mha"}, {"n_heads", 8}}}}},
      {"data", {{"files", {"z.bin"}}}},
      {"train", {{"lr", 3e-4}, {"steps", 200}}},
      {"eval", nullptr},
      {"tags", {"x"}},
  };
  EXPECT_EQ(as_json(tree), expected) << as_json(tree).dump();
  EXPECT_FALSE(tree.root["base"].IsDefined());
  // Base keys first in their order, then the child's new ones.
  std::string order;
  for (auto it = tree.root.begin(); it != tree.root.end(); ++it) order += it->first.Scalar() + " ";
  EXPECT_EQ(order, "seed model data train eval tags ");

  EXPECT_EQ(tree.sources.at("seed"), file("grand.yaml"));
  EXPECT_EQ(tree.sources.at("model"), file("child.yaml"));
  EXPECT_EQ(tree.sources.at("model.d_model"), file("grand.yaml"));
  EXPECT_EQ(tree.sources.at("model.norm"), file("base.yaml"));
  EXPECT_EQ(tree.sources.at("model.norm.type"), file("base.yaml"));
  EXPECT_EQ(tree.sources.at("model.norm.eps"), file("grand.yaml"));
  EXPECT_EQ(tree.sources.at("model.attention.n_heads"), file("child.yaml"));
  EXPECT_EQ(tree.sources.at("model.attention.type"), file("grand.yaml"));
  EXPECT_EQ(tree.sources.at("data.files"), file("child.yaml"));
  EXPECT_EQ(tree.sources.at("data.files[0]"), file("child.yaml"));
  EXPECT_EQ(tree.sources.at("tags[0]"), file("base.yaml"));
  // What the replaced sequence and mapping held in the bases is gone.
  EXPECT_EQ(tree.sources.count("data.files[1]"), 0u);
  EXPECT_EQ(tree.marks.count("data.files[2]"), 0u);
  EXPECT_EQ(tree.sources.count("eval.context"), 0u);
  EXPECT_EQ(tree.sources.at("eval"), file("child.yaml"));
  EXPECT_EQ(tree.sources.count("base"), 0u);
  EXPECT_EQ(tree.sources.size(), tree.marks.size());
}

TEST_F(ConfigTreeTest, BaseIsRelativeToTheIncludingFile) {
  std::filesystem::create_directories(file("sub/deeper"));
  write_bytes(file("sub/deeper/common.yaml"), "a: 1\nb: {c: 2, d: 3}\n");
  write_bytes(file("sub/mid.yaml"), "base: deeper/common.yaml\nb: {c: 20}\n");
  write_bytes(file("top.yaml"), "base: sub/mid.yaml\nb: {d: 30}\n");
  // A same-named file next to top.yaml must not be picked up instead.
  write_bytes(file("deeper_common_decoy.yaml"), "a: 999\n");
  const ConfigTree tree = load_config_tree(file("top.yaml"));
  EXPECT_EQ(as_json(tree), (json{{"a", 1}, {"b", {{"c", 20}, {"d", 30}}}}));
  EXPECT_EQ(tree.sources.at("a"), file("sub/deeper/common.yaml"));
  EXPECT_EQ(tree.sources.at("b.c"), file("sub/mid.yaml"));
  EXPECT_EQ(tree.sources.at("b.d"), file("top.yaml"));

  // Text: base relative to the current directory, or absolute.
  const ConfigTree text = load_config_tree_text("base: " + file("sub/mid.yaml") + "\na: 5\n", "inline");
  EXPECT_EQ(as_json(text), (json{{"a", 5}, {"b", {{"c", 20}, {"d", 3}}}}));
  EXPECT_EQ(text.path, "inline");
  EXPECT_EQ(source_of(text, "a"), "inline:2:4");
  EXPECT_EQ(source_of(text, "b.d"), file("sub/deeper/common.yaml") + ":2:14");
}

TEST_F(ConfigTreeTest, BaseCycleIsAnError) {
  write_bytes(file("a.yaml"), "base: b.yaml\nx: 1\n");
  write_bytes(file("b.yaml"), "base: a.yaml\ny: 2\n");
  EXPECT_EQ(error_of([&] { load_config_tree(file("a.yaml")); }),
            file("b.yaml") + ": base: cycle: " + file("a.yaml") + " -> " + file("b.yaml") + " -> " +
                file("a.yaml"));
  // The same file spelled differently is still a cycle.
  write_bytes(file("self.yaml"), "base: ./self.yaml\n");
  EXPECT_EQ(error_of([&] { load_config_tree(file("self.yaml")); }),
            file("self.yaml") + ": base: cycle: " + file("self.yaml") + " -> " + dir_ + "/./self.yaml");
  // A diamond-free chain that reuses no file is fine.
  write_bytes(file("c.yaml"), "base: a.yaml\n");
  EXPECT_THAT(error_of([&] { load_config_tree(file("c.yaml")); }),
              HasSubstr(": base: cycle: " + file("a.yaml") + " -> " + file("b.yaml") + " -> "));
}

TEST_F(ConfigTreeTest, MissingFileAndMissingBase) {
  const std::string enoent = std::strerror(ENOENT);
  EXPECT_EQ(error_of([&] { load_config_tree(file("none.yaml")); }),
            file("none.yaml") + ": cannot read: " + enoent);
  write_bytes(file("top.yaml"), "base: gone.yaml\n");
  EXPECT_EQ(error_of([&] { load_config_tree(file("top.yaml")); }),
            file("top.yaml") + ": base: " + file("gone.yaml") + ": cannot read: " + enoent);
  EXPECT_THAT(error_of([&] { load_config_tree(dir_); }), HasSubstr(dir_ + ": cannot read: "));
}

TEST_F(ConfigTreeTest, BaseMustBeAFileName) {
  write_bytes(file("x.yaml"), "base: [a.yaml]\n");
  EXPECT_EQ(error_of([&] { load_config_tree(file("x.yaml")); }),
            file("x.yaml") + ": base: expected a file name, found a sequence");
  EXPECT_EQ(error_of([&] { load_config_tree_text("base:\n", "t.yaml"); }),
            "t.yaml: base: expected a file name, found null");
  // `base` below the top level is an ordinary key.
  EXPECT_EQ(as_json(load_config_tree_text("m: {base: 3}\n", "t")), (json{{"m", {{"base", 3}}}}));
}

TEST_F(ConfigTreeTest, TooManyLevelsOfBase) {
  // f0 -> f1 -> ... : 32 bases are fine, 33 are not.
  for (int i = 0; i <= 33; ++i)
    write_bytes(file("f" + std::to_string(i) + ".yaml"),
                (i < 33 ? "base: f" + std::to_string(i + 1) + ".yaml\n" : std::string()) +
                    "v" + std::to_string(i) + ": " + std::to_string(i) + "\n");
  EXPECT_THAT(error_of([&] { load_config_tree(file("f0.yaml")); }),
              HasSubstr("f32.yaml: base: more than 32 levels of base files"));
  const ConfigTree tree = load_config_tree(file("f1.yaml"));
  EXPECT_EQ(tree.root.size(), 33u);
  EXPECT_EQ(tree.sources.at("v33"), file("f33.yaml"));
}

TEST_F(ConfigTreeTest, SyntaxErrorNamesLineAndColumn) {
  EXPECT_EQ(error_of([] { load_config_tree_text("a: 1\nb: [1, 2\n", "t.yaml"); }),
            "t.yaml:3:1: YAML syntax error: end of sequence flow not found");
  EXPECT_EQ(error_of([] { load_config_tree_text("a: 1\n  b: 2\n", "t.yaml"); }),
            "t.yaml:2:4: YAML syntax error: illegal map value");
  // In a base file, the base file is named.
  write_bytes(file("bad.yaml"), "x: 1\ny: {z: 1\n");
  write_bytes(file("top.yaml"), "base: bad.yaml\n");
  EXPECT_THAT(error_of([&] { load_config_tree(file("top.yaml")); }),
              HasSubstr(file("bad.yaml") + ":3:1: YAML syntax error: end of map flow not found"));
  EXPECT_EQ(error_of([] { load_config_tree_text("a: 1\n---\nb: 2\n", "t.yaml"); }),
            "t.yaml: expected one YAML document, found 2");
}

// yaml-cpp's LoadAll never returns on these (jbeder/yaml-cpp#1040; found by tests/fuzz): an error now.
// Strings of a config reach the JSON that results record (found by tests/fuzz: a bench model name).
TEST_F(ConfigTreeTest, TextThatIsNotUtf8IsAnError) {
  EXPECT_EQ(error_of([] { load_config_tree_text("seed: 1\nname: m\x8f\n", "t.yaml"); }),
            "t.yaml:2:8: YAML syntax error: invalid UTF-8 (byte 0x8F); a config file must be UTF-8");
  EXPECT_EQ(error_of([] { load_config_tree_text("a: \xe4\xb8\xad\n", "t.yaml"); }), "(no error)");
}

TEST_F(ConfigTreeTest, StrayCommaIsASyntaxErrorNotAHang) {
  EXPECT_EQ(error_of([] { load_config_tree_text(",", "t.yaml"); }), "t.yaml:1:1: YAML syntax error: unexpected ','");
  EXPECT_EQ(error_of([] { load_config_tree_text("\n, lr: 0.01}\n", "t.yaml"); }),
            "t.yaml:2:1: YAML syntax error: unexpected ','");
  EXPECT_EQ(error_of([] { load_config_tree_text("{seed: 1}, x", "t.yaml"); }),
            "t.yaml:1:10: YAML syntax error: unexpected ','");
}

TEST_F(ConfigTreeTest, DuplicateKeysAreErrors) {
  EXPECT_EQ(error_of([] { load_config_tree_text("model:\n  d: 1\n  norm: {type: a, type: b}\n", "t.yaml"); }),
            "t.yaml:3:19: model.norm.type: duplicate key");
  EXPECT_EQ(error_of([] { load_config_tree_text("seed: 1\nx: 2\nseed: 3\n", "t.yaml"); }),
            "t.yaml:3:1: seed: duplicate key");
  EXPECT_EQ(error_of([] { load_config_tree_text("l:\n  - {a: 1}\n  - {a: 1, a: 2}\n", "t.yaml"); }),
            "t.yaml:3:12: l[1].a: duplicate key");
  write_bytes(file("dup.yaml"), "base: x.yaml\nbase: y.yaml\n");
  EXPECT_EQ(error_of([&] { load_config_tree(file("dup.yaml")); }), file("dup.yaml") + ":2:1: base: duplicate key");
}

TEST_F(ConfigTreeTest, TopLevelMustBeAMapping) {
  write_bytes(file("empty.yaml"), "");
  EXPECT_EQ(error_of([&] { load_config_tree(file("empty.yaml")); }),
            file("empty.yaml") + ": expected a mapping at the top level, found null");
  EXPECT_EQ(error_of([] { load_config_tree_text("- 1\n- 2\n", "t.yaml"); }),
            "t.yaml: expected a mapping at the top level, found a sequence");
  EXPECT_EQ(error_of([] { load_config_tree_text("hello\n", "t.yaml"); }),
            "t.yaml: expected a mapping at the top level, found 'hello'");
  EXPECT_EQ(error_of([] { load_config_tree_text("# only a comment\n", "t.yaml"); }),
            "t.yaml: expected a mapping at the top level, found null");
  EXPECT_EQ(error_of([] { load_config_tree_text("? [a]\n: 1\n", "t.yaml"); }),
            "t.yaml:1:3: (top level): expected a string key, found a sequence");
}

TEST_F(ConfigTreeTest, ApplyOverrideCreatesAndReplaces) {
  write_bytes(file("x.yaml"),
              "seed: 1\n"
              "model:\n"
              "  norm: {type: layernorm, eps: 0.1}\n"
              "  mlp: swiglu\n"
              "  position: ~\n"
              "data:\n"
              "  files: [a, b]\n");
  ConfigTree tree = load_config_tree(file("x.yaml"));
  YAML::Node value("rmsnorm");
  apply_override(tree, "model.norm.type", value, "sweep point norm=rmsnorm of sweep.yaml");
  apply_override(tree, "seed", YAML::Node(7), "cli");
  apply_override(tree, "train.optimizer.lr", YAML::Node(0.5), "cli");      // creates train, optimizer
  apply_override(tree, "model.position.theta", YAML::Node(500), "cli");     // null becomes a mapping
  apply_override(tree, "data.files", YAML::Load("[c]"), "cli");             // sequence replaced
  const json expected = {
      {"seed", 7},
      {"model",
       {{"norm", {{"type", "rmsnorm"}, {"eps", 0.1}}}, {"mlp", "swiglu"}, {"position", {{"theta", 500}}}}},
      {"data", {{"files", {"c"}}}},
      {"train", {{"optimizer", {{"lr", 0.5}}}}},
  };
  EXPECT_EQ(as_json(tree), expected) << as_json(tree).dump();
  EXPECT_EQ(tree.sources.at("model.norm.type"), "sweep point norm=rmsnorm of sweep.yaml");
  EXPECT_EQ(tree.marks.count("model.norm.type"), 0u);
  EXPECT_EQ(tree.sources.at("model.norm.eps"), file("x.yaml"));
  EXPECT_EQ(tree.sources.at("train"), "cli");
  EXPECT_EQ(tree.sources.at("train.optimizer"), "cli");
  EXPECT_EQ(tree.sources.at("model.position"), "cli");
  EXPECT_EQ(tree.sources.at("data.files"), "cli");
  EXPECT_EQ(tree.sources.count("data.files[0]"), 0u);
  EXPECT_EQ(tree.sources.count("data.files[1]"), 0u);
  EXPECT_EQ(source_of(tree, "data.files[0]"), "cli");
  EXPECT_EQ(source_of(tree, "model.norm.type"), "sweep point norm=rmsnorm of sweep.yaml");

  // The tree holds a copy: editing it leaves the caller's node alone, and vice versa.
  value = "changed";
  EXPECT_EQ(tree.root["model"]["norm"]["type"].Scalar(), "rmsnorm");

  // Replacing a mapping drops what was recorded under it.
  apply_override(tree, "model.norm", YAML::Load("{type: layernorm}"), "cli2");
  EXPECT_EQ(as_json(tree)["model"]["norm"], (json{{"type", "layernorm"}}));
  EXPECT_EQ(tree.sources.count("model.norm.eps"), 0u);
  EXPECT_EQ(source_of(tree, "model.norm.type"), "cli2");
}

TEST_F(ConfigTreeTest, CopiesAreIndependentForSweepPoints) {
  const ConfigTree loaded = load_config_tree_text("model:\n  norm: {type: layernorm}\n", "x.yaml");
  ConfigTree point = loaded;
  apply_override(point, "model.norm.type", YAML::Node("rmsnorm"), "point 1");
  apply_override(point, "model.extra", YAML::Node(1), "point 1");
  ConfigTree assigned;
  assigned = loaded;
  apply_override(assigned, "model.norm.type", YAML::Node("other"), "point 2");
  EXPECT_EQ(as_json(loaded), (json{{"model", {{"norm", {{"type", "layernorm"}}}}}}));
  EXPECT_EQ(as_json(point), (json{{"model", {{"norm", {{"type", "rmsnorm"}}}, {"extra", 1}}}}));
  EXPECT_EQ(as_json(assigned), (json{{"model", {{"norm", {{"type", "other"}}}}}}));
  EXPECT_EQ(source_of(loaded, "model.norm.type"), "x.yaml:2:16");
  EXPECT_EQ(source_of(point, "model.norm.type"), "point 1");
}

TEST_F(ConfigTreeTest, ApplyOverrideThroughANonMappingIsAnError) {
  ConfigTree tree = load_config_tree_text("model:\n  mlp: swiglu\n  layers: [1, 2]\n", "x.yaml");
  EXPECT_EQ(error_of([&] { apply_override(tree, "model.mlp.type", YAML::Node("gelu"), "sweep.yaml"); }),
            "sweep.yaml: model.mlp.type: cannot set, model.mlp is not a mapping");
  EXPECT_EQ(error_of([&] { apply_override(tree, "model.layers.x.y", YAML::Node(1), "s"); }),
            "s: model.layers.x.y: cannot set, model.layers is not a mapping");
  EXPECT_THAT(error_of([&] { apply_override(tree, "model..x", YAML::Node(1), "s"); }),
              HasSubstr("s: 'model..x': not a dotted path"));
  EXPECT_EQ(as_json(tree), (json{{"model", {{"mlp", "swiglu"}, {"layers", {1, 2}}}}}));
}

TEST_F(ConfigTreeTest, SourceOfNamesFileAndLine) {
  write_bytes(file("base.yaml"),
              "model:\n"
              "  d_model: 64\n"
              "train:\n"
              "  steps: 100\n"
              "  lr: 0.01\n");
  write_bytes(file("child.yaml"),
              "base: base.yaml\n"
              "train:\n"
              "  lr: 3e-4\n");
  const ConfigTree tree = load_config_tree(file("child.yaml"));
  EXPECT_EQ(source_of(tree, "train.lr"), file("child.yaml") + ":3:7");
  EXPECT_EQ(source_of(tree, "train"), file("child.yaml") + ":2:1");
  EXPECT_EQ(source_of(tree, "train.steps"), file("base.yaml") + ":4:10");
  EXPECT_EQ(source_of(tree, "model.d_model"), file("base.yaml") + ":2:12");
  // Longest recorded prefix, then the tree's own file.
  EXPECT_EQ(source_of(tree, "model.norm.type"), file("base.yaml") + ":1:1");
  EXPECT_EQ(source_of(tree, "seed"), file("child.yaml"));
  EXPECT_EQ(tree.marks.at("train.lr").line, 2);
  EXPECT_EQ(tree.marks.at("train.lr").column, 6);
}

TEST_F(ConfigTreeTest, LocateErrorPutsTheLocationInFront) {
  write_bytes(file("base.yaml"), "train:\n  steps: 100\n");
  write_bytes(file("x.yaml"), "base: base.yaml\n\ntrain:\n  lr: -1\nl: [a, {b: 1}]\n");
  const ConfigTree tree = load_config_tree(file("x.yaml"));
  EXPECT_EQ(locate_error(tree, ConfigError("train.lr: must be > 0, found -1")).what(),
            file("x.yaml") + ":4:7: train.lr: must be > 0, found -1");
  EXPECT_EQ(locate_error(tree, ConfigError("train.steps: must be even")).what(),
            file("base.yaml") + ":2:10: train.steps: must be even");
  EXPECT_EQ(locate_error(tree, ConfigError("l[1].b: bad")).what(), file("x.yaml") + ":5:12: l[1].b: bad");
  EXPECT_EQ(locate_error(tree, ConfigError("eval.context: must be >= 1")).what(),
            file("x.yaml") + ": eval.context: must be >= 1");
  EXPECT_EQ(locate_error(tree, ConfigError("(top level): expected a mapping")).what(),
            file("x.yaml") + ": (top level): expected a mapping");
  EXPECT_EQ(locate_error(tree, ConfigError("no path here")).what(), file("x.yaml") + ": no path here");
}

TEST(ConfigTreeJson, YamlToJsonTypesPlainScalars) {
  const ConfigTree tree = load_config_tree_text(
      "i: 42\nneg: -7\nplus: +3\nd: 3e-4\nf: 0.5\nhalf: .5\nwhole: 2.0\n"
      "t: true\nT: True\nF: FALSE\nyes_word: yes\n"
      "q: \"123\"\nsq: 'true'\nn: ~\nnul: null\nempty:\n"
      "s: rmsnorm\ninf: .inf\nhex: 0x10\ntagged: !!str 5\n"
      "nested: {a: [1, \"2\", {b: null}], c: {}}\n",
      "t.yaml");
  const json j = yaml_to_json(tree.root);
  EXPECT_TRUE(j["i"].is_number_integer());
  EXPECT_EQ(j["i"].get<int64_t>(), 42);
  EXPECT_EQ(j["neg"].get<int64_t>(), -7);
  EXPECT_EQ(j["plus"].get<int64_t>(), 3);
  EXPECT_TRUE(j["d"].is_number_float());
  EXPECT_EQ(j["d"].get<double>(), 3e-4);
  EXPECT_EQ(j["f"].get<double>(), 0.5);
  EXPECT_EQ(j["half"].get<double>(), 0.5);
  EXPECT_TRUE(j["whole"].is_number_float());
  EXPECT_EQ(j["t"], json(true));
  EXPECT_EQ(j["T"], json(true));
  EXPECT_EQ(j["F"], json(false));
  EXPECT_EQ(j["yes_word"], json("yes"));
  EXPECT_EQ(j["q"], json("123"));
  EXPECT_EQ(j["sq"], json("true"));
  EXPECT_TRUE(j["n"].is_null());
  EXPECT_TRUE(j["nul"].is_null());
  EXPECT_TRUE(j["empty"].is_null());
  EXPECT_EQ(j["s"], json("rmsnorm"));
  EXPECT_EQ(j["inf"], json(".inf"));
  EXPECT_EQ(j["hex"], json("0x10"));
  EXPECT_EQ(j["tagged"], json("5"));
  EXPECT_EQ(j["nested"], json::parse(R"({"a": [1, "2", {"b": null}], "c": {}})"));
  EXPECT_EQ(yaml_to_json(YAML::Load("9223372036854775807")).get<int64_t>(),
            std::numeric_limits<int64_t>::max());
  EXPECT_TRUE(yaml_to_json(YAML::Load("[]")).is_array());
  // Built nodes (no tag) are typed like plain scalars.
  EXPECT_EQ(yaml_to_json(YAML::Node(1.5)), json(1.5));
  // The ordered flavour keeps the YAML key order.
  EXPECT_EQ(yaml_to_json<nlohmann::ordered_json>(YAML::Load("z: 1\na: 2")).dump(), R"({"z":1,"a":2})");
}

TEST(ConfigTreeJson, JsonToYamlRoundTrips) {
  const json value = {
      {"int", 42},
      {"neg", -7},
      {"big", std::numeric_limits<int64_t>::min()},
      {"tiny", 1e-8},
      {"tenth", 0.1},
      {"third", 1.0 / 3.0},
      {"whole", 2.0},
      {"huge", 1.5e300},
      {"yes", true},
      {"no", false},
      {"nothing", nullptr},
      {"s_num", "123"},
      {"s_float", "1e-8"},
      {"s_true", "true"},
      {"s_True", "True"},
      {"s_yes", "yes"},
      {"s_null", "null"},
      {"s_tilde", "~"},
      {"s_empty", ""},
      {"s_colon", "a: b"},
      {"s_hash", "x # not a comment"},
      {"s_quotes", "say \"hi\" and 'bye' \\ done"},
      {"s_lead", " leading and trailing "},
      {"s_dash", "- item"},
      {"s_ctl", "line1\nline2\ttab\x01"},
      {"s_utf8", "caf\xc3\xa9"},
      {"s_word", "rmsnorm"},
      {"s_path", "data/tiny-shakespeare.txt"},
      {"123", "numeric key"},
      {"", "empty key"},
      {"a: b", "colon key"},
      {"obj", {{"inner", {{"deep", {1, 2, 3}}}}, {"e", json::object()}}},
      {"arr", json::array({1, "two", json::array({3, json::array({4})}), json{{"k", "v"}, {"l", {5}}},
                           json::object(), json::array()})},
      {"empty_obj", json::object()},
      {"empty_arr", json::array()},
  };
  const std::string text = json_to_yaml(value);
  const ConfigTree tree = load_config_tree_text(text, "round.yaml");
  const json back = yaml_to_json(tree.root);
  EXPECT_EQ(back, value) << text;
  EXPECT_EQ(back["tiny"].get<double>(), 1e-8);
  EXPECT_EQ(back["tenth"].get<double>(), 0.1);
  EXPECT_EQ(back["third"].get<double>(), 1.0 / 3.0);
  EXPECT_TRUE(back["whole"].is_number_float());
  EXPECT_TRUE(back["s_num"].is_string());
  EXPECT_TRUE(back["s_true"].is_string());
  EXPECT_TRUE(back["s_null"].is_string());
  // Block style with plain words where safe.
  EXPECT_THAT(text, HasSubstr("s_word: rmsnorm\n"));
  EXPECT_THAT(text, HasSubstr("s_num: \"123\"\n"));
  EXPECT_THAT(text, HasSubstr("empty_obj: {}\n"));
  EXPECT_THAT(text, HasSubstr("obj:\n  e: {}\n  inner:\n    deep:\n      - 1\n"));

  // The ordered flavour keeps key order; top-level scalars are one line.
  nlohmann::ordered_json ordered;
  ordered["z"] = 1;
  ordered["a"] = "x";
  EXPECT_EQ(json_to_yaml(ordered), "z: 1\na: x\n");
  EXPECT_EQ(json_to_yaml(json("true")), "\"true\"\n");
  EXPECT_EQ(json_to_yaml(json(std::nan(""))), ".nan\n");
  EXPECT_EQ(json_to_yaml(json::object()), "{}\n");
}

}  // namespace
}  // namespace ablate
