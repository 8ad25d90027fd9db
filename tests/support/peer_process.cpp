#include "support/peer_process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>

namespace kefir::test {

PeerProcess::PeerProcess(std::vector<std::string> argv, const std::string& stderr_path) {
  // Everything the child needs is prepared before fork: only async-signal-safe calls happen in between.
  std::vector<char*> args;
  for (auto& arg : argv) args.push_back(arg.data());
  args.push_back(nullptr);
  int err_fd = open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (err_fd < 0) throw std::runtime_error("cannot open " + stderr_path);
  int out_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  pid_t parent = getpid();
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);  // the parent died before prctl took effect
    dup2(out_pipe[1], STDOUT_FILENO);
    dup2(err_fd, STDERR_FILENO);
    int devnull = open("/dev/null", O_RDONLY);
    dup2(devnull, STDIN_FILENO);
    close_range(3, ~0U, 0);  // no descriptor of the test process (other children's pipes) leaks into the peer
    execvp(args[0], args.data());
    _exit(127);
  }
  close(out_pipe[1]);
  close(err_fd);
  reader_ = std::thread([this, fd = out_pipe[0]] { read_stdout(fd); });
}

PeerProcess::~PeerProcess() {
  if (running()) {
    ::kill(pid_, SIGTERM);
    for (int i = 0; i < 50 && running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (running()) {
      ::kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
      reaped_ = true;
    }
  }
  if (reader_.joinable()) reader_.join();
}

bool PeerProcess::running() {
  if (reaped_) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == 0) return true;
  reaped_ = true;
  return false;
}

void PeerProcess::read_stdout(int fd) {
  char buffer[4096];
  std::string partial;
  for (;;) {
    auto n = read(fd, buffer, sizeof buffer);
    if (n <= 0) break;
    std::lock_guard lock(mutex_);
    partial.append(buffer, static_cast<std::size_t>(n));
    for (auto newline = partial.find('\n'); newline != std::string::npos; newline = partial.find('\n')) {
      lines_.push_back(partial.substr(0, newline));
      partial.erase(0, newline + 1);
    }
    changed_.notify_all();
  }
  close(fd);
  std::lock_guard lock(mutex_);
  stdout_closed_ = true;
  changed_.notify_all();
}

std::string PeerProcess::wait_for_line(const std::function<bool(const std::string&)>& predicate,
                                       std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  std::string found;
  changed_.wait_for(lock, timeout, [&] {
    for (const auto& line : lines_) {
      if (predicate(line)) {
        found = line;
        return true;
      }
    }
    return stdout_closed_;
  });
  return found;
}

int free_loopback_port() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    close(fd);
    throw std::runtime_error("cannot bind a loopback port");
  }
  close(fd);
  return ntohs(address.sin_port);
}

}  // namespace kefir::test
