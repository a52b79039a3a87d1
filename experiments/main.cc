// Entry point of the `ablate` binary; everything else lives in the harness library.
#include <csignal>
#include <exception>
#include <iostream>

#include "experiments/cli.h"

int main(int argc, char** argv) {
  // Past a file-size limit (ulimit -f) a write fails with EFBIG, reported like a full disk, instead
  // of SIGXFSZ killing the process mid-run.
  std::signal(SIGXFSZ, SIG_IGN);
  try {
    return ablate::run_cli(std::vector<std::string>(argv + 1, argv + argc), std::cout, std::cerr);
  } catch (const std::exception& e) {
    std::cerr << "ablate: error: " << e.what() << "\n";
    return 1;
  }
}
