#pragma once
// Starts the real `kefir` binary as a child process (stage dev, a fresh DATA_DIR, port 0 unless given), waits
// for its "listening" log line, and collects stdout (JSON logs) and stderr (console mail) for assertions.
#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace kefir::test {

struct ServerConfig {
  std::vector<std::string> args = {"serve"};
  std::map<std::string, std::string> env;  // added to a minimal environment; DATA_DIR, PORT, STAGE defaulted
  // Waits for the "listening" log line (logged at info: with LOG_LEVEL=warn, give a PORT and wait yourself).
  bool wait_until_listening = true;
  std::chrono::milliseconds start_timeout{15000};
};

class ServerProcess {
 public:
  explicit ServerProcess(ServerConfig config = {});
  ~ServerProcess();  // SIGKILL if still running
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  int port() const { return port_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  const std::string& data_dir() const { return data_dir_; }
  pid_t pid() const { return pid_; }

  std::vector<std::string> stdout_lines() const;
  std::string stderr_text() const;
  // Waits until a stdout line (or the stderr text, with from_stderr) satisfies `predicate`; returns it or "".
  std::string wait_for_output(const std::function<bool(const std::string&)>& predicate,
                              std::chrono::milliseconds timeout, bool from_stderr = false) const;

  void signal(int sig);
  // Waits for exit; returns the exit code (128+signal when killed), or -1 on timeout.
  int wait_exit(std::chrono::milliseconds timeout = std::chrono::milliseconds(15000));
  int terminate();  // SIGTERM + wait_exit
  bool running() const;

 private:
  void reader(int fd, bool is_stdout);

  std::string data_dir_;
  bool own_data_dir_ = false;
  pid_t pid_ = -1;
  int port_ = 0;
  int exit_code_ = -1;
  bool exited_ = false;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::vector<std::string> stdout_lines_;
  std::string stderr_text_;
  std::thread stdout_thread_;
  std::thread stderr_thread_;
};

// Runs `kefir <args>` to completion with the given environment; returns exit code, stdout and stderr.
struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
CommandResult run_kefir(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                        std::chrono::milliseconds timeout = std::chrono::milliseconds(60000));

}  // namespace kefir::test
