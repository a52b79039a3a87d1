// The advisory folder lock (see folder_lock.h).
#include "harness/common/folder_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include "harness/common/file_io.h"
#include "harness/common/run_info.h"
#include "harness/common/text.h"

namespace ablate {
namespace {

namespace fs = std::filesystem;

// The lock file's text, read through a descriptor of it (no locking involved).
std::string read_note(const std::string& path) {
  try {
    return trim(read_whole_file(path));
  } catch (const std::exception&) {
    return "";
  }
}

// "ablate run sweep.yaml -o out" from /proc/self/cmdline (argv[0] without its folder); "" if unreadable.
std::string this_command_line() {
  std::string text;
  try {
    text = read_whole_file("/proc/self/cmdline");
  } catch (const std::exception&) {
    return "";
  }
  std::string line;
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i < text.size() && text[i] != '\0') continue;
    std::string arg = text.substr(start, i - start);
    if (line.empty()) arg = fs::path(arg).filename().string();
    if (!arg.empty()) line += (line.empty() ? "" : " ") + arg;
    start = i + 1;
  }
  return line;
}

bool no_locks_here(int error) { return error == ENOLCK || error == EOPNOTSUPP || error == ENOSYS || error == EINVAL; }

}  // namespace

FolderLock::FolderLock(const std::string& dir, const std::string& holder_note, bool wait, const std::string& lock_name)
    : path_((fs::path(dir) / lock_name).string()) {
  create_output_directory(dir);
  fd_ = open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw std::runtime_error(path_ + ": cannot open the folder's lock file: " + std::strerror(errno));
  // Without `wait`, a few short retries: folder_is_locked probes with a shared lock held for
  // microseconds, which must not make a starting run fail.
  int r;
  for (int attempt = 0;; ++attempt) {
    r = flock(fd_, LOCK_EX | (wait ? 0 : LOCK_NB));
    if (r == 0 || errno == EINTR) {
      if (r == 0) break;
      continue;
    }
    if (errno != EWOULDBLOCK || attempt >= 20) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (r != 0) {
    const int error = errno;
    if (no_locks_here(error)) return;  // held_ stays false: the caller warns
    close(fd_);
    fd_ = -1;
    if (error != EWOULDBLOCK) throw std::runtime_error(path_ + ": cannot lock: " + std::strerror(error));
    const std::string holder = read_note(path_);
    throw FolderBusyError(dir + " is in use by " + (holder.empty() ? std::string("another process") : holder) +
                          " (one writer per folder: wait for it to finish, or write elsewhere with -o DIR)");
  }
  held_ = true;
  const std::string note = "pid " + std::to_string(getpid()) + " on host " + host_name() + " since " +
                           iso8601_utc(std::chrono::system_clock::now()) + ": " + this_command_line() +
                           (holder_note.empty() ? "" : " (" + holder_note + ")") + "\n";
  // Best effort: the note only helps the message of a refused process.
  if (ftruncate(fd_, 0) == 0) {
    const ssize_t written = pwrite(fd_, note.data(), note.size(), 0);
    (void)written;
  }
}

FolderLock::~FolderLock() {
  if (fd_ < 0) return;
  // The note goes (if the truncation fails, the next holder overwrites it); closing releases the lock.
  if (held_ && ftruncate(fd_, 0) != 0) held_ = false;
  close(fd_);
}

bool folder_is_locked(const std::string& dir, const std::string& lock_name) {
  const std::string path = (fs::path(dir) / lock_name).string();
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool locked = flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  close(fd);
  return locked;
}

std::string lock_holder(const std::string& dir, const std::string& lock_name) {
  return read_note((fs::path(dir) / lock_name).string());
}

}  // namespace ablate
