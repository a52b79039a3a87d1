// One writer per folder: an advisory lock on DIR/.lock, held for as long as the FolderLock lives
// (a whole run, a whole local sweep, one rewrite of sweep.json).
//
// The lock is flock(2) on DIR/.lock. The kernel drops it when its holder exits, however it ends
// (SIGKILL included), so a lock whose holder is gone is simply taken over; the file itself stays.
// While held, the file says who holds it ("pid 4242 on host node07 since 2026-12-02T03:04:05Z:
// ablate run sweep.yaml"), which is what a second process reports when it is refused.
//
// Shared folders: Linux maps flock(2) on NFS to POSIX byte-range locks through the NFS lock
// manager (NFSv3 with lockd, NFSv4 natively), so processes on different nodes exclude each other
// as they do on one node; Lustre needs its `flock` mount option. Where the filesystem has no locks
// at all (flock fails with ENOLCK/EOPNOTSUPP), the lock is reported as not held and the caller
// warns: one writer per folder is then up to the user.
#pragma once

#include <stdexcept>
#include <string>

namespace ablate {

// Another process holds the folder: "DIR is in use by pid 4242 on host node07 since ...: ablate run
// sweep.yaml (one writer per folder: wait for it to finish, or write elsewhere with -o DIR)".
struct FolderBusyError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class FolderLock {
 public:
  // Creates DIR (and its parents) if missing and takes DIR/LOCK_NAME. `wait`: block until the
  // holder lets go (brief critical sections); otherwise throw FolderBusyError at once.
  // FileIoError-style failures (cannot create the folder or the file) are std::runtime_errors
  // naming the path.
  FolderLock(const std::string& dir, const std::string& holder_note, bool wait = false,
             const std::string& lock_name = ".lock");
  ~FolderLock();
  FolderLock(const FolderLock&) = delete;
  FolderLock& operator=(const FolderLock&) = delete;

  // False when the filesystem refused locks altogether (see above).
  bool held() const { return held_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
  bool held_ = false;
};

// Whether some process holds DIR/LOCK_NAME now (a running point). False when there is no lock file.
bool folder_is_locked(const std::string& dir, const std::string& lock_name = ".lock");

// "pid 4242 on host node07 since 2026-12-02T03:04:05Z: ablate run sweep.yaml": who holds a lock, as
// its file says (empty when nobody wrote one).
std::string lock_holder(const std::string& dir, const std::string& lock_name = ".lock");

}  // namespace ablate
