// `ablate report`: a real tiny sweep plus schema fixtures for the other sections go in; every
// plot (PNG and SVG), its .dat file (one series per variant, one row per data point), the HTML
// page and the Markdown come out. Unusable files are skipped with a message; no results, no
// arguments, a missing gnuplot and a failing script are errors.
#include <gtest/gtest.h>
#include <gmock/gmock.h>

#include <stdlib.h>

#include <cmath>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "experiments/cli.h"
#include "harness/common/format.h"
#include "reports/plotter.h"
#include "reports/report_data.h"
#include "tests/test_support.h"

namespace ablate {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;
using nlohmann::json;

const std::string kSweep =
    "name: tiny_report\n"
    "threads: 2\n"
    "model: {d_model: 32, n_layers: 1, context: 32, attention: {n_heads: 2}}\n"
    "data: {type: synthetic, bytes: 40000, seed: 5}\n"
    "train: {steps: 6, batch_size: 2, warmup: 1, eval_every: 2, eval_tokens: 256, checkpoint_every: 3}\n"
    "eval: {max_tokens: 512}\n"
    "sweep:\n  variants: {rms: {}, ln: {model.norm.type: layernorm}}\n  grid: {seed: [0, 1]}\n";

using DatSeries = std::map<std::string, std::vector<std::vector<double>>>;

// Parses a report .dat file: blocks start with "NAME" in quotes, '#' lines are comments.
DatSeries read_dat(const std::string& path) {
  DatSeries series;
  std::istringstream in(testing::read_bytes(path));
  std::string line, current;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (line[0] == '"') {
      current = line.substr(1, line.size() - 2);
      EXPECT_EQ(series.count(current), 0u) << path << ": series " << current << " twice";
      series[current];
      continue;
    }
    std::istringstream row(line);
    std::vector<double> values;
    std::string cell;
    while (row >> cell) values.push_back(cell == "nan" ? NAN : std::stod(cell));
    EXPECT_FALSE(current.empty()) << path << ": a row before any series name";
    series[current].push_back(values);
  }
  return series;
}

// The common fields of a result file, as harness/common/result.h writes them.
json result_fixture(const std::string& kind, const std::string& name, int seed, const std::string& variant = "") {
  json r = {{"format", "ablate-result/1"},
            {"kind", kind},
            {"name", name},
            {"seed", seed},
            {"config",
             {{"name", name},
              {"seed", seed},
              {"model",
               {{"d_model", 32},
                {"n_layers", 1},
                {"norm", {{"type", "rmsnorm"}}},
                {"mlp", {{"type", "swiglu"}}},
                {"position", {{"type", "rope"}, {"scaling", {{"type", "none"}}}}},
                {"attention", {{"type", "mha"}, {"n_heads", 2}, {"n_kv_heads", 2}}}}}}},
            {"machine", {{"cpu", "test cpu"}, {"cores", 2}, {"threads", 2}}},
            {"started_at", "2026-01-01T00:00:00Z"},
            {"finished_at", "2026-01-01T00:01:00Z"}};
  if (!variant.empty())
    r["sweep"] = {{"name", "tiny_report"}, {"point", name}, {"variant", variant}, {"overrides", {{"seed", seed}}}};
  return r;
}

// Schema fixture (the extend section): perplexity per method and length, loss by position.
json extend_fixture(const std::string& name, double scale) {
  json r = result_fixture("extend", name, 0);
  auto point = [&](int64_t length, double ppl) {
    json p = {{"length", length}, {"applicable", true}, {"perplexity", ppl * scale}, {"loss", std::log(ppl * scale)},
              {"tokens", 4096}, {"windows", 4096 / length}, {"bucket", length / 8}};
    for (int i = 0; i < 8; ++i) p["loss_by_position"].push_back(std::log(ppl * scale) - 0.3 + 0.05 * i);
    return p;
  };
  json not_applicable = {{"length", 512}, {"applicable", false}, {"reason", "factor 8 exceeds the tested range"}};
  r["extend"] = {{"trained_context", 64},
                 {"methods",
                  {{{"name", "none"}, {"scaling", {{"type", "none"}}},
                    {"points", {point(64, 20), point(128, 60), point(256, 300), point(512, 2000)}}},
                   {{"name", "linear"}, {"scaling", {{"type", "linear"}, {"factor", "auto"}}},
                    {"points", {point(64, 20), point(128, 24), point(256, 29), not_applicable}}},
                   {{"name", "yarn"}, {"scaling", {{"type", "yarn"}, {"factor", "auto"}}},
                    {"points", {point(64, 20), point(128, 22), point(256, 25), point(512, 27)}}}}}};
  return r;
}

// Schema fixture (the choice section): one task, lm-eval's scores with standard errors.
json choice_fixture(const std::string& variant, int seed, double acc) {
  json r = result_fixture("choice", variant + "_seed=" + std::to_string(seed), seed, variant);
  r["choice"] = {{"task", "synthetic"}, {"format", "generic"}, {"items", 200},
                 {"acc", acc},          {"acc_stderr", 0.03},    {"acc_norm", acc + 0.05},
                 {"acc_norm_stderr", 0.031}};
  return r;
}

// Schema fixture (the choice section's task fields, common to the built-in tasks): chance,
// truncation and accuracy by a difficulty axis (distance 1, 2, 4), acc falling with distance.
json difficulty_fixture(const std::string& variant, int seed, double offset) {
  json r = result_fixture("choice", variant + "_seed=" + std::to_string(seed), seed, variant);
  json bins = json::array();
  for (int d : {1, 2, 4})
    bins.push_back({{"value", d}, {"items", 100}, {"acc", 0.9 - 0.1 * d + offset}, {"acc_stderr", 0.04},
                    {"acc_norm", 0.85 - 0.1 * d + offset}});
  r["choice"] = {{"task", "facts"}, {"format", "builtin"}, {"items", 300}, {"acc", 0.6 + offset}, {"acc_stderr", 0.028},
                 {"acc_norm", 0.55 + offset}, {"acc_norm_stderr", 0.029}, {"chance", 0.25}, {"truncated", 12 + seed},
                 {"difficulty", {{"name", "distance (sentences)"}, {"bins", bins}}}};
  return r;
}

