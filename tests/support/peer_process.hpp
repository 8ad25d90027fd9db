#pragma once
// A helper program the tests talk to (DynamoDB Local, s3rver...): started as a child process, its stdout
// collected line by line, stopped by PID. The child is also killed by the kernel when the test process dies
// (PR_SET_PDEATHSIG), so a crashed test run leaves no emulator behind.
#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace kefir::test {

class PeerProcess {
 public:
  // argv[0] is looked up in PATH. stderr goes to `stderr_path` (kept for diagnostics).
  PeerProcess(std::vector<std::string> argv, const std::string& stderr_path);
  ~PeerProcess();  // SIGTERM, then SIGKILL if it lingers
  PeerProcess(const PeerProcess&) = delete;
  PeerProcess& operator=(const PeerProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool running();
  // The first stdout line satisfying `predicate`, or "" when the timeout passes or the process ends first.
  std::string wait_for_line(const std::function<bool(const std::string&)>& predicate,
                            std::chrono::milliseconds timeout);

 private:
  void read_stdout(int fd);

  pid_t pid_ = -1;
  bool reaped_ = false;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> lines_;
  bool stdout_closed_ = false;
  std::thread reader_;
};

// A TCP port on 127.0.0.1 that was free a moment ago (for programs that cannot report the port they bound).
int free_loopback_port();

}  // namespace kefir::test
