// The progress bar driven by a fake clock: line throttling on logs and terminals, the ETA, and
// messages between redraws (the formatters of its fields: test_format.cc).
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "harness/common/progress.h"

namespace ablate {
namespace {

// A clock the test moves by hand.
struct FakeClock {
  double t = 0;
  Progress::Clock fn() {
    return [this] { return t; };
  }
};

int64_t count_of(const std::string& s, char c) { return std::count(s.begin(), s.end(), c); }

std::vector<std::string> lines_of(const std::string& s) {
  std::vector<std::string> lines;
  std::istringstream in(s);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

TEST(Progress, NonInteractivePrintsFirstLineThenAtIntervalsAndAtFinish) {
  std::ostringstream out;
  FakeClock clock;
  Progress p(out, "train", 600, /*interactive=*/false, 10.0, clock.fn());
  p.start();
  clock.t = 1;
  p.update(10, {{"loss", "2.500"}});
  EXPECT_EQ(out.str(), "train  step 10/600 [>                             ] 1%  loss 2.500  ETA --\n");

  clock.t = 5;
  p.update(20, {{"loss", "2.400"}});
  clock.t = 10.9;
  p.update(30, {{"loss", "2.300"}});
  EXPECT_EQ(lines_of(out.str()).size(), 1u) << out.str();  // both within 10 s of the first line

  clock.t = 11;
  p.update(120, {{"loss", "2.134"}, {"", "47.3k tok/s"}});
  auto lines = lines_of(out.str());
  ASSERT_EQ(lines.size(), 2u) << out.str();
  // 110 steps in the 10 s since the first update: 11 steps/s, 480 left -> 43.6 s -> 0:44.
  EXPECT_EQ(lines[1], "train  step 120/600 [======>                       ] 20%  loss 2.134  47.3k tok/s  ETA 0:44");

  clock.t = 15;
  p.update(200, {{"loss", "2.000"}});
  EXPECT_EQ(lines_of(out.str()).size(), 2u);  // 4 s after the last line

  clock.t = 83;
  p.finish({{"loss", "1.900"}});
  lines = lines_of(out.str());
  ASSERT_EQ(lines.size(), 3u) << out.str();
  EXPECT_EQ(lines[2], "train  step 200/600 [==========>                   ] 33%  loss 1.900  done in 1:23");
  EXPECT_EQ(out.str().back(), '\n');
  EXPECT_EQ(out.str().find('\r'), std::string::npos);

  // Nothing more after finish().
  const std::string before = out.str();
  clock.t = 200;
  p.update(600, {});
  p.finish();
  EXPECT_EQ(out.str(), before);
}

TEST(Progress, EtaUsesTheRateFromTheFirstUpdateNotFromStart) {
  std::ostringstream out;
  FakeClock clock;
  Progress p(out, "run", 1000, false, 0.0, clock.fn());
  clock.t = 100;
  p.start(400);  // resumed at step 400
  clock.t = 160;  // a slow first step (warm-up): 60 s for 10 steps
  p.update(410, {});
  EXPECT_LT(p.eta_seconds(), 0);
  clock.t = 170;  // then 50 steps in 10 s: 5 steps/s, 540 left -> 108 s
  p.update(460, {});
  EXPECT_DOUBLE_EQ(p.eta_seconds(), 108.0);
  const auto lines = lines_of(out.str());
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[0].find("ETA --"), std::string::npos) << lines[0];
  EXPECT_NE(lines[1].find("step 460/1000"), std::string::npos) << lines[1];
  EXPECT_NE(lines[1].find("46%  ETA 1:48"), std::string::npos) << lines[1];

  clock.t = 280;  // done; elapsed counts from start()
  p.update(1000, {});
  EXPECT_EQ(p.eta_seconds(), 0.0);
  p.finish();
  EXPECT_NE(out.str().find("[==============================] 100%  done in 3:00\n"), std::string::npos)
      << out.str();
}

TEST(Progress, FinishReusesTheLastFieldsWhenGivenNone) {
  std::ostringstream out;
  FakeClock clock;
  Progress p(out, "eval", 4, false, 10.0, clock.fn());
  p.start();
  p.update(4, {{"loss", "3.000"}});
  clock.t = 7;
  p.finish();
  EXPECT_EQ(lines_of(out.str()).back(), "eval  step 4/4 [==============================] 100%  loss 3.000  done in 0:07");
}

TEST(Progress, InteractiveRedrawsOneLineAtMostTenTimesASecond) {
  std::ostringstream out;
  FakeClock clock;
  Progress p(out, "train", 100, /*interactive=*/true, 10.0, clock.fn());
  p.start();
  p.update(1, {{"loss", "10.000"}});
  EXPECT_EQ(out.str(), "\rtrain  step 1/100 [>                             ] 1%  loss 10.000  ETA --");
  clock.t = 0.05;
  p.update(2, {{"loss", "9.000"}});
  EXPECT_EQ(count_of(out.str(), '\r'), 1);  // too soon to redraw
  clock.t = 0.2;
  p.update(3, {{"loss", "9.0"}});  // a shorter line: padded over the old one's tail
  const std::string second = "\rtrain  step 3/100 [>                             ] 3%  loss 9.0  ETA 0:10";
  const size_t first_length = std::string("train  step 1/100 [>                             ] 1%  loss 10.000  ETA --").size();
  const size_t pad = first_length - (second.size() - 1);
  EXPECT_EQ(out.str().substr(out.str().size() - second.size() - pad), second + std::string(pad, ' '));
  EXPECT_EQ(count_of(out.str(), '\r'), 2);
  EXPECT_EQ(out.str().find('\n'), std::string::npos);

  clock.t = 5;
  p.finish();
  EXPECT_EQ(out.str().back(), '\n');
  EXPECT_EQ(count_of(out.str(), '\n'), 1);
  EXPECT_NE(out.str().find("\rtrain  step 3/100 [>                             ] 3%  loss 9.0  done in 0:05"),
            std::string::npos);
}

TEST(Progress, InteractiveMessageClearsTheBarAndRedrawsIt) {
  std::ostringstream out;
  FakeClock clock;
  Progress p(out, "t", 10, true, 10.0, clock.fn());
  p.start();
  p.update(5, {});
  const std::string bar = "t  step 5/10 [===============>              ] 50%  ETA --";
  ASSERT_EQ(out.str(), "\r" + bar);
  p.message("val loss 2.0");
  EXPECT_EQ(out.str(), "\r" + bar + "\r" + std::string(bar.size(), ' ') + "\rval loss 2.0\n\r" + bar);
}

TEST(Progress, MessageBeforeAnyBarOrOnALogIsAPlainLine) {
  std::ostringstream log;
  FakeClock clock;
  Progress p(log, "t", 10, false, 10.0, clock.fn());
  p.start();
  p.update(1, {});
  p.message("checkpoint saved");
  EXPECT_EQ(lines_of(log.str()).back(), "checkpoint saved");
  EXPECT_EQ(log.str().find('\r'), std::string::npos);

  std::ostringstream tty;
  Progress q(tty, "t", 10, true, 10.0, clock.fn());
  q.message("starting");
  EXPECT_EQ(tty.str(), "starting\n");
}

TEST(Progress, UnfinishedInteractiveBarGetsItsNewlineOnDestruction) {
  std::ostringstream out;
  FakeClock clock;
  {
    Progress p(out, "t", 10, true, 10.0, clock.fn());
    p.update(3, {});
  }
  EXPECT_EQ(out.str().back(), '\n');
}

TEST(Progress, RejectsNegativeTotal) {
  std::ostringstream out;
  EXPECT_THROW(Progress(out, "t", -1, false), std::invalid_argument);
}

TEST(Progress, OnlyStandardStreamsOnATerminalAreTerminals) {
  std::ostringstream out;
  EXPECT_FALSE(stream_is_terminal(out));
  EXPECT_EQ(stream_is_terminal(std::cerr), isatty(STDERR_FILENO) != 0);
  EXPECT_EQ(stream_is_terminal(std::cout), isatty(STDOUT_FILENO) != 0);
}

}  // namespace
}  // namespace ablate