// Schema fixture (the passkey section): two methods on a 2 × 3 grid of lengths and depths, 5
// trials each; `correct(method, length index, depth index)` gives the count.
json passkey_fixture(const std::string& name, int seed, const std::function<int(int, int, int)>& correct) {
  json r = result_fixture("passkey", name, seed);
  const std::vector<int64_t> lengths = {64, 256};
  const std::vector<double> depths = {0, 0.5, 1};
  json methods = json::array();
  int method = 0;
  for (const std::string m : {"none", "yarn"}) {
    json points = json::array();
    for (size_t i = 0; i < lengths.size(); ++i)
      for (size_t j = 0; j < depths.size(); ++j) {
        const int c = correct(method, static_cast<int>(i), static_cast<int>(j));
        points.push_back({{"length", lengths[i]}, {"depth", depths[j]}, {"trials", 5}, {"correct", c}, {"accuracy", c / 5.0}});
      }
    methods.push_back({{"name", m}, {"scaling", {{"type", m}}}, {"finetuned_steps", m == "yarn" ? 20 : 0}, {"points", points}});
    ++method;
  }
  r["passkey"] = {{"digits", 5},      {"trials", 5},         {"filler", "synthetic"}, {"chance", 1e-5},
                  {"lengths", lengths}, {"depths", depths}, {"methods", methods}};
  return r;
}

// A run's final metrics for the statistics tests: validation loss `loss`, the rest fixed.
json metrics_fixture(const std::string& variant, int seed, double loss) {
  json r = result_fixture("run", variant + "_seed=" + std::to_string(seed), seed, variant);
  r["metrics"] = {{"validation", {{"loss", loss}, {"perplexity", std::exp(loss)}}},
                  {"parameters", variant == "small" ? 800 : 1000},
                  {"train_tokens_per_second", 5000 + 10 * seed},
                  {"kv_cache_bytes_per_token", 256}};
  return r;
}

// Schema fixture (the efficiency section): three attention layouts, timed at three contexts.
json bench_fixture() {
  json r = result_fixture("bench", "attention_bench", 0);
  json models = json::array();
  const std::vector<std::pair<std::string, int>> kv = {{"mha", 4}, {"gqa", 2}, {"mqa", 1}};
  for (const auto& [name, kv_heads] : kv) {
    json m = {{"name", name},
              {"train_tokens_per_second", 5000.0 + 500 * kv_heads},
              {"parameter_bytes", 400000 + 10000 * kv_heads},
              {"optimizer_bytes", 800000 + 20000 * kv_heads},
              {"peak_rss_bytes", 50000000},
              {"kv_cache_bytes_per_token", 64 * kv_heads}};
    for (int context : {64, 128, 256}) {
      m["prefill"].push_back({{"context", context}, {"tokens_per_second", 20000.0 / kv_heads - context}});
      m["decode"].push_back({{"context", context}, {"tokens_per_second", 2000.0 / kv_heads - context}});
      m["kv_cache"].push_back({{"context", context * 2}, {"bytes_allocated", 64 * kv_heads * context * 2 + 4096}});
    }
    models.push_back(m);
  }
  r["bench"] = {{"models", models}};
  return r;
}

class ReportTest : public testing::TempDirTest {
 protected:
  // Writes `text` to the file `name` under the test's folder, creating its parent folders.
  void write_text(const std::string& name, const std::string& text) {
    fs::create_directories(fs::path(file(name)).parent_path());
    testing::write_bytes(file(name), text);
  }
  void write_json(const std::string& name, const json& j) { write_text(name, j.dump(2)); }
  int report(const std::vector<std::string>& args) {
    out_.str("");
    err_.str("");
    std::vector<std::string> all = {"report"};
    all.insert(all.end(), args.begin(), args.end());
    return run_cli(all, out_, err_);
  }
  std::ostringstream out_, err_;
};


void expect_png_and_svg(const std::string& out, const std::string& plot) {
  const std::string png = testing::read_bytes(out + "/plots/" + plot + ".png");
  const std::string svg = testing::read_bytes(out + "/plots/" + plot + ".svg");
  EXPECT_GT(png.size(), 1000u) << plot;
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8)) << plot << ".png is not a PNG";
  EXPECT_THAT(svg, HasSubstr("<svg")) << plot;
  EXPECT_THAT(svg, HasSubstr("</svg>")) << plot;
}

