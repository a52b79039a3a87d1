#include "harness/common/file_io.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <new>

namespace ablate {
namespace {

std::string errno_text(int err) { return std::strerror(err); }

// Writes all of [p, p + n); false with errno set on failure.
bool write_all(int fd, const char* p, size_t n) {
  while (n > 0) {
    const ssize_t put = ::write(fd, p, std::min<size_t>(n, size_t{1} << 30));
    if (put < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += put;
    n -= static_cast<size_t>(put);
  }
  return true;
}

const char* file_kind(mode_t mode) {
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a plain file";
}

// MemTotal in bytes (0 when unknown).
double memory_bytes() {
  const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
  return pages > 0 && page > 0 ? static_cast<double>(pages) * static_cast<double>(page) : 0.0;
}

std::string size_text(double bytes) {
  const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB"};
  int u = 0;
  while (bytes >= 1024 && u < 5) {
    bytes /= 1024;
    ++u;
  }
  char text[64];
  std::snprintf(text, sizeof text, u == 0 ? "%.0f %s" : "%.1f %s", bytes, units[u]);
  return text;
}

void check_stat(const struct stat& st, double bytes_per_file_byte) {
  if (S_ISDIR(st.st_mode)) throw FileIoError("cannot read: " + errno_text(EISDIR));
  if (!S_ISREG(st.st_mode)) throw FileIoError(std::string("is ") + file_kind(st.st_mode) + ", not a regular file");
  const double memory = memory_bytes(), need = static_cast<double>(st.st_size) * bytes_per_file_byte;
  if (memory > 0 && need > memory)
    throw FileIoError("is " + size_text(static_cast<double>(st.st_size)) + "; reading it needs about " + size_text(need) +
                      ", more than this machine's " + size_text(memory) + " of memory");
}

}  // namespace

void check_regular_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return;
  check_stat(st, 0.0);
}

void check_fits_in_memory(const std::string& path, double bytes_per_file_byte) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return;
  check_stat(st, bytes_per_file_byte);
}

std::string read_whole_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);  // a FIFO must not block the open
  if (fd < 0) throw FileIoError("cannot open: " + errno_text(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    throw FileIoError("cannot read: " + errno_text(err));
  }
  try {
    check_stat(st, 1.0);
  } catch (...) {
    ::close(fd);
    throw;
  }
  std::string bytes;
  try {
    if (S_ISREG(st.st_mode) && st.st_size > 0) bytes.reserve(static_cast<size_t>(st.st_size));
    char chunk[1 << 16];
    for (;;) {
      const ssize_t got = ::read(fd, chunk, sizeof chunk);
      if (got == 0) break;
      if (got < 0) {
        if (errno == EINTR) continue;
        const int err = errno;
        ::close(fd);
        throw FileIoError("cannot read: " + errno_text(err));
      }
      bytes.append(chunk, static_cast<size_t>(got));
    }
  } catch (const std::bad_alloc&) {
    ::close(fd);
    throw FileIoError("out of memory reading the file");
  }
  ::close(fd);
  return bytes;
}

void write_file_atomically(const std::string& path, const std::vector<ByteSpan>& pieces) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) throw FileIoError("cannot create " + tmp + ": " + errno_text(errno));
  bool ok = true;
  for (size_t i = 0; ok && i < pieces.size(); ++i)
    ok = write_all(fd, static_cast<const char*>(pieces[i].data), pieces[i].size);
  ok = ok && ::fsync(fd) == 0;
  int err = errno;
  if (::close(fd) != 0 && ok) {
    ok = false;
    err = errno;
  }
  if (ok && ::rename(tmp.c_str(), path.c_str()) != 0) {
    err = errno;
    ::unlink(tmp.c_str());
    throw FileIoError("cannot rename " + tmp + " over it: " + errno_text(err));
  }
  if (!ok) {
    ::unlink(tmp.c_str());
    throw FileIoError("cannot write " + tmp + ": " + errno_text(err));
  }
  // The rename itself reaches the disk with the directory entry; best effort (a failure here
  // cannot leave a partial file, only an older one after a power cut).
  const size_t slash = path.find_last_of('/');
  const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
}

void create_output_directory(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw FileIoError(dir + ": cannot create the output folder: " + ec.message());
}

bool writer_is_gone(const std::string& digits) {
  if (digits.empty() || digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos) return false;
  const pid_t pid = static_cast<pid_t>(std::stol(digits));
  return pid != ::getpid() && ::kill(pid, 0) != 0 && errno == ESRCH;
}

std::vector<std::string> remove_stale_temporaries(const std::string& dir) {
  std::vector<std::string> removed;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    const size_t mark = name.rfind(".tmp.");
    if (mark == std::string::npos || mark == 0) continue;
    if (!writer_is_gone(name.substr(mark + 5))) continue;  // its writer may still run
    if (std::filesystem::remove(entry.path(), ec)) removed.push_back(entry.path().string());
  }
  return removed;
}

}  // namespace ablate
