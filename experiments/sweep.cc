// Sweep planning (see sweep.h).
#include "experiments/sweep.h"

#include <filesystem>
#include <map>
#include <set>

#include "harness/checkpoints/experiment_inputs.h"
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

}  // namespace

void check_executor(const SweepExecutor& e, const std::string& where) {
  if (e.type != "local" && e.type != "slurm")
    config_fail(where + ".type", "'" + e.type + "' is not an executor (local, slurm)");
  if (e.cpus_per_task < 0) config_fail(where + ".cpus_per_task", "must be >= 1 (0: the config's threads), found " +
                                                                   std::to_string(e.cpus_per_task));
  const std::vector<std::pair<std::string, std::string>> texts = {
      {"partition", e.partition}, {"time", e.time}, {"mem", e.mem}};
  for (const auto& [key, value] : texts)
    if (value.find_first_of("\n\r") != std::string::npos) config_fail(where + "." + key, "must be one line");
  for (size_t i = 0; i < e.extra.size(); ++i) {
    const std::string p = where + ".extra[" + std::to_string(i) + "]";
    if (e.extra[i].rfind("-", 0) != 0) config_fail(p, "'" + e.extra[i] + "' is not an sbatch option (options start with -)");
    if (e.extra[i].find_first_of("\n\r") != std::string::npos) config_fail(p, "must be one line");
  }
  if (e.type == "local" && (!e.partition.empty() || !e.time.empty() || !e.mem.empty() || e.cpus_per_task != 0 ||
                            !e.extra.empty() || e.wait))
    config_fail(where, "partition, time, cpus_per_task, mem, extra and wait are Slurm options: set type: slurm");
}

namespace {

SweepExecutor read_executor(const YAML::Node& node, const std::string& where) {
  SweepExecutor e;
  read_mapping(node, where,
               {{"type", string_field(e.type)},
                {"partition", string_field(e.partition)},
                {"time", string_field(e.time)},
                {"cpus_per_task", int_field(e.cpus_per_task)},
                {"mem", string_field(e.mem)},
                {"extra",
                 [&](const YAML::Node& n, const std::string& p) {
                   if (!n.IsSequence()) config_fail(p, "expected a list of sbatch options, found " + describe_node(n));
                   for (size_t i = 0; i < n.size(); ++i) e.extra.push_back(read_string(n[i], p + "[" + std::to_string(i) + "]"));
                 }},
                {"wait", bool_field(e.wait)}},
               /*required=*/false);
  check_executor(e, where);
  return e;
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

}  // namespace

bool has_sweep(const ConfigTree& tree) { return tree.root.IsMap() && tree.root["sweep"]; }

ExperimentConfig load_experiment(const std::string& path, const std::string& command, const std::string& hint) {
  const ConfigTree tree = load_config_tree(path);
  if (has_sweep(tree))
    throw ConfigError(path + ": " + command + " takes one experiment, and this file is a sweep (" + hint + ")");
  return parse_experiment(tree, std::filesystem::path(path).stem().string(), experiment_inputs_from_files());
}

nlohmann::json sweep_annotation(const SweepPlan& plan, const SweepPoint& point) {
  nlohmann::json overrides = nlohmann::json::object();
  for (const auto& [path, value] : point.overrides) overrides[path] = yaml_to_json(value);
  return {{"name", plan.name}, {"point", point.name}, {"variant", point.variant}, {"overrides", overrides}};
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
                  {"jobs", int_field(plan.jobs)},
                  {"executor", [&](const YAML::Node& n, const std::string& p) { plan.executor = read_executor(n, p); }}},
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

}  // namespace ablate