TEST_F(ReportTest, SweepAndFixturesGiveEveryPlotDataFileAndTable) {
  testing::write_bytes(file("sweep.yaml"), kSweep);
  std::ostringstream run_out, run_err;
  ASSERT_EQ(run_cli({"run", file("sweep.yaml"), "-o", file("results/sweep")}, run_out, run_err), 0) << run_err.str();
  write_json("results/extend/rope_base.json", extend_fixture("rope_base", 1.0));
  write_json("results/extend/rope_theta=500.json", extend_fixture("rope_theta=500", 1.1));
  for (const std::string variant : {"rms", "ln"})
    for (int seed : {0, 1})
      write_json("results/choice/" + variant + std::to_string(seed) + ".json",
                 choice_fixture(variant, seed, 0.3 + 0.1 * seed + (variant == "ln" ? 0.02 : 0)));
  write_json("results/bench/result.json", bench_fixture());

  const std::string out = file("out");
  ASSERT_EQ(report({file("results"), "-o", out}), 0) << err_.str();
  EXPECT_EQ(err_.str(), "");
  EXPECT_EQ(out_.str(), "report: " + file("results") + " -> " + out + "/index.html (11 results, 16 plots)\n");

  const std::vector<std::string> plots = {"train_loss", "validation_curve", "validation_loss", "train_tokens_per_second",
                                          "validation_loss_difference", "kv_cache", "extension_rope_base",
                                          "loss_by_position_rope_base", "extension_rope_theta=500",
                                          "loss_by_position_rope_theta=500", "extension_method_none",
                                          "extension_method_linear", "extension_method_yarn", "choice_synthetic",
                                          "prefill", "decode"};
  const std::string html = testing::read_bytes(out + "/index.html");
  const std::string md = testing::read_bytes(out + "/report.md");
  // The body appears once: the template's comments (which name the placeholders) are not filled.
  const std::string heading = "<h2>Training curves</h2>";
  ASSERT_NE(html.find(heading), std::string::npos);
  EXPECT_EQ(html.find(heading, html.find(heading) + 1), std::string::npos);
  EXPECT_THAT(html, Not(HasSubstr("<!--")));
  for (const std::string& plot : plots) {
    expect_png_and_svg(out, plot);
    EXPECT_TRUE(fs::exists(out + "/data/" + plot + ".dat")) << plot;
    EXPECT_THAT(html, HasSubstr("<img src=\"plots/" + plot + ".png\""));
    EXPECT_THAT(html, HasSubstr("<a href=\"plots/" + plot + ".svg\""));
    EXPECT_THAT(md, HasSubstr("(plots/" + plot + ".png)"));
    EXPECT_THAT(md, HasSubstr("(plots/" + plot + ".svg)"));
  }
  for (const std::string variant : {"rms", "ln", "rope_base", "rope_theta=500", "mha", "gqa", "mqa"}) {
    EXPECT_THAT(html, HasSubstr(variant));
    EXPECT_THAT(md, HasSubstr("| " + variant + " |"));
  }
  for (const std::string section : {"Training curves", "Final metrics", "Context extension", "Multiple choice", "Efficiency"}) {
    EXPECT_THAT(html, HasSubstr("<h2>" + section + "</h2>"));
    EXPECT_THAT(md, HasSubstr("## " + section + "\n"));
  }
  EXPECT_THAT(html, Not(HasSubstr("{{body}}")));

  // Training curves: one series per variant, one row per step of its curves.
  std::map<std::string, std::vector<json>> by_variant;
  const std::string schema = testing::read_bytes(std::string(ABLATE_SOURCE_DIR) + "/docs/results.md");
  for (const std::string point : {"rms_seed=0", "rms_seed=1", "ln_seed=0", "ln_seed=1"}) {
    const json r = json::parse(testing::read_bytes(file("results/sweep/" + point + "/result.json")));
    by_variant[r["sweep"]["variant"]].push_back(r);
    // docs/results.md, the one description of the result files, names every field a run writes.
    for (const json* object : {&r, &r["metrics"], &r["sweep"], &r["loss_curve"][0], &r["validation_curve"][0]})
      for (const auto& [key, value] : object->items())
        EXPECT_THAT(schema, ::testing::AnyOf(HasSubstr("`" + key + "`"), HasSubstr("\"" + key + "\""),
                                             HasSubstr("`metrics." + key + "`")))
            << key << " is not in docs/results.md";
  }
  const DatSeries train = read_dat(out + "/data/train_loss.dat");
  const DatSeries validation = read_dat(out + "/data/validation_curve.dat");
  const DatSeries loss_bars = read_dat(out + "/data/validation_loss.dat");
  const DatSeries speed_bars = read_dat(out + "/data/train_tokens_per_second.dat");
  for (const DatSeries* d : {&train, &validation, &loss_bars, &speed_bars}) EXPECT_EQ(d->size(), 2u);
  for (const auto& [variant, results] : by_variant) {
    ASSERT_EQ(results.size(), 2u);
    ASSERT_TRUE(train.count(variant)) << variant;
    ASSERT_TRUE(validation.count(variant)) << variant;
    EXPECT_EQ(train.at(variant).size(), results[0]["loss_curve"].size()) << variant;
    ASSERT_EQ(validation.at(variant).size(), results[0]["validation_curve"].size()) << variant;
    ASSERT_EQ(validation.at(variant).size(), 3u);  // steps 2, 4, 6
    // Mean and spread over the two seeds, at each validation step.
    for (size_t i = 0; i < 3; ++i) {
      const double a = results[0]["validation_curve"][i]["loss"], b = results[1]["validation_curve"][i]["loss"];
      const auto& row = validation.at(variant)[i];
      EXPECT_EQ(row[0], results[0]["validation_curve"][i]["step"].get<double>());
      EXPECT_NEAR(row[1], (a + b) / 2, 1e-8);
      EXPECT_NEAR(row[2], std::min(a, b), 1e-8);
      EXPECT_NEAR(row[3], std::max(a, b), 1e-8);
      EXPECT_EQ(row[4], 2);
    }
    // The last train-loss row is the seeds' mean of their 10-step moving averages (6 steps: all).
    double smoothed = 0;
    for (const json& r : results) {
      double sum = 0;
      for (const json& p : r["loss_curve"]) sum += p["loss"].get<double>();
      smoothed += sum / r["loss_curve"].size() / 2;
    }
    EXPECT_NEAR(train.at(variant).back()[1], smoothed, 1e-6);
    // Final validation loss bar: mean ± std of the two seeds' full evaluations.
    const double a = results[0]["metrics"]["validation"]["loss"], b = results[1]["metrics"]["validation"]["loss"];
    ASSERT_EQ(loss_bars.at(variant).size(), 1u);
    EXPECT_NEAR(loss_bars.at(variant)[0][1], (a + b) / 2, 1e-8);
    EXPECT_NEAR(loss_bars.at(variant)[0][2], std::abs(a - b) / std::sqrt(2.0), 1e-8);
    EXPECT_EQ(speed_bars.at(variant).size(), 1u);
    // Perplexity column: exp of the seeds' mean loss, not the mean of their perplexities.
    EXPECT_THAT(md, HasSubstr(" | " + format_fixed(std::exp((a + b) / 2), 3) + " | ")) << variant;
    // Each point of the sweep (one process) measured its own peak memory.
    for (const json& r : results) EXPECT_EQ(r["metrics"]["peak_rss_scope"], "run") << variant;
  }
  EXPECT_THAT(md, Not(HasSubstr(" (process) |")));
  // The captions say what the figures are: perplexity of the mean loss, throughput of training
  // steps only as a shared-machine wall-clock figure, and where to compare speeds.
  EXPECT_THAT(md, HasSubstr("perplexity = exp(mean validation loss over seeds): the mean of the losses, then exp"));
  EXPECT_THAT(md, HasSubstr("Train tokens/s: training tokens over the time spent in training steps (validation, "
                            "checkpoints and evaluations excluded), measured by wall clock on a machine that may have "
                            "been shared with other work, so not a speed comparison: ablate bench"));
  EXPECT_THAT(md, HasSubstr("the run's peak resident memory"));

  // KV cache: analytic lines per variant and benchmarked model (contexts 128..32768), measured points on top.
  const DatSeries kv = read_dat(out + "/data/kv_cache.dat");
  EXPECT_EQ(kv.size(), 8u);
  for (const std::string name : {"rms", "ln", "mha", "gqa", "mqa"}) {
    ASSERT_TRUE(kv.count(name)) << name;
    ASSERT_EQ(kv.at(name).size(), 9u) << name;
    EXPECT_EQ(kv.at(name).front()[0], 128);
    EXPECT_EQ(kv.at(name).back()[0], 32768);
  }
  EXPECT_EQ(kv.at("gqa")[0][1], 128.0 * 128);
  EXPECT_EQ(kv.at("rms")[0][1], 128.0 * by_variant["rms"][0]["metrics"]["kv_cache_bytes_per_token"].get<double>());
  ASSERT_TRUE(kv.count("mqa (measured)"));
  EXPECT_EQ(kv.at("mqa (measured)").size(), 3u);
  EXPECT_EQ(kv.at("mqa (measured)")[2][1], 64.0 * 512 + 4096);

  // Extension: one series per method with a row per applicable length; loss by position at the
  // longest applicable length; the table marks the inapplicable point.
  for (const std::string variant : {"rope_base", "rope_theta=500"}) {
    const DatSeries ppl = read_dat(out + "/data/extension_" + variant + ".dat");
    ASSERT_EQ(ppl.size(), 3u) << variant;
    EXPECT_EQ(ppl.at("none").size(), 4u);
    EXPECT_EQ(ppl.at("linear").size(), 3u);
    EXPECT_EQ(ppl.at("yarn").size(), 4u);
    EXPECT_EQ(ppl.at("linear").back()[0], 256);
    EXPECT_NEAR(ppl.at("yarn").back()[1], 27 * (variant == "rope_base" ? 1.0 : 1.1), 1e-9);
    const DatSeries position = read_dat(out + "/data/loss_by_position_" + variant + ".dat");
    ASSERT_EQ(position.size(), 3u);
    ASSERT_EQ(position.at("linear @ 256").size(), 8u);
    EXPECT_EQ(position.at("linear @ 256")[0][0], 16);  // bucket 32 tokens: centre of the first
    EXPECT_EQ(position.at("yarn @ 512").size(), 8u);
  }
  EXPECT_THAT(md, HasSubstr("| linear | 20.000 | 24.000 | 29.000 | n/a |"));
  // Across variants: one plot per method, one series per variant.
  const DatSeries at_yarn = read_dat(out + "/data/extension_method_yarn.dat");
  ASSERT_EQ(at_yarn.size(), 2u);
  EXPECT_NEAR(at_yarn.at("rope_theta=500").back()[1], 27 * 1.1, 1e-9);
  EXPECT_EQ(read_dat(out + "/data/extension_method_linear.dat").at("rope_base").size(), 3u);
  EXPECT_THAT(md, HasSubstr("factor 8 exceeds the tested range"));

  // Multiple choice: one series per variant, acc and acc_norm, seeds averaged.
  const DatSeries choice = read_dat(out + "/data/choice_synthetic.dat");
  ASSERT_EQ(choice.size(), 2u);
  ASSERT_EQ(choice.at("ln").size(), 2u);
  EXPECT_NEAR(choice.at("ln")[0][1], 0.37, 1e-12);
  EXPECT_NEAR(choice.at("ln")[1][1], 0.42, 1e-12);
  EXPECT_NEAR(choice.at("ln")[1][2], 0.031, 1e-12);
  EXPECT_THAT(md, HasSubstr("| rms | generic | 200 | 2 | 0.3500 ± 0.0300 | 0.4000 ± 0.0310 |"));

  // Efficiency: one series per model, one row per timed context.
  for (const std::string kind : {"prefill", "decode"}) {
    const DatSeries speed = read_dat(out + "/data/" + kind + ".dat");
    ASSERT_EQ(speed.size(), 3u) << kind;
    for (const std::string model : {"mha", "gqa", "mqa"}) EXPECT_EQ(speed.at(model).size(), 3u) << kind << " " << model;
  }
  EXPECT_EQ(read_dat(out + "/data/decode.dat").at("mqa")[0][1], 2000 - 64);
  EXPECT_THAT(md, HasSubstr("| gqa | 6000 | 410.2 KiB | 820.3 KiB | 47.7 MiB | 128 |"));
}

