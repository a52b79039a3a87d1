// `ablate bench`: speed and memory of each bench model (see bench.h).
#include "experiments/bench.h"

#include <oneapi/tbb/global_control.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <ostream>

#include "components/core/cross_entropy.h"
#include "components/core/random.h"
#include "components/core/weight_matmul.h"
#include "components/model/model.h"
#include "experiments/bench_probes.h"
#include "experiments/command_arguments.h"
#include "experiments/sweep.h"
#include "harness/common/format.h"
#include "harness/common/result.h"
#include "harness/common/run_info.h"
#include "harness/config/model_yaml.h"
#include "harness/train/optimizer.h"

namespace ablate {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const CommandOptions kBenchCommand = {
    "bench",
    "Train, prefill and decode speed, MFU, memory and KV cache of each model of the config's bench:\n"
    "section (the config's own model when it has none), into DIR/bench.json.",
    /*checkpoint=*/false, /*resume_force=*/false};

std::string load_average() {
  std::ifstream f("/proc/loadavg");
  std::string one, five, fifteen;
  if (!(f >> one >> five >> fifteen)) return "unknown";
  return one + " " + five + " " + fifteen;
}

std::vector<int32_t> random_tokens(Rng& rng, int64_t n, int64_t vocab) {
  std::vector<int32_t> t(n);
  for (int32_t& v : t) v = static_cast<int32_t>(rng.below(static_cast<uint64_t>(vocab)));
  return t;
}

std::vector<KVCache<float>> reserved_caches(const ModelConfig& m, int64_t tokens) {
  std::vector<KVCache<float>> caches(m.n_layers);
  for (auto& c : caches) c.reserve(1, m.n_kv_heads(), m.head_dim(), tokens);
  return caches;
}

json rate_json(int64_t context, const Rate& r) {
  return {{"context", context}, {"tokens_per_second", r.median}, {"min", r.min}, {"max", r.max}};
}

// Measures one model (docs/results.md describes every figure).
// The MFUs and the decode DRAM bounds are filled in afterwards (add_bounds), from the machine
// figures measured before and after every model; each decode point's working-set bandwidth is
// measured right after the point itself.
json measure_model(const BenchConfig& bc, const BenchModel& bm, Precision precision, uint64_t seed,
                   std::ostream& log) {
  const PeakRssScope peak_rss;  // this model's peak (run_info.h)
  const ModelConfig& mc = bm.model;
  const int64_t V = mc.vocab_size, C = mc.d_model, L = mc.n_layers;
  Model<float> model(mc, seed);
  model.set_precision(precision);
  const std::string label = bm.name + " " + precision_name(precision);
  ParameterList<float> params = model.parameters();
  int64_t parameters = 0, embedding = 0, positions = 0;
  for (const auto& p : params) {
    parameters += p.param->value.numel();
    if (p.name == "model.embed_tokens.weight") embedding = p.param->value.numel();
    if (p.name.rfind("model.embed_positions", 0) == 0) positions += p.param->value.numel();
  }
  const int64_t parameter_bytes = parameters * int64_t(sizeof(float));
  const int64_t matmul_parameters = parameters - embedding - positions + (mc.tie_embeddings ? V * C : 0);
  const int64_t weight_read_bytes = (parameters - (mc.tie_embeddings ? 0 : embedding)) * int64_t(sizeof(float));
  const double flops_per_token = 6.0 * double(matmul_parameters) + 12.0 * double(L) * double(bc.train_context) * double(C);
  Rng rng(seed ^ 0x9E3779B97F4A7C15ull);
  json m = {{"name", bm.name}, {"precision", precision_name(precision)}, {"overrides", bm.overrides},
            {"model", yaml_to_json(YAML::Load(model_config_to_yaml(mc)))}, {"parameters", parameters}};

  // Training: forward, cross-entropy, backward, AdamW.
  const int64_t B = bc.batch_size, T = bc.train_context;
  {
    const std::vector<int32_t> inputs = random_tokens(rng, B * T, V), targets = random_tokens(rng, B * T, V);
    CrossEntropy<float> ce;
    std::vector<float> dlogits(static_cast<size_t>(B * T * V));
    AdamW optimizer(AdamWConfig{});
    auto step = [&] {
      model.zero_grad();
      const Tensor<float>& logits = model.forward(inputs.data(), B, T);
      ce.forward(logits.ptr(), targets.data(), B * T, V);
      ce.backward(dlogits.data());
      model.backward(dlogits.data());
      optimizer.step(params, 1e-4);
    };
    const Rate r = time_rate(bc.warmup, bc.repeats, double(B * T), step);
    m["train_batch_size"] = B;
    m["train_context"] = T;
    m["train_tokens_per_second"] = r.median;
    m["train_tokens_per_second_min"] = r.min;
    m["train_tokens_per_second_max"] = r.max;
    m["matmul_parameters"] = matmul_parameters;
    m["model_flops_per_token"] = flops_per_token;
    m["optimizer_bytes"] = optimizer.state_bytes();
    log << "bench " << label << ": training " << format_rate(r.median) << " tok/s (" << format_rate(r.min) << "-"
        << format_rate(r.max) << "), " << format_fixed(flops_per_token * r.median / 1e9, 1) << " GFLOP/s\n";
  }

  // Prefill: one B = 1 forward into an empty cache.
  m["prefill"] = json::array();
  for (int64_t c : bc.prefill_contexts) {
    const std::vector<int32_t> prompt = random_tokens(rng, c, V);
    std::vector<KVCache<float>> caches = reserved_caches(mc, c);
    const Rate r = time_rate(bc.warmup, bc.repeats, double(c), [&] {
      for (auto& cache : caches) cache.clear();
      model.forward_cached(prompt.data(), 1, c, caches);
    });
    m["prefill"].push_back(rate_json(c, r));
    log << "bench " << label << ": prefill " << c << ": " << format_rate(r.median) << " tok/s\n";
  }

  // Decode: single-token steps after a c-token prompt; each repeat rewinds the cache to c.
  m["decode"] = json::array();
  for (int64_t c : bc.decode_contexts) {
    const std::vector<int32_t> prompt = random_tokens(rng, c, V), next = random_tokens(rng, bc.decode_tokens, V);
    std::vector<KVCache<float>> caches = reserved_caches(mc, c + bc.decode_tokens);
    model.forward_cached(prompt.data(), 1, c, caches);
    const Rate r = time_rate(bc.warmup, bc.repeats, double(bc.decode_tokens), [&] {
      for (auto& cache : caches) cache.length = c;
      for (int64_t i = 0; i < bc.decode_tokens; ++i) model.forward_cached(next.data() + i, 1, 1, caches);
    });
    const int64_t bytes_read = weight_read_bytes + mc.kv_cache_bytes_per_token() * c;
    const ReadBandwidth working_set = read_bandwidth(bytes_read, bc.repeats);
    json point = rate_json(c, r);
    point["decode_tokens"] = bc.decode_tokens;
    point["bytes_read_per_token"] = bytes_read;
    point["working_set_bytes"] = working_set.bytes;
    point["working_set_passes"] = working_set.passes;
    point["working_set_read_bandwidth_gbps"] = working_set.gbps;
    point["bandwidth_bound_tokens_per_second"] = working_set.gbps * 1e9 / double(bytes_read);
    m["decode"].push_back(point);
    log << "bench " << label << ": decode " << c << ": " << format_rate(r.median) << " tok/s (bound "
        << format_rate(point["bandwidth_bound_tokens_per_second"].get<double>()) << ": "
        << format_fixed(working_set.gbps, 1) << " GB/s on its " << format_bytes(working_set.bytes) << " working set)\n";
  }

  // KV cache: bytes actually allocated when reserved for exactly c tokens.
  m["kv_cache_bytes_per_token"] = mc.kv_cache_bytes_per_token();
  m["kv_cache"] = json::array();
  for (int64_t c : bc.kv_contexts) {
    int64_t allocated = 0;
    for (const auto& cache : reserved_caches(mc, c)) allocated += cache.bytes_allocated();
    m["kv_cache"].push_back({{"context", c}, {"bytes_allocated", allocated},
                             {"bytes_analytic", mc.kv_cache_bytes_per_token() * c}});
  }
  m["parameter_bytes"] = parameter_bytes;
  m["peak_rss_bytes"] = peak_rss.peak_bytes();
  m["peak_rss_scope"] = std::string(peak_rss.scope()) == "run" ? "model" : "process";
  return m;
}

// mfu = model FLOPs/s over the engine's GEMM peak in the model's precision, mfu_fma over the fp32
// vector FMA peak; the DRAM bound = DRAM read bandwidth / bytes read per token (the working-set
// bound is the point's own).
void add_bounds(json& bench) {
  const double fma_peak = bench["fma_peak_gflops"].get<double>() * 1e9;
  const double dram = bench["memory_read_bandwidth_gbps"].get<double>() * 1e9;
  for (json& m : bench["models"]) {
    const double flops = m["model_flops_per_token"].get<double>() * m["train_tokens_per_second"].get<double>();
    const bool bf16 = m["precision"] == "bf16";
    m["mfu"] = flops / (bench[bf16 ? "matmul_bf16_peak_gflops" : "matmul_peak_gflops"].get<double>() * 1e9);
    m["mfu_fma"] = flops / fma_peak;
    for (json& p : m["decode"]) p["dram_bound_tokens_per_second"] = dram / p["bytes_read_per_token"].get<double>();
  }
}

// One line per model: the figures the issue's targets are about.
void print_summary(const json& bench, const std::string& name, std::ostream& out) {
  out << name << ": matmul peak " << format_fixed(bench["matmul_peak_gflops"].get<double>(), 1) << " GFLOP/s fp32 ("
      << bench["threads"].get<int>() << " threads; one thread "
      << format_fixed(bench["matmul_single_thread_gflops"].get<double>(), 1) << "; through Eigen "
      << format_fixed(bench["matmul_eigen_peak_gflops"].get<double>(), 1) << ")";
  if (bench.contains("matmul_bf16_peak_gflops"))
    out << ", " << format_fixed(bench["matmul_bf16_peak_gflops"].get<double>(), 1) << " GFLOP/s bf16";
  out << " (oneDNN " << bench["onednn_isa"].get<std::string>() << "), FMA peak "
      << format_fixed(bench["fma_peak_gflops"].get<double>(), 1) << " GFLOP/s (" << bench["fma_isa"].get<std::string>()
      << "), DRAM read " << format_fixed(bench["memory_read_bandwidth_gbps"].get<double>(), 1) << " GB/s\n";
  for (const json& m : bench["models"]) {
    out << name << ": " << m["name"].get<std::string>() << " " << m["precision"].get<std::string>() << ": train "
        << format_rate(m["train_tokens_per_second"].get<double>()) << " tok/s, MFU "
        << format_fixed(100 * m["mfu"].get<double>(), 1) << "% of the " << m["precision"].get<std::string>()
        << " GEMM peak, "
        << format_fixed(100 * m["mfu_fma"].get<double>(), 1) << "% of the FMA peak";
    for (const json& p : m["prefill"])
      out << "; prefill@" << p["context"].get<int64_t>() << " " << format_rate(p["tokens_per_second"].get<double>());
    for (const json& p : m["decode"])
      out << "; decode@" << p["context"].get<int64_t>() << " " << format_rate(p["tokens_per_second"].get<double>())
          << " (bound " << format_rate(p["bandwidth_bound_tokens_per_second"].get<double>()) << ", DRAM bound "
          << format_rate(p["dram_bound_tokens_per_second"].get<double>()) << ")";
    out << "; params " << format_bytes(m["parameter_bytes"].get<int64_t>()) << ", AdamW "
        << format_bytes(m["optimizer_bytes"].get<int64_t>()) << ", peak RSS "
        << format_bytes(m["peak_rss_bytes"].get<int64_t>()) << ", KV " << m["kv_cache_bytes_per_token"].get<int64_t>()
        << " B/token";
    for (const json& k : m["kv_cache"])
      out << ", KV@" << k["context"].get<int64_t>() << " " << format_bytes(k["bytes_allocated"].get<int64_t>());
    out << "\n";
  }
}

}  // namespace

