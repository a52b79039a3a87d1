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

// Refuses (FileIoError) what is not a regular file (a character device such as /dev/zero, a FIFO,
// a socket: read whole, they never end or end when they like) and a file larger than this
// machine's memory (see check_fits_in_memory).
std::string read_whole_file(const std::string& path);

// FileIoError "is a character device, not a regular file" for a path that is not a regular file
// (directories: "cannot read: Is a directory"); nothing for a missing path (opening it says so).
void check_regular_file(const std::string& path);

// FileIoError when `bytes_per_file_byte` x the file's size is more than this machine's memory
// (MemTotal): "is 1.0 TiB; reading it needs about 1.0 TiB, more than this machine's 23.4 GiB of
// memory". What a reader holds per byte of file: 1 for the bytes themselves, 5 for a text file
// tokenized byte by byte (the text plus a 4-byte id per byte), 2 for a uint16 token shard read into
// 4-byte ids.
void check_fits_in_memory(const std::string& path, double bytes_per_file_byte);

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

// Whether `digits` (the pid suffix of a temporary's name) is a pid of no running process: a
// writer that was killed. False for anything that is not a plain pid, and for this process.
bool writer_is_gone(const std::string& digits);

// Removes "<name>.tmp.<pid>" files in `dir` left by writers that were killed mid-write (their pid
// no longer runs); returns their paths. A missing dir removes nothing.
std::vector<std::string> remove_stale_temporaries(const std::string& dir);

}  // namespace ablate