// The data files use gnuplot's block layout: two blank lines between series, names in quotes.
TEST_F(ReportTest, DataFilesSeparateSeriesByTwoBlankLines) {
  write_json("results/bench.json", bench_fixture());
  ASSERT_EQ(report({file("results"), "-o", file("out")}), 0) << err_.str();
  const std::string dat = testing::read_bytes(file("out/data/prefill.dat"));
  EXPECT_THAT(dat, HasSubstr("\"mha\"\n64 "));
  EXPECT_THAT(dat, HasSubstr("\n\n\n# series 1: gqa\n\"gqa\"\n"));
  EXPECT_THAT(dat, HasSubstr("\n\n\n# series 2: mqa\n\"mqa\"\n"));
}

TEST_F(ReportTest, MalformedAndForeignJsonFilesAreReportedAndSkipped) {
  write_json("results/bench.json", bench_fixture());
  testing::write_bytes(file("results/broken.json"), "{\"format\": \"ablate-result/1\", \"kind\": ");
  write_text("results/deep/package.json", "{\"name\": \"left-pad\", \"version\": \"1.3.0\"}");
  testing::write_bytes(file("results/other.json"), "{\"format\": \"ablate-result/9\"}");
  testing::write_bytes(file("results/list.json"), "[1, 2, 3]");
  // A number beyond double: nlohmann throws out_of_range, not parse_error (found by tests/fuzz).
  testing::write_bytes(file("results/huge.json"), "{\"format\": \"ablate-result/1\", \"seed\": 1e999}");
  ASSERT_EQ(report({file("results"), "-o", file("out")}), 0) << err_.str();
  EXPECT_THAT(err_.str(), HasSubstr("report: skipping " + file("results/broken.json") + ": not valid JSON ("));
  EXPECT_THAT(err_.str(), HasSubstr("report: skipping " + file("results/huge.json") +
                                    ": not valid JSON (number overflow parsing '1e999')"));
  EXPECT_THAT(err_.str(), HasSubstr("report: skipping " + file("results/deep/package.json") +
                                    ": not an Ablate result (no \"format\" field)"));
  EXPECT_THAT(err_.str(), HasSubstr("report: skipping " + file("results/other.json") +
                                    ": not an Ablate result (format 'ablate-result/9', expected 'ablate-result/1')"));
  EXPECT_THAT(err_.str(), HasSubstr("report: skipping " + file("results/list.json") + ": not an Ablate result"));
  EXPECT_THAT(out_.str(), HasSubstr("(1 results, 3 plots)"));
  EXPECT_THAT(testing::read_bytes(file("out/index.html")), Not(HasSubstr("broken.json")));
}

