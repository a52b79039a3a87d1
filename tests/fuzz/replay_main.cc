// fuzz_replay: runs saved inputs through the fuzz targets outside libFuzzer, so the seed corpus and
// every crash found become regression tests of the normal build (ctest registers one test per
// target: tests/fuzz/CMakeLists.txt).
//
//   fuzz_replay TARGET PATH...    each PATH is a file or a folder (its files, recursively, sorted);
//                                 a missing folder counts as empty
//   fuzz_replay --list            the targets
//
// Each file is passed to TARGET's LLVMFuzzerTestOneInput. An exception the target does not swallow
// is reported with the file and exits 1; a crash or sanitizer report ends the process as it would
// under libFuzzer, after the file's name is printed.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

// Every target's LLVMFuzzerTestOneInput, renamed ablate_fuzz_NAME when built for replay.
#define ABLATE_FUZZ_TARGET(name) extern "C" int ablate_fuzz_##name(const uint8_t* data, size_t size);
#include "fuzz_targets.inc"
#undef ABLATE_FUZZ_TARGET

namespace {

namespace fs = std::filesystem;

struct Target {
  const char* name;
  int (*run)(const uint8_t*, size_t);
};

const Target kTargets[] = {
#define ABLATE_FUZZ_TARGET(name) {#name, ablate_fuzz_##name},
#include "fuzz_targets.inc"
#undef ABLATE_FUZZ_TARGET
};

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && std::strcmp(argv[1], "--list") == 0) {
    for (const Target& t : kTargets) std::printf("%s\n", t.name);
    return 0;
  }
  if (argc < 3) {
    std::fprintf(stderr, "usage: fuzz_replay TARGET PATH...  |  fuzz_replay --list\n");
    return 2;
  }
  const Target* target = nullptr;
  for (const Target& t : kTargets)
    if (std::strcmp(t.name, argv[1]) == 0) target = &t;
  if (!target) {
    std::fprintf(stderr, "fuzz_replay: unknown target '%s' (fuzz_replay --list names them)\n", argv[1]);
    return 2;
  }
  std::vector<fs::path> files;
  for (int i = 2; i < argc; ++i) {
    const fs::path path = argv[i];
    if (fs::is_regular_file(path)) {
      files.push_back(path);
    } else if (fs::is_directory(path)) {
      for (const auto& entry : fs::recursive_directory_iterator(path))
        if (entry.is_regular_file()) files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  for (const fs::path& file : files) {
    std::fprintf(stderr, "%s: %s\n", target->name, file.c_str());
    const std::string bytes = read_file(file);
    try {
      target->run(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    } catch (const std::exception& e) {
      std::fprintf(stderr, "fuzz_replay: %s: %s: uncaught exception: %s\n", target->name, file.c_str(), e.what());
      return 1;
    } catch (...) {
      std::fprintf(stderr, "fuzz_replay: %s: %s: uncaught exception of unknown type\n", target->name, file.c_str());
      return 1;
    }
  }
  std::printf("fuzz_replay: %s: %zu inputs passed\n", target->name, files.size());
  return 0;
}
