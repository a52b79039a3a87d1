// `ablate run` and `ablate train`: one experiment (run.h), or every point of a sweep (sweep.h).
//
//   ablate run   CONFIG.yaml [-o DIR] [--resume] [--force] [--threads N] [sweep options]
//   ablate train CONFIG.yaml [-o DIR] [--resume] [--force] [--threads N] [sweep options]
//   sweep options: --point NAME, --executor local|slurm, --partition P, --time T, --cpus-per-task N,
//                  --mem M, --sbatch OPTION (repeatable), --wait
//
// DIR defaults to results/NAME. train writes DIR/checkpoint.safetensors (every
// train.checkpoint_every steps and at the end) and DIR/result.json (kind "train"); run does the
// same, then evaluates the whole validation split and the config's `extend:` and `choice:`
// sections (kind "run"; docs/results.md). A sweep puts each point in DIR/POINT/, running them
// here (sweep_run.h) or as a Slurm job array (slurm_executor.h); --point runs one of them.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace ablate {

// args: what follows the command name. Returns the exit code (0 ok, 1 a sweep point failed,
// 2 usage; other errors throw, and the CLI reports them with exit code 1).
int run_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int train_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace ablate