// Found by tests/fuzz and review: json::value() threw type_error on a field of the wrong type, and a
// huge number cast to int64 was undefined. Such fields count as missing.
TEST_F(ReportTest, FieldsOfTheWrongTypeCountAsMissing) {
  json odd = extend_fixture("odd", 1.0);
  odd["kind"] = 3;
  odd["git"] = "abc";
  odd["machine"] = {{"cpu", json::array({json::array({1})})}, {"threads", "many"}};
  odd["extend"]["trained_context"] = 1e300;
  odd["extend"]["methods"][0]["points"][0]["applicable"] = "yes";
  odd["extend"]["methods"][0]["points"][1]["length"] = -1e300;
  odd["extend"]["methods"][1]["points"][3]["reason"] = 5;
  write_json("results/odd.json", odd);
  json bench = bench_fixture();
  bench["bench"]["models"][0]["prefill"][0]["context"] = 1e300;
  bench["git"] = {{"revision", "0123456789abcdef"}, {"dirty", "yes"}};
  write_json("results/bench.json", bench);
  ASSERT_EQ(report({file("results"), "-o", file("out")}), 0) << err_.str();
  const std::string md = testing::read_bytes(file("out/report.md"));
  EXPECT_THAT(md, HasSubstr("| odd.json | — | odd |"));
  EXPECT_THAT(md, HasSubstr("| 0123456789ab |"));  // "dirty": "yes" is not true
}

TEST_F(ReportTest, DefaultOutputIsResultsReportAndItsOwnFolderIsNotRead) {
  write_json("results/bench.json", bench_fixture());
  fs::create_directories(file("results/report/plots"));
  fs::create_directories(file("results/report/data"));
  testing::write_bytes(file("results/report/data/left_over.json"), "not json");
  testing::write_bytes(file("results/report/plots/old_plot.png"), "stale");
  testing::write_bytes(file("results/sweep.json"), "{\"format\": \"ablate-sweep/1\", \"points\": []}");
  ASSERT_EQ(report({file("results")}), 0) << err_.str();
  EXPECT_EQ(err_.str(), "");  // neither the report's folder nor a sweep's summary is complained about
  EXPECT_THAT(out_.str(), HasSubstr("-> " + file("results") + "/report/index.html (1 results, 3 plots)"));
  EXPECT_TRUE(fs::exists(file("results/report/index.html")));
  EXPECT_TRUE(fs::exists(file("results/report/plots/decode.png")));
  EXPECT_FALSE(fs::exists(file("results/report/plots/old_plot.png"))) << "a stale plot of an earlier report stayed";
}

TEST_F(ReportTest, NoUsableResultIsAnError) {
  fs::create_directories(file("empty"));
  EXPECT_EQ(report({file("empty")}), 1);
  EXPECT_THAT(err_.str(), HasSubstr("ablate report: error: " + file("empty") + ": no Ablate results found"));
  EXPECT_FALSE(fs::exists(file("empty/report/index.html")));

  testing::write_bytes(file("empty/bad.json"), "{");
  EXPECT_EQ(report({file("empty")}), 1);
  EXPECT_THAT(err_.str(), HasSubstr("skipping " + file("empty/bad.json")));
  EXPECT_THAT(err_.str(), HasSubstr("no Ablate results found"));

  EXPECT_EQ(report({file("missing")}), 1);
  EXPECT_THAT(err_.str(), HasSubstr(file("missing") + ": not a directory"));
}

TEST_F(ReportTest, BadArgumentsAreUsageErrors) {
  EXPECT_EQ(report({}), 2);
  EXPECT_THAT(err_.str(), HasSubstr("ablate report: missing RESULTS_DIR\nusage: ablate report RESULTS_DIR [-o OUT]"));
  EXPECT_EQ(report({file("a"), file("b")}), 2);
  EXPECT_THAT(err_.str(), HasSubstr("one results folder expected"));
  EXPECT_EQ(report({file("a"), "-o"}), 2);
  EXPECT_THAT(err_.str(), HasSubstr("-o needs a value"));
  EXPECT_EQ(report({file("a"), "--plots"}), 2);
  EXPECT_THAT(err_.str(), HasSubstr("unknown option '--plots'"));
  std::ostringstream out, err;
  EXPECT_EQ(run_cli({"help"}, out, err), 0);
  EXPECT_THAT(out.str(), HasSubstr("report RESULTS_DIR [-o OUT]"));
}

TEST_F(ReportTest, MissingGnuplotIsAClearError) {
  write_json("results/bench.json", bench_fixture());
  fs::create_directories(file("no_tools"));
  testing::ScopedEnv path("PATH", file("no_tools"));
  EXPECT_EQ(report({file("results"), "-o", file("out")}), 1);
  EXPECT_THAT(err_.str(), HasSubstr("gnuplot not found: install the gnuplot-nox package (scripts/setup does)"));
  EXPECT_FALSE(fs::exists(file("out/index.html")));
}

