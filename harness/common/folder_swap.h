// Replacing a whole folder at once: the new contents are built in a staging folder beside the
// target (".NAME.tmp-PID") and swapped in at the end, so a reader (or a process killed midway)
// sees the previous folder whole or the new one whole, never a mix.
//
// The swap is renameat2(RENAME_EXCHANGE) (Linux 3.15+, on local filesystems: ext4, xfs, btrfs,
// tmpfs); where the filesystem cannot exchange (NFS), the old folder is renamed aside and the new
// one into place, a window of two renames in which the target is briefly absent.
#pragma once

#include <string>

namespace ablate {

// ".NAME.tmp-PID" beside `target`, created empty; staging folders of processes that no longer run
// are removed first.
std::string make_staging_folder(const std::string& target);

// Swaps `staging` in as `target` and removes what `target` held before. std::runtime_error naming
// both paths on failure (the staging folder is then left for the caller to remove).
void swap_in_folder(const std::string& staging, const std::string& target);

}  // namespace ablate
