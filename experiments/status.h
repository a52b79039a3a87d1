// `ablate status DIR`: where each point of a sweep stands, from DIR/sweep.json (the points), their
// folders (run_folder.h: done / running / failed / unfinished / pending) and, for a sweep run under
// Slurm, the array task of each point and what Slurm says of it (squeue, and sacct where the cluster
// keeps accounting), with the tail of the log of a failed or running task. A run folder (no
// sweep.json) shows its one run. Reads only: it takes no lock and writes nothing.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace ablate {

// args: RESULTS_DIR. Exit 0 (a status is not a failure), 2 on a usage error; a folder that is
// neither a sweep nor a run is an error naming it.
int status_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace ablate