TEST_F(ReportTest, FailingScriptIsNamedWithGnuplotsMessage) {
  write_json("results/choice.json", choice_fixture("rms", 0, 0.4));
  fs::create_directories(file("reports/gnuplot"));
  testing::write_bytes(file("reports/template.html"), "<html><body>{{body}}</body></html>\n");
  testing::write_bytes(file("reports/gnuplot/bars.gp"), "set output outfile\nplot no_such_function(x)\n");
  testing::ScopedEnv reports("ABLATE_REPORTS_DIR", file("reports"));
  EXPECT_EQ(report({file("results"), "-o", file("out")}), 1);
  EXPECT_THAT(err_.str(), HasSubstr("gnuplot failed on " + file("reports/gnuplot/bars.gp") +
                                    " (plot choice_synthetic, png, exit status 1)"));
  EXPECT_THAT(err_.str(), HasSubstr("undefined function"));
  EXPECT_FALSE(fs::exists(file("out/index.html")));
  EXPECT_FALSE(fs::exists(file("out/plots/choice_synthetic.png.part")));

  // A reports folder without the script: named too.
  fs::remove(file("reports/gnuplot/bars.gp"));
  EXPECT_EQ(report({file("results"), "-o", file("out")}), 1);
  EXPECT_THAT(err_.str(), HasSubstr(file("reports/gnuplot/bars.gp") + ": gnuplot script not found"));
}

// Several results of one seed (a run and a later re-evaluation) count once, the last finished.
TEST_F(ReportTest, TheLastFinishedResultOfASeedCountsOnce) {
  json first = result_fixture("run", "a_seed=0", 0, "a");
  first["metrics"] = {{"validation", {{"loss", 2.0}, {"perplexity", std::exp(2.0)}}}, {"parameters", 100}};
  json again = result_fixture("eval", "a_seed=0", 0, "a");
  again["finished_at"] = "2026-01-02T00:00:00Z";
  again["metrics"] = {{"validation", {{"loss", 1.5}, {"perplexity", std::exp(1.5)}}}};
  json other = result_fixture("run", "a_seed=1", 1, "a");
  other["metrics"] = {{"final_validation_loss", 2.5}, {"parameters", 100}};
  write_json("r/a0/result.json", first);
  write_json("r/a0/eval.json", again);
  write_json("r/a1/result.json", other);
  std::ostringstream err;
  const ReportSet set = collect_results(file("r"), "", err);
  ASSERT_EQ(set.variants.size(), 1u);
  const std::vector<MetricsRow> rows = metrics_rows(set);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].validation_loss.n, 2);
  EXPECT_DOUBLE_EQ(rows[0].validation_loss.mean, 2.0);  // (1.5 + 2.5) / 2: the re-evaluation replaced 2.0
  EXPECT_DOUBLE_EQ(rows[0].validation_loss.min, 1.5);
  EXPECT_NEAR(rows[0].perplexity.mean, std::exp((1.5 + 2.5) / 2), 1e-9);  // exp(mean loss), as the caption says
  EXPECT_EQ(rows[0].parameters.n, 2);
  EXPECT_EQ(rows[0].components, "rmsnorm, swiglu, rope, mha (2 heads, 2 kv); d=32, 1 layer");
}

TEST_F(ReportTest, TheSameVariantOfTwoSweepsStaysApart) {
  // One ablation on two corpora: "gelu" of each sweep is its own variant, named by its sweep.
  json synthetic = result_fixture("run", "gelu", 0, "gelu");
  json text = result_fixture("run", "gelu", 0, "gelu");
  synthetic["sweep"]["name"] = "four_axes";
  text["sweep"]["name"] = "four_axes_text";
  write_json("r/four_axes/gelu/result.json", synthetic);
  write_json("r/four_axes_text/gelu/result.json", text);
  std::ostringstream err;
  const ReportSet set = collect_results(file("r"), "", err);
  ASSERT_EQ(set.variants.size(), 2u);
  std::set<std::string> names = {set.variants[0].name, set.variants[1].name};
  EXPECT_EQ(names, (std::set<std::string>{"four_axes/gelu", "four_axes_text/gelu"}));
}

// The statistics of the final metrics: per-seed values, and each variant's difference from the
// baseline with its 95% interval, paired by seed; the marks for an interval containing 0 and for
// one seed; --baseline; bars from 0.
TEST_F(ReportTest, DifferencesFromTheBaselineHaveIntervalsPairedBySeed) {
  const std::map<std::string, std::vector<double>> losses = {
      {"base", {2.0, 2.1, 2.2}}, {"better", {1.90, 1.99, 2.11}}, {"same", {2.02, 2.07, 2.21}}, {"single", {2.5}}};
  for (const auto& [variant, values] : losses)
    for (size_t seed = 0; seed < values.size(); ++seed)
      write_json("r/" + variant + std::to_string(seed) + "/result.json", metrics_fixture(variant, int(seed), values[seed]));
  ASSERT_EQ(report({file("r"), "-o", file("out")}), 0) << err_.str();
  EXPECT_EQ(err_.str(), "");
  const std::string md = testing::read_bytes(file("out/report.md"));
  EXPECT_THAT(md, HasSubstr("### Differences from the baseline (base)"));
  // better − base per seed: −0.10, −0.11, −0.09: mean −0.1, sd 0.01, ± t(0.975, 2) · 0.01 / √3.
  const double half = 4.302652729749464 * 0.01 / std::sqrt(3.0);
  EXPECT_THAT(md, HasSubstr("| validation loss | better | -0.1000 | [" + format_fixed(-0.1 - half, 4) + ", " +
                            format_fixed(-0.1 + half, 4) + "] | paired, 3 seeds |  |"));
  // same − base: +0.02, −0.03, +0.01: the interval contains 0.
  EXPECT_THAT(md, HasSubstr("| validation loss | same | 0.0000 | "));
  EXPECT_THAT(md, HasSubstr("| paired, 3 seeds | not distinguishable with 3 seeds |"));
  EXPECT_THAT(md, HasSubstr("| validation loss | single | +0.4000 | — | n = 1: no interval | n = 1: no interval |"));
  // Perplexity per seed is exp of the seed's loss; tokens/s differ by 10 per seed at every
  // variant, so its paired interval is the point 0.
  EXPECT_THAT(md, HasSubstr("| train tokens/s | better | 0 | [0, 0] | paired, 3 seeds | not distinguishable with 3 seeds |"));
  const double ppl = (std::exp(1.90) - std::exp(2.0) + std::exp(1.99) - std::exp(2.1) + std::exp(2.11) - std::exp(2.2)) / 3;
  EXPECT_THAT(md, HasSubstr("| perplexity | better | " + format_fixed(ppl, 3) + " | ["));
  // Per-seed values: the columns that vary between seeds.
  EXPECT_THAT(md, HasSubstr("| variant | seed | validation loss | perplexity | train tokens/s |\n"));
  EXPECT_THAT(md, HasSubstr("| better | 1 | 1.9900 | " + format_fixed(std::exp(1.99), 3) + " | 5010 |"));
  // The forest plot: one series per variant, rows difference index low high.
  const DatSeries forest = read_dat(file("out/data/validation_loss_difference.dat"));
  ASSERT_EQ(forest.size(), 3u);
  EXPECT_NEAR(forest.at("better")[0][0], -0.1, 1e-12);
  EXPECT_NEAR(forest.at("better")[0][2], -0.1 - half, 1e-9);
  EXPECT_EQ(forest.at("single")[0][2], forest.at("single")[0][3]);  // no interval: the point alone
  expect_png_and_svg(file("out"), "validation_loss_difference");
  // The loss bars start at 0: the caption no longer names a cut axis, and 0 is a tick of the axis.
  const std::string html = testing::read_bytes(file("out/index.html"));
  EXPECT_THAT(html, Not(HasSubstr("y axis from")));
  EXPECT_THAT(testing::read_bytes(file("out/plots/validation_loss.svg")), HasSubstr("> 0</text>"));

  // Another baseline.
  ASSERT_EQ(report({file("r"), "-o", file("out"), "--baseline", "better"}), 0) << err_.str();
  const std::string md2 = testing::read_bytes(file("out/report.md"));
  EXPECT_THAT(md2, HasSubstr("### Differences from the baseline (better)"));
  EXPECT_THAT(md2, HasSubstr("| validation loss | base | +0.1000 | [+" + format_fixed(0.1 - half, 4) + ", +"));
  EXPECT_EQ(report({file("r"), "-o", file("out"), "--baseline", "nope"}), 1);
  EXPECT_THAT(err_.str(), HasSubstr("--baseline nope: no such variant in " + file("r") +
                                    " (variants: base, better, same, single)"));
}

