// `ablate status` (see status.h).
#include "experiments/status.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>
#include <stdexcept>

#include "experiments/run_folder.h"
#include "experiments/slurm_executor.h"
#include "harness/common/command_line.h"
#include "harness/common/file_io.h"
#include "harness/common/format.h"
#include "harness/common/text.h"

namespace ablate {
namespace {

namespace fs = std::filesystem;

constexpr size_t kLogLines = 5;

struct Row {
  std::string point, state, slurm, detail, log;
};

// The last `n` lines of a file ("" when it cannot be read).
std::string tail_lines(const fs::path& path, size_t n) {
  std::string text;
  try {
    text = read_whole_file(path.string());
  } catch (const std::exception&) {
    return "";
  }
  while (!text.empty() && text.back() == '\n') text.pop_back();
  size_t start = text.size();
  for (size_t lines = 0; start > 0 && lines < n; --start)
    if (text[start - 1] == '\n' && ++lines == n) break;
  return text.substr(start);
}

std::string first_line(const std::string& s, size_t width) {
  std::string line = s.substr(0, s.find('\n'));
  return line.size() > width ? line.substr(0, width - 3) + "..." : line;
}

// "validation loss 1.2345" from a finished result, when it has one.
std::string result_detail(const fs::path& result) {
  try {
    const nlohmann::json r = nlohmann::json::parse(read_whole_file(result.string()));
    const nlohmann::json& m = r.at("metrics");
    if (m.contains("validation") && m["validation"].contains("loss"))
      return "validation loss " + format_fixed(m["validation"]["loss"].get<double>(), 4);
    if (m.contains("final_validation_loss"))
      return "validation loss " + format_fixed(m["final_validation_loss"].get<double>(), 4) + " (training's last)";
  } catch (const std::exception&) {
  }
  return "";
}

Row point_row(const std::string& dir, const std::string& point, const SlurmSubmissions& submissions,
              const std::map<std::string, std::string>& slurm) {
  const fs::path folder = point == "." ? fs::path(dir) : fs::path(dir) / point;
  const RunFolderStatus f = read_run_folder(folder.string());
  Row row{point, run_folder_state_name(f.state), "", "", ""};
  const std::string task = submissions.task_of(point);
  const auto s = slurm.find(task);
  const std::string slurm_state = s == slurm.end() ? "" : s->second;
  if (!task.empty()) row.slurm = task + (slurm_state.empty() ? "" : " " + slurm_state);
  if (f.state != RunFolderState::kDone && f.state != RunFolderState::kRunning && slurm_state_is_active(slurm_state))
    row.state = slurm_state == "PENDING" ? "pending" : "running";
  else if ((f.state == RunFolderState::kUnfinished || f.state == RunFolderState::kPending) && !slurm_state.empty() &&
           slurm_state != "COMPLETED")
    row.state = "failed";  // Slurm ended the task (cancelled, time limit, node failure) before it finished
  switch (f.state) {
    case RunFolderState::kDone:
      row.detail = result_detail(folder / "result.json");
      break;
    case RunFolderState::kRunning: row.detail = f.holder; break;
    case RunFolderState::kFailed: row.detail = first_line(f.error, 120); break;
    case RunFolderState::kUnfinished: row.detail = "a checkpoint and no result: the next run continues it"; break;
    case RunFolderState::kPending: break;
  }
  if (row.state == "failed" && f.state != RunFolderState::kFailed) row.detail = "Slurm: " + slurm_state;
  if (!task.empty() && (row.state == "failed" || row.state == "running")) {
    const fs::path log = fs::path(dir) / "slurm" / (task + ".log");
    if (fs::exists(log)) row.log = log.string();
  }
  return row;
}

}  // namespace

int status_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::string dir;
  CommandLine line("status",
                   "Where each point of the sweep in RESULTS_DIR stands (pending / running / unfinished / failed /\n"
                   "done), from its folder and, under Slurm, its array task, with the end of a failed or running\n"
                   "task's log. A run folder shows its one run. Reads only.");
  line.argument("RESULTS_DIR", "the folder ablate run wrote (results/NAME)", dir);
  if (const auto exit = line.parse(args, out, err)) return *exit;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw std::runtime_error(dir + ": not a directory (expected a results folder of ablate run)");

  std::string title;
  std::vector<std::string> points;
  const fs::path sweep = fs::path(dir) / "sweep.json";
  if (fs::exists(sweep, ec)) {
    try {
      const nlohmann::json j = nlohmann::json::parse(read_whole_file(sweep.string()));
      title = "sweep " + j.at("name").get<std::string>();
      for (const auto& p : j.at("points")) points.push_back(p.at("name").get<std::string>());
    } catch (const std::exception& e) {
      throw std::runtime_error(sweep.string() + ": cannot read the sweep summary: " + e.what());
    }
  } else if (read_run_folder(dir).state != RunFolderState::kPending || fs::exists(fs::path(dir) / ".lock", ec)) {
    title = "run";
    points.push_back(".");
  } else {
    throw std::runtime_error(dir + ": neither a sweep (no sweep.json) nor a run folder (no result.json, checkpoint or "
                             "failure.json)");
  }
  const SlurmSubmissions submissions = read_slurm_submissions(dir);
  std::vector<std::string> jobs;
  for (const SlurmSubmission& s : submissions.list) jobs.push_back(s.job);
  const std::map<std::string, std::string> slurm = slurm_task_states(jobs);

  std::vector<Row> rows;
  std::map<std::string, int> counts;
  for (const std::string& p : points) {
    rows.push_back(point_row(dir, p, submissions, slurm));
    ++counts[rows.back().state];
  }
  std::string tally;
  for (const char* s : {"done", "running", "pending", "unfinished", "failed"})
    if (counts[s] > 0) tally += (tally.empty() ? "" : ", ") + std::to_string(counts[s]) + " " + s;
  out << title << " in " << dir << ": " << points.size() << (points.size() == 1 ? " point: " : " points: ") << tally << "\n";
  const bool any_slurm = !submissions.list.empty();
  size_t w_point = 5, w_state = 5, w_slurm = 5;
  for (const Row& r : rows) {
    w_point = std::max(w_point, r.point.size());
    w_state = std::max(w_state, r.state.size());
    w_slurm = std::max(w_slurm, r.slurm.size());
  }
  auto pad = [](const std::string& s, size_t w) { return s + std::string(w + 2 - s.size(), ' '); };
  out << pad("point", w_point) << pad("state", w_state) << (any_slurm ? pad("slurm", w_slurm) : "") << "detail\n";
  for (const Row& r : rows)
    out << pad(r.point, w_point) << pad(r.state, w_state) << (any_slurm ? pad(r.slurm, w_slurm) : "") << r.detail << "\n";
  for (const Row& r : rows) {
    if (r.log.empty()) continue;
    out << "\n" << r.point << ": the end of " << r.log << ":\n";
    std::istringstream lines(tail_lines(r.log, kLogLines));
    for (std::string l; std::getline(lines, l);) out << "  | " << l << "\n";
  }
  return 0;
}

}  // namespace ablate
