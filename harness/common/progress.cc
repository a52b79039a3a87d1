// The progress bar (see progress.h).
#include "harness/common/progress.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <stdexcept>

namespace ablate {
namespace {

constexpr int kBarWidth = 30;
constexpr double kRedrawInterval = 0.1;  // interactive: at most ~10 redraws a second

double steady_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

Progress::Progress(std::ostream& out, std::string label, int64_t total, bool interactive,
                   double line_interval_s, Clock clock)
    : out_(out),
      label_(std::move(label)),
      total_(total),
      interactive_(interactive),
      line_interval_s_(line_interval_s),
      clock_(clock ? std::move(clock) : Clock(steady_seconds)) {
  if (total < 0) throw std::invalid_argument("Progress: total must be >= 0, got " + std::to_string(total));
  if (!(line_interval_s >= 0)) throw std::invalid_argument("Progress: line_interval_s must be >= 0");
}

Progress::~Progress() {
  if (interactive_ && bar_visible_ && !finished_) {
    out_ << '\n';
    out_.flush();
  }
}

double Progress::now() const { return clock_(); }

void Progress::start(int64_t done_already) {
  started_ = true;
  finished_ = false;
  start_time_ = now();
  done_ = std::clamp<int64_t>(done_already, 0, total_);
  have_anchor_ = false;
  eta_s_ = -1;
  printed_ = false;
}

void Progress::update(int64_t done, const Fields& fields) {
  if (finished_) return;
  if (!started_) start(0);
  const double t = now();
  done_ = std::clamp<int64_t>(done, 0, total_);
  fields_ = fields;

  if (!have_anchor_) {
    have_anchor_ = true;
    anchor_time_ = t;
    anchor_done_ = done_;
    eta_s_ = -1;
  } else if (done_ >= total_) {
    eta_s_ = 0;
  } else if (done_ > anchor_done_ && t > anchor_time_) {
    const double rate = double(done_ - anchor_done_) / (t - anchor_time_);
    eta_s_ = double(total_ - done_) / rate;
  } else {
    eta_s_ = -1;
  }

  const double interval = interactive_ ? kRedrawInterval : line_interval_s_;
  if (printed_ && t - last_print_time_ < interval) return;
  printed_ = true;
  last_print_time_ = t;
  const std::string line = render(eta_s_ < 0 ? "ETA --" : "ETA " + format_duration(eta_s_));
  if (interactive_) {
    draw(line);
  } else {
    out_ << line << '\n';
  }
  out_.flush();
}

void Progress::message(const std::string& text) {
  if (interactive_ && bar_visible_) {
    out_ << '\r' << std::string(drawn_length_, ' ') << '\r' << text << '\n';
    drawn_length_ = 0;
    bar_visible_ = false;
    if (!finished_) draw(render(eta_s_ < 0 ? "ETA --" : "ETA " + format_duration(eta_s_)));
  } else {
    out_ << text << '\n';
  }
  out_.flush();
}

void Progress::finish(const Fields& fields) {
  if (finished_) return;
  if (!started_) start(0);
  const double elapsed = now() - start_time_;
  if (!fields.empty()) fields_ = fields;
  const std::string line = render("done in " + format_duration(elapsed));
  if (interactive_) {
    draw(line);
    out_ << '\n';
  } else {
    out_ << line << '\n';
  }
  out_.flush();
  finished_ = true;
  bar_visible_ = false;
  drawn_length_ = 0;
}

std::string Progress::render(const std::string& tail) const {
  const double fraction = total_ > 0 ? double(done_) / double(total_) : 1.0;
  const int filled = std::clamp(int(fraction * kBarWidth), 0, kBarWidth);
  std::string bar = "[" + std::string(filled, '=');
  if (filled < kBarWidth) bar += '>' + std::string(kBarWidth - filled - 1, ' ');
  bar += ']';
  const int64_t percent = total_ > 0 ? done_ * 100 / total_ : 100;

  std::string line = label_ + "  step " + std::to_string(done_) + "/" + std::to_string(total_) + " " + bar +
                     " " + std::to_string(percent) + "%";
  for (const auto& [name, value] : fields_) line += "  " + (name.empty() ? value : name + " " + value);
  return line + "  " + tail;
}

void Progress::draw(const std::string& line) {
  out_ << '\r' << line;
  if (line.size() < drawn_length_) out_ << std::string(drawn_length_ - line.size(), ' ');
  drawn_length_ = line.size();
  bar_visible_ = true;
}

bool stream_is_terminal(const std::ostream& out) {
  if (&out == &std::cerr || &out == &std::clog) return ::isatty(STDERR_FILENO) != 0;
  if (&out == &std::cout) return ::isatty(STDOUT_FILENO) != 0;
  return false;
}

}  // namespace ablate