// The built-in tasks' fields: chance and truncation in the table, acc's interval against chance,
// accuracy by the difficulty axis per variant, and acc's differences over seeds.
TEST_F(ReportTest, ChoiceTasksShowChanceTruncationAndDifficulty) {
  for (int seed : {0, 1}) {
    write_json("r/a" + std::to_string(seed) + ".json", difficulty_fixture("a", seed, 0.0));
    write_json("r/b" + std::to_string(seed) + ".json", difficulty_fixture("b", seed, 0.05 + 0.01 * seed));
  }
  ASSERT_EQ(report({file("r"), "-o", file("out")}), 0) << err_.str();
  EXPECT_EQ(err_.str(), "");
  const std::string md = testing::read_bytes(file("out/report.md"));
  EXPECT_THAT(md, HasSubstr("| variant | format | items | n | truncated | chance | acc | acc_norm | acc 95% interval | vs chance |"));
  const double z = 1.959963984540054;
  EXPECT_THAT(md, HasSubstr("| a | builtin | 300 | 2 | 13 | 0.2500 | 0.6000 ± 0.0280 | 0.5500 ± 0.0290 | [" +
                            format_fixed(0.6 - z * 0.028, 4) + ", " + format_fixed(0.6 + z * 0.028, 4) +
                            "] | above chance |"));
  const DatSeries bins = read_dat(file("out/data/choice_difficulty_facts.dat"));
  ASSERT_EQ(bins.size(), 2u);
  ASSERT_EQ(bins.at("a").size(), 3u);
  EXPECT_EQ(bins.at("a")[2][0], 4);
  EXPECT_NEAR(bins.at("a")[2][1], 0.5, 1e-12);
  EXPECT_NEAR(bins.at("b")[0][1], 0.8 + 0.055, 1e-12);  // mean over seeds
  EXPECT_EQ(bins.at("b")[0][3], 100);
  expect_png_and_svg(file("out"), "choice_difficulty_facts");
  // acc: b − a per seed 0.05 and 0.06.
  EXPECT_THAT(md, HasSubstr("| acc | b | +0.0550 | [" + format_fixed(0.055 - 12.706204736174698 * std::sqrt(0.00005) / std::sqrt(2.0), 4)));
}

// Passkey retrieval: accuracy by length (over depths and seeds) per method, beside the variant's
// perplexity curve, and a length × depth map per method.
TEST_F(ReportTest, PasskeyAccuracyByLengthAndDepth) {
  auto correct = [](int method, int length, int depth) {
    return method == 0 ? (length == 0 ? 5 : depth) : (length == 0 ? 5 - depth / 2 : 3 + depth);
  };
  for (int seed : {0, 1}) write_json("r/p" + std::to_string(seed) + ".json", passkey_fixture("rope_base", seed, correct));
  write_json("r/e.json", extend_fixture("rope_base", 1.0));
  ASSERT_EQ(report({file("r"), "-o", file("out")}), 0) << err_.str();
  EXPECT_EQ(err_.str(), "");
  const DatSeries accuracy = read_dat(file("out/data/passkey_rope_base.dat"));
  ASSERT_EQ(accuracy.size(), 2u);
  ASSERT_EQ(accuracy.at("none").size(), 2u);
  EXPECT_EQ(accuracy.at("none")[0], (std::vector<double>{64, 1.0, 30, 30}));
  EXPECT_NEAR(accuracy.at("none")[1][1], 6.0 / 30, 1e-12);  // depths 0, 1, 2 correct of 5, two seeds
  EXPECT_NEAR(accuracy.at("yarn")[0][1], 28.0 / 30, 1e-9);  // .dat files hold 10 significant digits
  EXPECT_NEAR(accuracy.at("yarn")[1][1], 24.0 / 30, 1e-9);
  const DatSeries map = read_dat(file("out/data/passkey_map_rope_base_yarn.dat"));
  ASSERT_EQ(map.at("yarn").size(), 6u);
  EXPECT_EQ(map.at("yarn")[5], (std::vector<double>{1, 2, 1.0, 256, 1}));
  EXPECT_NEAR(map.at("yarn")[3][2], 0.6, 1e-9);
  for (const std::string plot : {"passkey_rope_base", "passkey_map_rope_base_none", "passkey_map_rope_base_yarn"})
    expect_png_and_svg(file("out"), plot);
  const std::string md = testing::read_bytes(file("out/report.md"));
  EXPECT_THAT(md, HasSubstr("## Passkey retrieval"));
  EXPECT_THAT(md, HasSubstr("| none | 0 | 1.000 (30/30) | 0.200 (6/30) |"));
  EXPECT_THAT(md, HasSubstr("| yarn | 20 | 0.933 (28/30) | 0.800 (24/30) |"));
  // The perplexity curve is shown again beside the passkey curve.
  const std::string html = testing::read_bytes(file("out/index.html"));
  const std::string figure = "<img src=\"plots/extension_rope_base.png\"";
  ASSERT_NE(html.find(figure), std::string::npos);
  EXPECT_NE(html.find(figure, html.find(figure) + 1), std::string::npos);
  EXPECT_LT(html.rfind(figure), html.find("<img src=\"plots/passkey_rope_base.png\""));
}

