// Sweep planning and running (see sweep.h).
#include "experiments/sweep.h"

#include <oneapi/tbb/task_arena.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <mutex>
#include <ostream>
#include <set>
#include <sstream>
#include <thread>

#include "harness/checkpoints/experiment_inputs.h"
#include "harness/common/file_io.h"
#include "harness/common/format.h"
#include "harness/common/run_name.h"
#include "harness/config/yaml_read.h"

namespace ablate {
namespace {

namespace fs = std::filesystem;

// Far more training runs than a sweep on this tool can afford, and few enough to plan in well
// under a second (8,000 points took > 10 s under the sanitizers: found by tests/fuzz).
constexpr size_t kMaxSweepPoints = 1000;

struct Axis {
  std::string path;
  std::vector<YAML::Node> values;
};

std::vector<Axis> read_axes(const YAML::Node& node, const std::string& where) {
  std::vector<Axis> axes;
  if (!node) return axes;
  if (!node.IsMap()) config_fail(where, "expected a mapping of config keys to value lists, found " + describe_node(node));
  for (auto it = node.begin(); it != node.end(); ++it) {
    const std::string key = read_string(it->first, where);
    const std::string path = where + "." + key;
    const YAML::Node list = it->second;
    if (!list.IsSequence() || list.size() == 0)
      config_fail(path, "expected a non-empty list of values, found " + describe_node(list));
    Axis axis{key, {}};
    for (size_t i = 0; i < list.size(); ++i) axis.values.push_back(list[i]);
    axes.push_back(std::move(axis));
  }
  return axes;
}

std::string last_key(const std::string& path) {
  const size_t dot = path.rfind('.');
  return dot == std::string::npos ? path : path.substr(dot + 1);
}

bool looks_numeric(const std::string& s) {
  if (s.empty()) return false;
  char* end = nullptr;
  std::strtod(s.c_str(), &end);
  return *end == '\0';
}

// A name part for value `index` of an axis: a word stays itself ("rmsnorm"), a number gets its
// key ("seed=1"), anything else its index ("scaling=2").
std::string name_part(const Axis& axis, size_t index) {
  const YAML::Node& v = axis.values[index];
  std::string part;
  if (!v.IsScalar()) part = last_key(axis.path) + "=" + std::to_string(index);
  else if (looks_numeric(v.Scalar()) || v.Scalar() == "true" || v.Scalar() == "false")
    part = last_key(axis.path) + "=" + v.Scalar();
  else part = v.Scalar();
  for (char& c : part)
    if (!is_run_name_char(c)) c = '-';
  return part;
}

std::string join(const std::vector<std::string>& parts) {
  std::string s;
  for (const auto& p : parts)
    if (!p.empty()) s += (s.empty() ? "" : "_") + p;
  return s;
}

// Writes whole lines to the wrapped stream under a mutex, so points running at once do not
// interleave within a line.
class LineSyncedBuf : public std::stringbuf {
 public:
  LineSyncedBuf(std::ostream& target, std::mutex& mutex) : target_(target), mutex_(mutex) {}
  ~LineSyncedBuf() override {
    sync();
    if (!str().empty()) {
      std::lock_guard<std::mutex> lock(mutex_);
      target_ << str() << std::flush;
    }
  }
  int sync() override {
    std::string text = str();
    const size_t end = text.find_last_of("\n\r");
    if (end == std::string::npos) return 0;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      target_ << text.substr(0, end + 1) << std::flush;
    }
    str(text.substr(end + 1));
    return 0;
  }
  int overflow(int c) override {
    const int r = std::stringbuf::overflow(c);
    if (c == '\n' || c == '\r') sync();
    return r;
  }

 private:
  std::ostream& target_;
  std::mutex& mutex_;
};

}  // namespace

bool has_sweep(const ConfigTree& tree) { return tree.root.IsMap() && tree.root["sweep"]; }

ExperimentConfig load_experiment(const std::string& path, const std::string& command, const std::string& hint) {
  const ConfigTree tree = load_config_tree(path);
  if (has_sweep(tree))
    throw ConfigError(path + ": " + command + " takes one experiment, and this file is a sweep (" + hint + ")");
  return parse_experiment(tree, std::filesystem::path(path).stem().string(), experiment_inputs_from_files());
}

