// Headless Chromium for the report: the page check and the screenshot (see browser.h).
#include "reports/browser.h"

#include <unistd.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <stdexcept>

#include "harness/common/file_io.h"
#include "harness/common/process.h"

namespace ablate {
namespace {

namespace fs = std::filesystem;

// Put first in <head>: collects errors from the start, and on load writes the findings as JSON
// into <pre id="ablate-check">, which --dump-dom prints.
const char* kCheckScript = R"(<script>
window.__ablate_errors = [];
window.addEventListener('error', function (e) {
  var t = e.target;
  window.__ablate_errors.push(t && t !== window && (t.src || t.href) ? 'failed to load ' + (t.src || t.href)
                                                                      : 'error: ' + e.message);
}, true);
(function () {
  var original = console.error;
  console.error = function () {
    window.__ablate_errors.push('console.error: ' + Array.prototype.join.call(arguments, ' '));
    original.apply(console, arguments);
  };
})();
window.addEventListener('load', function () {
  var images = Array.prototype.slice.call(document.images);
  var result = {
    images: images.length,
    broken: images.filter(function (i) { return !(i.complete && i.naturalWidth > 0); })
                  .map(function (i) { return i.getAttribute('src'); }),
    scroll_width: document.documentElement.scrollWidth,
    inner_width: window.innerWidth,
    scroll_height: document.documentElement.scrollHeight,
    errors: window.__ablate_errors
  };
  var pre = document.createElement('pre');
  pre.id = 'ablate-check';
  pre.textContent = JSON.stringify(result);
  document.body.appendChild(pre);
});
</script>
)";

// A private profile folder, removed when it goes out of scope (parallel runs never share one).
struct TempProfile {
  std::string path;
  TempProfile() {
    std::string templ = (fs::temp_directory_path() / "ablate-chromium-XXXXXX").string();
    if (!mkdtemp(templ.data())) throw std::runtime_error("cannot create a temporary Chromium profile folder");
    path = templ;
  }
  ~TempProfile() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

std::vector<std::string> chromium_args(const std::string& chromium, const std::string& profile, int width, int height) {
  return {chromium,
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--hide-scrollbars",
          "--no-first-run",
          "--user-data-dir=" + profile,
          "--virtual-time-budget=10000",
          "--window-size=" + std::to_string(width) + "," + std::to_string(height)};
}

std::string file_url(const std::string& path) { return "file://" + fs::absolute(path).lexically_normal().string(); }

std::string tail(const std::string& s) { return s.size() > 1500 ? "..." + s.substr(s.size() - 1500) : s; }

}  // namespace

std::optional<std::string> find_chromium() {
  if (const char* env = std::getenv("ABLATE_CHROMIUM"); env && *env) return std::string(env);
  const char* path_env = std::getenv("PATH");
  std::stringstream path(path_env ? path_env : "/usr/local/bin:/usr/bin:/bin");
  std::string dir;
  while (std::getline(path, dir, ':'))
    for (const char* name : {"chromium", "chromium-browser", "google-chrome"}) {
      const std::string candidate = (dir.empty() ? std::string(".") : dir) + "/" + name;
      std::error_code ec;
      if (fs::is_regular_file(candidate, ec) && access(candidate.c_str(), X_OK) == 0) return candidate;
    }
  return std::nullopt;
}

std::string PageCheck::summary() const {
  std::string s;
  auto add = [&](const std::string& clause) { s += (s.empty() ? "" : "; ") + clause; };
  for (const std::string& b : broken) add("image not loaded: " + b);
  if (!fits())
    add("page wider than its window: scrollWidth " + std::to_string(scroll_width) + " > innerWidth " +
        std::to_string(inner_width));
  for (const std::string& e : errors) add(e);
  return s;
}

PageCheck check_page(const std::string& chromium, const std::string& page, int width, int height) {
  std::string html = read_whole_file(page);
  const size_t head = html.find("<head>");
  const size_t at = head == std::string::npos ? 0 : head + 6;
  html.insert(at, kCheckScript);
  // The copy sits beside the page, so its relative links (plots/...) resolve the same.
  const fs::path copy = fs::path(page).parent_path() / (".browser-check-" + std::to_string(getpid()) + ".html");
  write_file_atomically(copy.string(), {{html.data(), html.size()}});
  TempProfile profile;
  std::vector<std::string> args = chromium_args(chromium, profile.path, width, height);
  args.insert(args.end(), {"--dump-dom", file_url(copy.string())});
  const ProcessResult run = run_process(args, ChildStderr::kDiscarded);
  std::error_code ec;
  fs::remove(copy, ec);
  const std::string open = "<pre id=\"ablate-check\">";
  const size_t begin = run.output.find(open);
  const size_t end = begin == std::string::npos ? begin : run.output.find("</pre>", begin);
  if (run.exit_status != 0 || end == std::string::npos)
    throw std::runtime_error(chromium + " gave no page check for " + page +
                             (run.exit_status != 0 ? " (exit status " + std::to_string(run.exit_status) + ")" : "") +
                             (run.output.empty() ? "" : ":\n" + tail(run.output)));
  std::string text = run.output.substr(begin + open.size(), end - begin - open.size());
  // --dump-dom escapes the text's &, < and > (JSON.stringify of our fields writes no other entity).
  for (const auto& [entity, c] : std::vector<std::pair<std::string, std::string>>{{"&lt;", "<"}, {"&gt;", ">"}, {"&amp;", "&"}})
    for (size_t at = text.find(entity); at != std::string::npos; at = text.find(entity, at + c.size()))
      text.replace(at, entity.size(), c);
  const nlohmann::json j = nlohmann::json::parse(text);
  PageCheck check;
  check.images = j.at("images").get<int>();
  check.broken = j.at("broken").get<std::vector<std::string>>();
  check.scroll_width = j.at("scroll_width").get<int>();
  check.inner_width = j.at("inner_width").get<int>();
  check.scroll_height = j.at("scroll_height").get<int>();
  check.errors = j.at("errors").get<std::vector<std::string>>();
  return check;
}

void screenshot_page(const std::string& chromium, const std::string& page, const std::string& png, int width) {
  const PageCheck check = check_page(chromium, page, width);
  const int height = std::max(600, std::min(check.scroll_height, 16384));
  TempProfile profile;
  std::vector<std::string> args = chromium_args(chromium, profile.path, width, height);
  const std::string partial = png + ".part.png";  // Chromium picks the format by the extension
  args.insert(args.end(), {"--screenshot=" + partial, file_url(page)});
  const ProcessResult run = run_process(args, ChildStderr::kWithOutput);
  std::error_code ec;
  if (run.exit_status != 0 || !fs::is_regular_file(partial, ec) || fs::file_size(partial, ec) == 0) {
    fs::remove(partial, ec);
    throw std::runtime_error(chromium + " wrote no screenshot of " + page +
                             (run.output.empty() ? "" : ":\n" + tail(run.output)));
  }
  fs::rename(partial, png);
}

}  // namespace ablate
