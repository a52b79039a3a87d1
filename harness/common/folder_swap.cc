// Staging folders swapped in whole (see folder_swap.h).
#include "harness/common/folder_swap.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "harness/common/file_io.h"

namespace ablate {
namespace {

namespace fs = std::filesystem;

std::string staging_prefix(const fs::path& target) { return "." + target.filename().string() + ".tmp-"; }

// Removes ".NAME.tmp-PID" folders beside `target` whose process is gone.
void remove_stale_staging(const fs::path& target) {
  const fs::path parent = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  const std::string prefix = staging_prefix(target);
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(parent, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) != 0 || !writer_is_gone(name.substr(prefix.size()))) continue;
    std::error_code remove_ec;
    fs::remove_all(entry.path(), remove_ec);
  }
}

}  // namespace

std::string make_staging_folder(const std::string& target) {
  const fs::path t = fs::path(target).lexically_normal();
  const fs::path clean = t.filename().empty() ? t.parent_path() : t;
  const fs::path parent = clean.parent_path().empty() ? fs::path(".") : clean.parent_path();
  std::error_code ec;
  fs::create_directories(parent, ec);
  if (ec) throw std::runtime_error(parent.string() + ": cannot create the folder: " + ec.message());
  remove_stale_staging(clean);
  const fs::path staging = parent / (staging_prefix(clean) + std::to_string(getpid()));
  fs::remove_all(staging, ec);
  fs::create_directory(staging, ec);
  if (ec) throw std::runtime_error(staging.string() + ": cannot create the staging folder: " + ec.message());
  return staging.string();
}

void swap_in_folder(const std::string& staging, const std::string& target) {
  std::error_code ec;
  if (!fs::exists(target, ec)) {
    fs::rename(staging, target, ec);
    if (ec) throw std::runtime_error(staging + ": cannot rename it to " + target + ": " + ec.message());
    return;
  }
  if (renameat2(AT_FDCWD, staging.c_str(), AT_FDCWD, target.c_str(), RENAME_EXCHANGE) == 0) {
    fs::remove_all(staging, ec);  // now the previous contents
    return;
  }
  if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
    throw std::runtime_error(staging + ": cannot swap it with " + target + ": " + std::strerror(errno));
  const std::string aside = staging + ".old";
  fs::rename(target, aside, ec);
  if (ec) throw std::runtime_error(target + ": cannot move it aside to " + aside + ": " + ec.message());
  fs::rename(staging, target, ec);
  if (ec) {
    std::error_code back;
    fs::rename(aside, target, back);
    throw std::runtime_error(staging + ": cannot rename it to " + target + ": " + ec.message());
  }
  fs::remove_all(aside, ec);
}

}  // namespace ablate