SweepPlan plan_sweep(const ConfigTree& tree, const std::string& default_name) {
  const ExperimentInputs inputs = experiment_inputs_from_files();
  SweepPlan plan;
  const YAML::Node sweep = tree.root["sweep"];
  std::vector<std::pair<std::string, std::vector<std::pair<std::string, YAML::Node>>>> variants;
  std::vector<Axis> grid, zip;
  try {
    plan.name = tree.root["name"] ? read_string(tree.root["name"], "name") : default_name;
    read_mapping(sweep, "sweep",
                 {{"variants",
                   [&](const YAML::Node& n, const std::string& p) {
                     if (!n.IsMap()) config_fail(p, "expected a mapping of names to overrides, found " + describe_node(n));
                     for (auto it = n.begin(); it != n.end(); ++it) {
                       const std::string name = read_string(it->first, p);
                       const std::string vp = p + "." + name;
                       std::vector<std::pair<std::string, YAML::Node>> overrides;
                       const YAML::Node set = it->second;
                       if (set && !set.IsNull()) {
                         if (!set.IsMap())
                           config_fail(vp, "expected a mapping of config keys to values, found " + describe_node(set));
                         for (auto o = set.begin(); o != set.end(); ++o)
                           overrides.emplace_back(read_string(o->first, vp), o->second);
                       }
                       variants.emplace_back(name, std::move(overrides));
                     }
                   }},
                  {"grid", [&](const YAML::Node& n, const std::string& p) { grid = read_axes(n, p); }},
                  {"zip", [&](const YAML::Node& n, const std::string& p) { zip = read_axes(n, p); }},
                  {"jobs", int_field(plan.jobs)}},
                 /*required=*/true);
    if (plan.jobs < 1) config_fail("sweep.jobs", "must be >= 1, found " + std::to_string(plan.jobs));
    for (const Axis& a : zip)
      if (a.values.size() != zip[0].values.size())
        config_fail("sweep.zip." + a.path, "has " + std::to_string(a.values.size()) + " values, sweep.zip." +
                                               zip[0].path + " has " + std::to_string(zip[0].values.size()) +
                                               " (zip lists must have equal lengths)");
    if (variants.empty() && grid.empty() && zip.empty())
      config_fail("sweep", "needs at least one of variants, grid, zip");
  } catch (const ConfigError& e) {
    throw locate_error(tree, e);
  }
  if (variants.empty()) variants.emplace_back("", std::vector<std::pair<std::string, YAML::Node>>{});

  // Every combination: variant x grid (row-major, last axis fastest) x zip index. Each point is
  // planned (its config built and checked) before anything runs, so their number is limited: a
  // few grid axes multiply into more points than could ever be planned (found by tests/fuzz).
  const size_t zip_points = zip.empty() ? 1 : zip[0].values.size();
  double total = static_cast<double>(variants.size()) * static_cast<double>(zip_points);  // cannot overflow
  for (const Axis& a : grid) total *= static_cast<double>(a.values.size());
  if (total > kMaxSweepPoints) {
    throw ConfigError(tree.path + ": sweep: " + format_significant(total, 15) + " points (variants x grid x zip) are more than " +
                      std::to_string(kMaxSweepPoints) + "; split it into several sweeps");
  }
  size_t grid_points = 1;
  for (const Axis& a : grid) grid_points *= a.values.size();
  std::set<std::string> names;
  for (const auto& [variant_name, variant_overrides] : variants) {
    for (size_t g = 0; g < grid_points; ++g) {
      for (size_t z = 0; z < zip_points; ++z) {
        SweepPoint point;
        std::vector<std::string> parts = {variant_name}, variant_parts = {variant_name};
        point.overrides = variant_overrides;
        size_t rest = g;
        std::vector<size_t> index(grid.size());
        for (size_t a = grid.size(); a-- > 0;) {
          index[a] = rest % grid[a].values.size();
          rest /= grid[a].values.size();
        }
        for (size_t a = 0; a < grid.size(); ++a) {
          point.overrides.emplace_back(grid[a].path, grid[a].values[index[a]]);
          parts.push_back(name_part(grid[a], index[a]));
          if (grid[a].path != "seed") variant_parts.push_back(parts.back());
        }
        if (!zip.empty()) {
          for (const Axis& a : zip) point.overrides.emplace_back(a.path, a.values[z]);
          parts.push_back(name_part(zip[0], z));
          if (zip[0].path != "seed") variant_parts.push_back(parts.back());
        }
        point.name = join(parts);
        point.variant = join(variant_parts);
        if (point.variant.empty()) point.variant = plan.name;
        if (!names.insert(point.name).second)
          throw ConfigError(tree.path + ": sweep: two points are both named '" + point.name +
                            "' (give the variants distinct names)");
        ConfigTree t = tree;
        t.root.remove("sweep");
        const std::string source = "sweep point " + point.name + " of " + tree.path;
        for (const auto& [path, value] : point.overrides) apply_override(t, path, value, source);
        apply_override(t, "name", YAML::Node(point.name), source);
        point.config = parse_experiment(t, point.name, inputs);
        plan.points.push_back(std::move(point));
      }
    }
  }
  return plan;
}