int bench_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  CommandArguments a;
  if (const auto exit = parse_command_arguments(kBenchCommand, args, a, out, err)) return *exit;
  const auto started = std::chrono::system_clock::now();
  ExperimentConfig config = load_experiment(a.config_path, "bench", "list the variants under bench.models instead");
  if (!config.bench.enabled) config.bench = parse_bench_section(YAML::Node(YAML::NodeType::Map), config.model);
  const BenchConfig& bc = config.bench;
  const int threads = resolve_threads(a, config.threads);
  tbb::global_control parallelism(tbb::global_control::max_allowed_parallelism, threads);
  const fs::path dir = output_dir(a, config.name);
  std::vector<Precision> precisions;
  for (const std::string& p : bc.precisions.empty() ? std::vector<std::string>{config.precision} : bc.precisions)
    precisions.push_back(parse_precision(p));
  const bool any_bf16 = std::count(precisions.begin(), precisions.end(), Precision::kBf16) > 0;
  if (any_bf16) require_precision(Precision::kBf16);  // before any measurement

  json bench = json::object();
  bench["threads"] = threads;
  bench["load_average_before"] = load_average();
  err << config.name << ": bench of " << bc.models.size() << " models x " << precisions.size() << " precisions on " << threads << " threads (load average "
      << bench["load_average_before"].get<std::string>() << ")\n";
  // The machine's figures, before and after the models (other load on the machine varies; the
  // better of the two is the peak the model figures are held against).
  auto probe = [&](const char* when) {
    const FmaPeak fma = fma_peak(threads, bc.repeats);
    json p = {{"matmul_gflops", matmul_gflops(bc.matmul_size, bc.repeats, false)},
              {"matmul_single_thread_gflops", matmul_gflops(bc.matmul_size, bc.repeats, true)},
              {"matmul_eigen_gflops", matmul_gflops(bc.matmul_size, bc.repeats, false, MatmulKernel::kFp32Eigen)},
              {"fma_gflops", fma.gflops},
              {"memory_read_bandwidth_gbps", read_bandwidth(bc.bandwidth_mib << 20, bc.repeats).gbps}};
    if (any_bf16) p["matmul_bf16_gflops"] = matmul_gflops(bc.matmul_size, bc.repeats, false, MatmulKernel::kBf16);
    err << config.name << ": " << when << ": matmul " << format_fixed(p["matmul_gflops"].get<double>(), 1)
        << " GFLOP/s fp32 (one thread " << format_fixed(p["matmul_single_thread_gflops"].get<double>(), 1)
        << ", through Eigen " << format_fixed(p["matmul_eigen_gflops"].get<double>(), 1) << ")"
        << (any_bf16 ? ", " + format_fixed(p["matmul_bf16_gflops"].get<double>(), 1) + " GFLOP/s bf16" : "") << ", FMA "
        << format_fixed(fma.gflops, 1) << " GFLOP/s (" << fma.isa << ", " << fma.threads << " threads), memory read "
        << format_fixed(p["memory_read_bandwidth_gbps"].get<double>(), 1) << " GB/s\n";
    return p;
  };
  bench["machine_before"] = probe("before");
  bench["models"] = json::array();
  for (const BenchModel& bm : bc.models)
    for (Precision p : precisions)
      bench["models"].push_back(measure_model(bc, bm, p, static_cast<uint64_t>(config.seed), err));
  bench["machine_after"] = probe("after");
  bench["load_average_after"] = load_average();
  for (const auto& [key, name] : std::vector<std::pair<std::string, std::string>>{
           {"matmul_gflops", "matmul_peak_gflops"},
           {"matmul_single_thread_gflops", "matmul_single_thread_gflops"},
           {"matmul_eigen_gflops", "matmul_eigen_peak_gflops"},
           {"matmul_bf16_gflops", "matmul_bf16_peak_gflops"},
           {"fma_gflops", "fma_peak_gflops"},
           {"memory_read_bandwidth_gbps", "memory_read_bandwidth_gbps"}})
    if (bench["machine_before"].contains(key))
      bench[name] = std::max(bench["machine_before"][key].get<double>(), bench["machine_after"][key].get<double>());
  bench["fma_isa"] = fma_isa();
  bench["onednn_isa"] = onednn_isa();
  bench["bf16_kernel"] = bf16_kernel_name();
  bench["precisions"] = json::array();
  for (Precision p : precisions) bench["precisions"].push_back(precision_name(p));
  bench["fma_lanes"] = fma_lanes();
  bench["fma_chains"] = kFmaChains;
  bench["matmul_size"] = bc.matmul_size;
  bench["memory_probe_bytes"] = bc.bandwidth_mib << 20;
  bench["flops_formula"] = "6*matmul_parameters + 12*n_layers*train_context*d_model per training token (PaLM app. B)";
  add_bounds(bench);

  json result = result_header("bench", config, threads, started);
  result["bench"] = bench;
  const std::string result_path = (dir / "bench.json").string();
  write_result(result_path, result, started);
  print_summary(bench, config.name, out);
  out << config.name << ": result " << result_path << "\n";
  return 0;
}

}  // namespace ablate
