// Whole-file reads and atomic writes. Every writer of shards, checkpoints and results goes
// through write_file_atomically: the bytes go to "<path>.tmp.<pid>", are fsync'ed, then renamed
// over <path>, so an interrupted or failed write leaves the previous file intact and no partial one.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "harness/common/errors.h"

namespace ablate {

// Failures are FileIoErrors (harness/common/errors.h), without the path: callers prefix it.

std::string read_whole_file(const std::string& path);

struct ByteSpan {
  const void* data;
  size_t size;
};
// Writes the concatenation of `pieces` to `path` atomically (see above).
void write_file_atomically(const std::string& path, const std::vector<ByteSpan>& pieces);

// The two above for a caller whose errors are `Error` (DataError, InteropError, ...): a failure is
// rethrown as Error("PATH: " + what).
template <typename Error>
std::string read_whole_file_or_throw(const std::string& path) {
  try {
    return read_whole_file(path);
  } catch (const FileIoError& e) {
    throw Error(path + ": " + e.what());
  }
}
template <typename Error>
void write_file_atomically_or_throw(const std::string& path, const std::vector<ByteSpan>& pieces) {
  try {
    write_file_atomically(path, pieces);
  } catch (const FileIoError& e) {
    throw Error(path + ": " + e.what());
  }
}

// Creates `dir` and its missing parents; FileIoError "DIR: cannot create the output folder: REASON"
// (a parent that is a file, no permission, a full disk).
void create_output_directory(const std::string& dir);

// Removes "<name>.tmp.<pid>" files in `dir` left by writers that were killed mid-write (their pid
// no longer runs); returns their paths. A missing dir removes nothing.
std::vector<std::string> remove_stale_temporaries(const std::string& dir);

}  // namespace ablate
