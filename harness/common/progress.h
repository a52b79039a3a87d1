// The progress bar long work (training, evaluation, tokenizing) prints on stderr:
//
//   LABEL  step 120/600 [=======>                      ] 20%  loss 2.134  47.3k tok/s  ETA 1:05
//
// On a terminal (interactive) one line is redrawn in place with '\r', at most 10 times a
// second. Otherwise (a log file, a pipe) a full line is printed on the first update, then at
// most every line_interval_s seconds, and at finish(), so logs stay short.
//
// The fields after the percentage are the caller's (name, formatted value) pairs, printed
// "name value"; a pair with an empty name prints its value alone ("47.3k tok/s" is
// {"", format_rate(r) + " tok/s"}). The ETA comes from the rate measured from the first update
// after start() (so warm-up does not skew it); it reads "ETA --" until two updates are known.
// finish() prints the final line with "done in M:SS" and a newline. Not thread-safe: one thread
// drives a Progress.
#pragma once

#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "harness/common/format.h"  // the formatters of the fields (format_rate, format_fixed, ...)

namespace ablate {

class Progress {
 public:
  using Fields = std::vector<std::pair<std::string, std::string>>;
  // Seconds on any monotonic scale; the default reads std::chrono::steady_clock. Tests inject one.
  using Clock = std::function<double()>;

  // total ≥ 0 units of work (std::invalid_argument otherwise); line_interval_s ≥ 0 is the
  // non-interactive spacing of lines. An empty clock means the steady clock.
  Progress(std::ostream& out, std::string label, int64_t total, bool interactive,
           double line_interval_s = 10.0, Clock clock = {});
  // An interactive bar left on screen unfinished gets its newline, so what follows starts clean.
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // Starts the clock; done_already units count as done (a resumed run starts at its checkpoint
  // step) but not towards the rate. update() calls start() itself if it was not called.
  void start(int64_t done_already = 0);
  // `done` units are done (clamped to [0, total]); prints or redraws the line if it is time to.
  // Ignored after finish().
  void update(int64_t done, const Fields& fields);
  // Prints `text` on a line of its own. Interactive: clears the bar first and redraws it after.
  void message(const std::string& text);
  // Prints the final line: the last update's count, `fields` (the last update's fields when
  // empty) and "done in M:SS", then a newline. Only the first call prints.
  void finish(const Fields& fields = {});

  // The current estimate of the seconds left; negative while unknown.
  double eta_seconds() const { return eta_s_; }

 private:
  double now() const;
  // The line without '\r' or '\n': the bar, the fields, then `tail` ("ETA 1:05", "done in 1:23").
  std::string render(const std::string& tail) const;
  // Interactive: '\r', the line, and spaces over whatever the previous line left behind.
  void draw(const std::string& line);

  std::ostream& out_;
  std::string label_;
  int64_t total_;
  bool interactive_;
  double line_interval_s_;
  Clock clock_;

  bool started_ = false, finished_ = false, bar_visible_ = false;
  double start_time_ = 0;
  int64_t done_ = 0;
  Fields fields_;
  bool have_anchor_ = false;  // the first update after start(): where the rate is measured from
  double anchor_time_ = 0;
  int64_t anchor_done_ = 0;
  double eta_s_ = -1;
  bool printed_ = false;  // a line has been printed (or drawn) since start()
  double last_print_time_ = 0;
  size_t drawn_length_ = 0;  // interactive: length of the line now on screen
};

// True only for std::cerr / std::clog attached to a terminal (isatty(2)) or std::cout attached
// to one (isatty(1)); false for every other stream.
bool stream_is_terminal(const std::ostream& out);

}  // namespace ablate