SweepOutcome run_sweep(const SweepPlan& plan, const SweepOptions& options) {
  const int64_t jobs = std::max<int64_t>(1, std::min<int64_t>(options.jobs > 0 ? options.jobs : plan.jobs,
                                                                static_cast<int64_t>(plan.points.size())));
  const int threads_per_job = std::max(1, options.run.threads / static_cast<int>(jobs));
  std::mutex mutex;
  std::ostringstream discard;
  std::ostream& out_target = options.run.out ? *options.run.out : discard;
  std::ostream& log_target = options.run.log ? *options.run.log : discard;
  const size_t n = plan.points.size();
  std::vector<std::string> status(n), error(n);
  std::atomic<size_t> next{0};
  std::atomic<int64_t> completed{0}, skipped{0}, failed{0};

  auto worker = [&] {
    LineSyncedBuf out_buf(out_target, mutex), log_buf(log_target, mutex);
    std::ostream out(&out_buf), log(&log_buf);
    tbb::task_arena arena(threads_per_job);
    for (size_t i = next++; i < n; i = next++) {
      const SweepPoint& point = plan.points[i];
      log << "[" << i + 1 << "/" << n << "] " << point.name << "\n";
      RunRequest request;
      request.run = options.run;
      request.run.dir = (fs::path(options.run.dir) / point.name).string();
      request.run.threads = threads_per_job;
      request.run.out = &out;
      request.run.log = &log;
      request.run.interactive = options.run.interactive && jobs == 1;
      request.resume = !options.run.force;  // an interrupted sweep continues its unfinished points
      nlohmann::json overrides = nlohmann::json::object();
      for (const auto& [path, value] : point.overrides) overrides[path] = yaml_to_json(value);
      request.annotations = {{"sweep", {{"name", plan.name}, {"point", point.name}, {"variant", point.variant},
                                        {"overrides", overrides}}}};
      try {
        RunStatus s = RunStatus::kCompleted;
        arena.execute([&] { s = run_experiment(point.config, request); });
        status[i] = s == RunStatus::kSkipped ? "skipped" : "completed";
        (s == RunStatus::kSkipped ? skipped : completed)++;
      } catch (const std::exception& e) {
        status[i] = "failed";
        error[i] = e.what();
        failed++;
        log << point.name << ": error: " << e.what() << "\n";
      }
      out.flush();
      log.flush();
    }
  };
  if (jobs == 1) {
    worker();
  } else {
    std::vector<std::thread> pool;
    for (int64_t j = 0; j < jobs; ++j) pool.emplace_back(worker);
    for (auto& t : pool) t.join();
  }

  nlohmann::json summary = {{"format", "ablate-sweep/1"}, {"name", plan.name}, {"points", nlohmann::json::array()}};
  for (size_t i = 0; i < n; ++i) {
    nlohmann::json p = {{"name", plan.points[i].name}, {"variant", plan.points[i].variant},
                        {"status", status[i]}, {"result", plan.points[i].name + "/result.json"}};
    if (!error[i].empty()) p["error"] = error[i];
    summary["points"].push_back(p);
  }
  const std::string text = summary.dump(2) + "\n";
  create_output_directory(options.run.dir);
  remove_stale_temporaries(options.run.dir);
  write_file_atomically((fs::path(options.run.dir) / "sweep.json").string(), {{text.data(), text.size()}});
  return {completed, skipped, failed};
}

}  // namespace ablate
