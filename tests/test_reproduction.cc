// The extension reproduction (configs/reproduce/): the configs parse and are what their comments
// say; the fine-tuning budgets (extend.finetune.steps as a list) pre-train once and give each
// method one curve per budget, shared with passkey:; and a scaled-down copy of the reproduction
// runs end to end through `ablate run` and `ablate report --claims`, one verdict per claim.
#include <gtest/gtest.h>
#include <gmock/gmock.h>

#include <filesystem>
#include <set>
#include <sstream>

#include "experiments/cli.h"
#include "experiments/sweep.h"
#include "harness/config/config_tree.h"
#include "harness/config/experiment_config.h"
#include "reports/claims.h"
#include "tests/test_support.h"

namespace ablate {
namespace {

using ::testing::HasSubstr;
using nlohmann::json;

std::string reproduce(const std::string& name) { return std::string(ABLATE_SOURCE_DIR) + "/configs/reproduce/" + name; }

size_t count_of(const std::string& text, const std::string& part) {
  size_t n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

TEST(ReproductionConfigs, ExtensionIsWhatItsCommentSays) {
  const SweepPlan plan = plan_sweep(load_config_tree(reproduce("extension.yaml")), "extension");
  ASSERT_EQ(plan.points.size(), 3u);  // three seeds of one variant
  std::set<int64_t> seeds;
  for (const SweepPoint& p : plan.points) {
    seeds.insert(p.config.seed);
    EXPECT_EQ(p.variant, plan.points[0].variant);
  }
  EXPECT_EQ(seeds, (std::set<int64_t>{0, 1, 2}));
  const ExperimentConfig& c = plan.points[0].config;
  const int64_t L = c.model.context;
  EXPECT_EQ(L, 128);
  EXPECT_EQ(c.model.position.type, "rope");
  EXPECT_EQ(c.train.steps, 1000);
  EXPECT_EQ(c.extend.lengths, (std::vector<int64_t>{L, 2 * L, 4 * L, 8 * L, 16 * L}));
  std::vector<std::string> methods;
  for (const ExtendMethod& m : c.extend.methods) methods.push_back(m.name);
  EXPECT_EQ(methods, (std::vector<std::string>{"none", "linear", "ntk", "ntk_x4", "dynamic_ntk", "yarn", "yarn_no_attention"}));
  EXPECT_EQ(c.extend.methods[6].scaling["type"], "yarn");
  EXPECT_EQ(c.extend.methods[6].scaling["attention_factor"], 1);
  EXPECT_EQ(c.extend.methods[4].scaling["factor"], 1);  // the YaRN paper's dynamic s = max(1, l'/L)
  EXPECT_EQ(c.extend.windowing, "hf_strided");
  EXPECT_EQ(c.extend.stride, 0);  // half the length
  EXPECT_EQ(c.extend.finetune.context, 4 * L);
  // Budgets 0, ~1% and ~5% of pre-training.
  EXPECT_EQ(c.extend.finetune.steps, (std::vector<int64_t>{0, c.train.steps / 100, c.train.steps / 20}));
  EXPECT_TRUE(c.passkey.enabled);
  EXPECT_EQ(c.passkey.methods.size(), c.extend.methods.size());  // extend's methods
  EXPECT_EQ(c.passkey.lengths, (std::vector<int64_t>{L, 2 * L, 4 * L, 8 * L}));
}

TEST(ReproductionConfigs, TheTextVariantChangesOnlyTheData) {
  const SweepPlan plan = plan_sweep(load_config_tree(reproduce("extension_text.yaml")), "extension_text");
  const SweepPlan base = plan_sweep(load_config_tree(reproduce("extension.yaml")), "extension");
  ASSERT_EQ(plan.points.size(), base.points.size());
  const ExperimentConfig& c = plan.points[0].config;
  EXPECT_EQ(c.data.type, "text");
  EXPECT_EQ(c.data.path, "your_text.txt");
  EXPECT_EQ(experiment_to_json(c)["extend"], experiment_to_json(base.points[0].config)["extend"]);
  EXPECT_EQ(experiment_to_json(c)["train"], experiment_to_json(base.points[0].config)["train"]);
}

// Every claim names cells the reproduction measures: its methods, a length of the section its
// metric reads (extend: or passkey:), and a budget of extend.finetune.steps.
TEST(ReproductionConfigs, EveryClaimNamesMeasuredCells) {
  const ExperimentConfig c = plan_sweep(load_config_tree(reproduce("extension.yaml")), "extension").points[0].config;
  const ClaimsFile claims = read_claims(reproduce("extension_claims.yaml"));
  ASSERT_GE(claims.claims.size(), 10u);
  std::set<std::string> ids, methods;
  for (const ExtendMethod& m : c.extend.methods) methods.insert(m.name);
  for (const Claim& claim : claims.claims) {
    ids.insert(claim.id);
    for (const ClaimSide* side : {&claim.a, &claim.b}) {
      if (side->value) continue;
      EXPECT_TRUE(methods.count(side->method)) << claim.id << ": " << side->method;
      const std::string& l = side->length;
      const int64_t length = l.back() == 'L' ? std::stoll(l) * c.model.context : std::stoll(l);
      const auto& lengths = claim.metric == "passkey" ? c.passkey.lengths : c.extend.lengths;
      EXPECT_NE(std::find(lengths.begin(), lengths.end(), length), lengths.end()) << claim.id << ": " << l;
      const auto& budgets = c.extend.finetune.steps;
      if (side->budget != "smallest" && side->budget != "largest") {
        EXPECT_NE(std::find(budgets.begin(), budgets.end(), std::stoll(side->budget)), budgets.end()) << claim.id;
      }
    }
  }
  EXPECT_EQ(ids.size(), claims.claims.size());
  // The claims are all there.
  for (const char* id : {"pi-extrapolation-explodes", "pi-finetune-recovers", "pi-finetune-passkey", "yarn-ntk-beats-pi-untuned",
                         "yarn-beats-pi-untuned", "yarn-vs-pi-tuned", "dynamic-helps-past-target", "attention-factor-untuned"})
    EXPECT_TRUE(ids.count(id)) << id;
}

class ReproductionRunTest : public testing::TempDirTest {
 protected:
  int cli(const std::vector<std::string>& args) {
    out_.str("");
    err_.str("");
    return run_cli(args, out_, err_);
  }
  std::ostringstream out_, err_;
};

// extend.finetune.steps as a list: one pre-training, every method fine-tuned once per budget > 0
// (the two methods that resolve to the same model at the fine-tuning context share it), extend's
// curves per method and budget, and passkey: scoring the same fine-tuned models.
TEST_F(ReproductionRunTest, BudgetsFineTuneEachMethodOncePerBudgetAfterOnePreTraining) {
  const std::string path = file("budgets.yaml");
  auto write_config = [&](const std::string& budgets) {
    testing::write_bytes(path,
                         "name: budgets\nseed: 3\nthreads: 2\n"
                         "model: {d_model: 32, n_layers: 1, context: 32, attention: {n_heads: 4}}\n"
                         "data: {type: synthetic, bytes: 40000, seed: 5}\n"
                         "train: {steps: 4, batch_size: 4, warmup: 1, eval_every: 0, eval_tokens: 256, checkpoint_every: 0}\n"
                         "eval: {max_tokens: 600}\n"
                         "extend:\n  lengths: [32, 128]\n  max_tokens: 512\n  finetune: {steps: " + budgets + ", context: 128}\n"
                         "  methods: [{type: linear, factor: auto}, {type: ntk, factor: auto}, {type: ntk, factor: 4, name: ntk4}]\n"
                         "passkey: {lengths: [128], depths: [0.5], trials: 1, instruction: false}\n");
  };
  write_config("[0, 2, 3]");
  ASSERT_EQ(cli({"run", path, "-o", file("out")}), 0) << err_.str();
  const std::string log = err_.str();
  // ntk (auto, fixed at 128 / 32 = 4 when fine-tuned) and ntk4 are one model: 2 x 2 fine-tunings.
  EXPECT_EQ(count_of(log, ": fine-tuning "), 4u) << log;
  EXPECT_THAT(log, HasSubstr("budgets: fine-tuning linear for 2 steps at context 128"));
  EXPECT_THAT(log, HasSubstr("budgets: fine-tuning linear for 3 steps at context 128"));
  EXPECT_EQ(count_of(log, "budgets: fine-tuning ntk4"), 0u) << log;
  const json r = json::parse(testing::read_bytes(file("out/result.json")));
  EXPECT_EQ(r["loss_curve"].size(), 4u);  // pre-trained once
  const json& curves = r["extend"]["methods"];
  ASSERT_EQ(curves.size(), 9u);  // 3 methods x 3 budgets
  const std::vector<int64_t> budgets = {0, 2, 3};
  for (size_t i = 0; i < curves.size(); ++i) {
    EXPECT_EQ(curves[i]["finetuned_steps"], budgets[i % 3]) << i;
    EXPECT_EQ(curves[i].contains("finetune_context"), budgets[i % 3] > 0) << i;
    EXPECT_EQ(curves[i]["points"].size(), 2u);
  }
  EXPECT_EQ(curves[0]["label"], "linear");
  EXPECT_EQ(curves[1]["label"], "linear fine-tuned 2 steps");
  EXPECT_EQ(curves[2]["finetune_context"], 128);
  // Each budget's curve is its own: fine-tuning changes the loss, and more steps change it again.
  const double loss0 = curves[0]["points"][1]["loss"], loss2 = curves[1]["points"][1]["loss"],
               loss3 = curves[2]["points"][1]["loss"];
  EXPECT_NE(loss0, loss2);
  EXPECT_NE(loss2, loss3);
  // Without fine-tuning `auto` follows the length; fine-tuned, it is fixed at the fine-tuning context.
  EXPECT_DOUBLE_EQ(curves[0]["points"][0]["factor"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(curves[1]["points"][0]["factor"].get<double>(), 4.0);
  // The shared model scores the same for both names.
  EXPECT_EQ(curves[5]["points"][1]["loss"], curves[8]["points"][1]["loss"]);
  // passkey: each method as trained and at each budget, on extend's models (no more fine-tuning).
  const json& keys = r["passkey"]["methods"];
  ASSERT_EQ(keys.size(), 9u);
  EXPECT_EQ(keys[2]["label"], "linear fine-tuned 3 steps");
  EXPECT_EQ(keys[2]["finetuned_steps"], 3);
  EXPECT_EQ(std::filesystem::exists(file("out/finetune_linear_3.safetensors")), true);
  // A scalar is still one budget.
  write_config("2");
  ASSERT_EQ(cli({"extend", path, "-o", file("out")}), 0) << err_.str();
  const json e = json::parse(testing::read_bytes(file("out/extend.json")));
  ASSERT_EQ(e["extend"]["methods"].size(), 3u);
  EXPECT_EQ(e["extend"]["methods"][0]["finetuned_steps"], 2);
  EXPECT_EQ(e["config"]["extend"]["finetune"]["steps"], json::array({2}));
}

TEST_F(ReproductionRunTest, BudgetErrors) {
  for (const auto& [budgets, message] : std::vector<std::pair<std::string, std::string>>{
           {"[0, 20, 10]", "extend.finetune.steps[2]: budgets must increase, found 10 after 20"},
           {"[]", "extend.finetune.steps: expected at least one budget"},
           {"[0, -1]", "extend.finetune.steps[1]: must be >= 0, found -1"},
           {"fast", "extend.finetune.steps: expected an integer"}}) {
    const std::string path = file("bad.yaml");
    testing::write_bytes(path, "name: bad\nmodel: {d_model: 32, n_layers: 1, context: 32, attention: {n_heads: 4}}\n"
                               "extend: {lengths: [32, 64], methods: [{type: none}], finetune: {steps: " + budgets + "}}\n");
    EXPECT_EQ(cli({"run", path, "-o", file("bad")}), 1) << budgets;
    EXPECT_THAT(err_.str(), HasSubstr(message)) << budgets;
    EXPECT_THAT(err_.str(), HasSubstr("bad.yaml:")) << budgets;  // located in the file
  }
}

// The reproduction itself at tiny sizes: its config as the base (methods, windowing, budgets'
// shape, passkey), shrunk to a 1-layer model at L = 32 for a few steps, 2 seeds; then the report
// with the real claims file gives one verdict per claim.
TEST_F(ReproductionRunTest, AScaledDownReproductionRunsEndToEnd) {
  const std::string path = file("tiny_reproduction.yaml");
  testing::write_bytes(path,
                       "base: " + reproduce("extension.yaml") + "\n"
                       "name: tiny-reproduction\nthreads: 2\n"
                       "model: {d_model: 32, n_layers: 1, context: 32, attention: {n_heads: 4}}\n"
                       "data: {bytes: 60000}\n"
                       "train: {steps: 4, batch_size: 4, warmup: 1, eval_every: 0, eval_tokens: 256, checkpoint_every: 0}\n"
                       "eval: {max_tokens: 512}\n"
                       "extend: {lengths: [32, 64, 128, 256, 512], max_tokens: 1024, finetune: {steps: [0, 1, 2], context: 128}}\n"
                       "passkey: {lengths: [128, 256], depths: [0.5], trials: 1}\n"
                       "sweep: {grid: {seed: [0, 1]}}\n");
  ASSERT_EQ(cli({"run", path, "-o", file("results")}), 0) << err_.str();
  const std::string claims = reproduce("extension_claims.yaml");
  ASSERT_EQ(cli({"report", file("results"), "-o", file("report"), "--claims", claims}), 0) << err_.str();
  const std::string md = testing::read_bytes(file("report/report.md"));
  const ClaimsFile parsed = read_claims(claims);
  size_t verdicts = 0;
  for (const Claim& c : parsed.claims) {
    // Each claim's own heading ends with its verdict.
    const size_t at = md.find("### " + c.id + ": ");
    ASSERT_NE(at, std::string::npos) << c.id;
    const std::string heading = md.substr(at, md.find('\n', at) - at);
    const bool known = heading.find("reproduced in shape") != std::string::npos ||
                       heading.find("not reproduced") != std::string::npos ||
                       heading.find("not distinguishable with 2 seeds") != std::string::npos;
    EXPECT_TRUE(known) << heading;  // every cell is measured at tiny scale too
    verdicts += known;
  }
  EXPECT_EQ(verdicts, parsed.claims.size());
  EXPECT_THAT(md, HasSubstr("build/ablate run configs/reproduce/extension.yaml"));  // the commands
  EXPECT_THAT(md, HasSubstr("wall time"));
  // The plots the claims need: perplexity against fine-tuning steps, per budget, passkey maps.
  for (const char* plot : {"plots/finetune_steps_tiny-reproduction_128.png", "plots/finetune_steps_tiny-reproduction_512.png",
                           "plots/extension_tiny-reproduction_ft2.png", "plots/claims_perplexity.png",
                           "plots/claims_passkey.png"})
    EXPECT_TRUE(std::filesystem::exists(file("report/" + std::string(plot)))) << plot;
  EXPECT_THAT(md, HasSubstr("passkey_map_tiny-reproduction_linear_fine-tuned_2_steps"));
  // Perplexity against fine-tuning steps: one series per method, one row per budget (steps 0, 1, 2).
  std::istringstream dat(testing::read_bytes(file("report/data/finetune_steps_tiny-reproduction_128.dat")));
  std::vector<std::string> series;
  std::vector<std::vector<double>> steps;
  for (std::string line; std::getline(dat, line);) {
    if (line.empty() || line[0] == '#') continue;
    if (line[0] == '"') {
      series.push_back(line);
      steps.emplace_back();
      continue;
    }
    ASSERT_FALSE(steps.empty());
    steps.back().push_back(std::stod(line));
  }
  EXPECT_EQ(series.size(), 7u);
  for (const auto& s : steps) EXPECT_EQ(s, (std::vector<double>{0, 1, 2}));
  EXPECT_EQ(series[0], "\"none\"");
}

}  // namespace
}  // namespace ablate
