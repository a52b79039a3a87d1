// A real single-node Slurm cluster for the tests: Debian's munged, slurmctld and slurmd (Slurm
// 22.05, installed by scripts/setup), started in a private folder with their own key, socket,
// ports, spool and state folders on the loopback interface, and stopped afterwards (queued jobs
// cancelled first). SLURM_CONF points the test's sbatch/squeue (and the ablate processes it
// starts) at it while it runs.
//
// start() returns why the cluster could not start ("" when it did): the binaries are missing, or
// a daemon did not come up (with the end of its log), so a test can skip with that message.
#pragma once

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "harness/common/process.h"
#include "harness/common/text.h"
#include "tests/test_support.h"

namespace ablate::testing {

class SlurmCluster {
 public:
  ~SlurmCluster() { stop(); }

  std::string start() {
    for (const char* tool : {"/usr/sbin/munged", "/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/bin/sbatch",
                             "/usr/bin/squeue", "/usr/bin/scancel", "/usr/bin/sinfo"})
      if (access(tool, X_OK) != 0)
        return std::string(tool) + " is not installed (scripts/setup installs slurmctld, slurmd, slurm-client and munge)";
    std::string tmpl = ::testing::TempDir() + "ablate_slurm_XXXXXX";
    if (!mkdtemp(tmpl.data())) return "cannot create a folder for the cluster";
    dir_ = tmpl;
    const std::string d = dir_;
    std::filesystem::create_directories(d + "/state");
    std::filesystem::create_directories(d + "/spool");
    // munge: a fresh key, its own socket.
    {
      std::ifstream random("/dev/urandom", std::ios::binary);
      std::string key(1024, '\0');
      random.read(key.data(), static_cast<std::streamsize>(key.size()));
      write_bytes(d + "/munge.key", key);
      chmod((d + "/munge.key").c_str(), 0400);
    }
    daemons_.push_back(spawn({"/usr/sbin/munged", "-F", "-f", "--key-file=" + d + "/munge.key",
                              "--socket=" + d + "/munge.socket", "--pid-file=" + d + "/munged.pid",
                              "--log-file=" + d + "/munged.log", "--seed-file=" + d + "/munged.seed"},
                             d + "/munged.out"));
    if (!wait_for([&] { return std::filesystem::exists(d + "/munge.socket"); }, 20))
      return failure("munged did not create its socket", d + "/munged.out");

    char host[256] = {0};
    gethostname(host, sizeof host - 1);
    const std::string node = std::string(host).substr(0, std::string(host).find('.'));
    const std::string user = getuid() == 0 ? "root" : std::string(getenv("USER") ? getenv("USER") : "root");
    const unsigned cpus = std::max(1u, std::thread::hardware_concurrency());
    const std::vector<int> ports = free_ports(2);
    std::ofstream conf(d + "/slurm.conf");
    conf << "ClusterName=ablatetest\n"
         << "SlurmctldHost=" << node << "(127.0.0.1)\n"
         << "SlurmctldPort=" << ports[0] << "\nSlurmdPort=" << ports[1] << "\n"
         << "SlurmUser=" << user << "\nSlurmdUser=" << user << "\n"
         << "AuthType=auth/munge\nCredType=cred/munge\nAuthInfo=socket=" << d << "/munge.socket\n"
         << "StateSaveLocation=" << d << "/state\nSlurmdSpoolDir=" << d << "/spool\n"
         << "SlurmctldPidFile=" << d << "/slurmctld.pid\nSlurmdPidFile=" << d << "/slurmd.pid\n"
         << "SlurmctldLogFile=" << d << "/slurmctld.log\nSlurmdLogFile=" << d << "/slurmd.log\n"
         << "ProctrackType=proctrack/linuxproc\nTaskPlugin=task/none\n"
         << "SelectType=select/cons_tres\nSelectTypeParameters=CR_CPU\n"
         << "JobAcctGatherType=jobacct_gather/none\nAccountingStorageType=accounting_storage/none\n"
         << "JobCompType=jobcomp/none\nMpiDefault=none\nReturnToService=2\n"
         << "NodeName=" << node << " NodeAddr=127.0.0.1 CPUs=" << cpus << " State=UNKNOWN\n"
         << "PartitionName=debug Nodes=" << node << " Default=YES MaxTime=INFINITE State=UP\n";
    conf.close();
    conf_ = d + "/slurm.conf";
    env_ = std::make_unique<ScopedEnv>("SLURM_CONF", conf_);
    daemons_.push_back(spawn({"/usr/sbin/slurmctld", "-D", "-i", "-f", conf_}, d + "/slurmctld.out"));
    daemons_.push_back(spawn({"/usr/sbin/slurmd", "-D", "-N", node, "-f", conf_}, d + "/slurmd.out"));
    const bool idle = wait_for([] {
      const ProcessResult r = run_process({"sinfo", "-h", "-o", "%T"}, ChildStderr::kDiscarded);
      return r.exit_status == 0 && trim(r.output) == "idle";
    }, 60);
    if (!idle) return failure("the node did not become idle within 60 s", d + "/slurmctld.log", d + "/slurmd.log");
    return "";
  }

  // Cancels every job and stops the daemons.
  void stop() {
    if (daemons_.empty()) return;
    run_process({"scancel", "--full", "--user=" + std::string(getuid() == 0 ? "root" : getenv("USER"))},
                ChildStderr::kDiscarded);
    wait_for([] {
      const ProcessResult r = run_process({"squeue", "-h"}, ChildStderr::kDiscarded);
      return r.exit_status != 0 || trim(r.output).empty();
    }, 30);
    for (auto it = daemons_.rbegin(); it != daemons_.rend(); ++it) kill(*it, SIGTERM);
    for (pid_t pid : daemons_) {
      if (!wait_for([pid] { return waitpid(pid, nullptr, WNOHANG) == pid; }, 15)) {
        kill(pid, SIGKILL);
        waitpid(pid, nullptr, 0);
      }
    }
    daemons_.clear();
    env_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

 private:
  static pid_t spawn(const std::vector<std::string>& argv, const std::string& output) {
    const pid_t pid = fork();
    if (pid == 0) {
      const int fd = open(output.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(fd, 1);
      dup2(fd, 2);
      std::vector<char*> args;
      for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      execv(args[0], args.data());
      _exit(127);
    }
    return pid;
  }

  // `n` distinct TCP ports nobody listens on now (held open together, so they differ).
  static std::vector<int> free_ports(int n) {
    std::vector<int> sockets, ports;
    for (int i = 0; i < n; ++i) {
      const int s = socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in addr{};
      addr.sin_family = AF_INET;
      addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      socklen_t len = sizeof addr;
      bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
      getsockname(s, reinterpret_cast<sockaddr*>(&addr), &len);
      sockets.push_back(s);
      ports.push_back(ntohs(addr.sin_port));
    }
    for (int s : sockets) close(s);
    return ports;
  }

  template <typename F>
  static bool wait_for(F done, int seconds) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (std::chrono::steady_clock::now() < deadline) {
      if (done()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return done();
  }

  static std::string failure(const std::string& what, const std::string& log1, const std::string& log2 = "") {
    std::string text = what;
    for (const std::string& log : {log1, log2}) {
      if (log.empty()) continue;
      const std::string bytes = read_bytes(log);
      text += "\n--- end of " + log + ":\n" + (bytes.size() > 1500 ? bytes.substr(bytes.size() - 1500) : bytes);
    }
    return text;
  }

  std::string dir_, conf_;
  std::vector<pid_t> daemons_;
  std::unique_ptr<ScopedEnv> env_;
};

}  // namespace ablate::testing