// A series of one row is a point: no gnuplot warning about an empty range, no invisible line.
TEST_F(ReportTest, SinglePointSeriesDrawWithoutWarnings) {
  json run = result_fixture("run", "one", 0);
  run["loss_curve"] = {{{"step", 1}, {"loss", 3.0}}};
  run["validation_curve"] = {{{"step", 1}, {"loss", 3.1}}};
  run["metrics"] = {{"final_validation_loss", 3.1}};
  write_json("r/run.json", run);
  json ext = extend_fixture("one_length", 1.0);
  for (json& m : ext["extend"]["methods"]) m["points"] = json::array({m["points"][0]});
  write_json("r/ext.json", ext);
  ASSERT_EQ(report({file("r"), "-o", file("out")}), 0) << err_.str();
  EXPECT_EQ(err_.str(), "");  // gnuplot printed nothing
  EXPECT_EQ(read_dat(file("out/data/train_loss.dat")).at("one").size(), 1u);
  expect_png_and_svg(file("out"), "train_loss");
  expect_png_and_svg(file("out"), "extension_one_length");
}

TEST(ReportPlotter, TitlesWrapAndEachNameKeepsItsLineType) {
  EXPECT_EQ(gnuplot_lines("aaa bbb ccc", 7), "'aaa bbb'.\"\\n\".'ccc'");
  EXPECT_EQ(gnuplot_lines("it's", 80), "'it''s'");
  EXPECT_EQ(gnuplot_lines("", 80), "''");
  std::ostringstream err;
  Plotter plotter("gnuplot", "scripts", "out", err);
  EXPECT_EQ(plotter.line_type("rms"), 1);
  EXPECT_EQ(plotter.line_type("ln"), 2);
  EXPECT_EQ(plotter.line_type("rms"), 1);
}

// Perplexities are exp(mean loss over seeds) — the mean of the losses, then exp — in the final
// metrics and in the extension tables (where a point without a loss counts by log of its perplexity).
TEST_F(ReportTest, PerplexityIsExpOfTheSeedsMeanLoss) {
  for (int seed : {0, 1}) {
    json r = result_fixture("run", "p_seed=" + std::to_string(seed), seed, "p");
    r["metrics"] = {{"final_validation_loss", seed == 0 ? 1.0 : 3.0}};
    write_json("r/p" + std::to_string(seed) + "/result.json", r);
    json e = extend_fixture("rope", seed == 0 ? 1.0 : 4.0);
    e["seed"] = seed;
    if (seed == 1)
      for (json& m : e["extend"]["methods"])
        for (json& p : m["points"]) p.erase("loss");
    write_json("r/e" + std::to_string(seed) + "/extend.json", e);
  }
  std::ostringstream err;
  const ReportSet set = collect_results(file("r"), "", err);
  const std::vector<MetricsRow> rows = metrics_rows(set);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_DOUBLE_EQ(rows[0].perplexity.mean, std::exp(2.0));  // not (e + e³) / 2 = 11.4
  EXPECT_EQ(rows[0].perplexity.n, 2);
  EXPECT_DOUBLE_EQ(rows[0].perplexity.min, std::exp(1.0));
  EXPECT_DOUBLE_EQ(rows[0].perplexity.max, std::exp(3.0));
  const std::vector<Extension> ext = extensions(set);
  ASSERT_EQ(ext.size(), 1u);
  ASSERT_EQ(ext[0].seeds, 2);
  for (const ExtensionMethod& m : ext[0].methods)
    if (m.name == "yarn") {
      // yarn at 512: perplexities 27 and 108 (the second from its perplexity alone): exp(mean(ln)) = 54.
      EXPECT_NEAR(m.by_length.at(512).perplexity.mean, 54.0, 1e-9);
      EXPECT_NEAR(m.by_length.at(512).loss.mean, std::log(54.0), 1e-12);
    }
}

// A peak that is the process's, not the run's (scope "process", or an older result without a
// scope), is marked so in the table.
TEST_F(ReportTest, ProcessWidePeakMemoryIsMarked) {
  const std::vector<std::pair<std::string, json>> points = {
      {"own", json("run")}, {"shared", json("process")}, {"old", json()}};
  for (const auto& [variant, scope] : points) {
    json r = result_fixture("run", variant, 0, variant);
    r["metrics"] = {{"final_validation_loss", 2.0}, {"peak_rss_bytes", 50000000}};
    if (!scope.is_null()) r["metrics"]["peak_rss_scope"] = scope;
    write_json("r/" + variant + "/result.json", r);
  }
  std::ostringstream err;
  std::map<std::string, bool> process_wide;
  for (const MetricsRow& row : metrics_rows(collect_results(file("r"), "", err))) process_wide[row.variant] = row.peak_rss_process_wide;
  EXPECT_EQ(process_wide, (std::map<std::string, bool>{{"own", false}, {"shared", true}, {"old", true}}));
  ASSERT_EQ(report({file("r"), "-o", file("out")}), 0) << err_.str();
  const std::string md = testing::read_bytes(file("out/report.md"));
  EXPECT_THAT(md, HasSubstr("47.7 MiB (process) |"));
}

}  // namespace
}  // namespace ablate
