#include "integration/sqlite_writer_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>

namespace kefir::test {

StoreWriterProcess::StoreWriterProcess(const std::string& db_path, int threads) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  std::string binary = KEFIR_STORE_WRITER;
  std::string path = db_path;
  std::string thread_count = std::to_string(threads);
  char* argv[] = {binary.data(), path.data(), thread_count.data(), nullptr};
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    ::dup2(fds[1], STDOUT_FILENO);
    ::execv(binary.c_str(), argv);
    ::_exit(127);
  }
  ::close(fds[1]);
  reader_ = std::thread([this, fd = fds[0]] { read_output(fd); });
}

StoreWriterProcess::~StoreWriterProcess() {
  if (pid_ > 0) kill_and_collect();
}

void StoreWriterProcess::read_output(int fd) {
  std::string pending;
  char buffer[4096];
  ssize_t n;
  while ((n = ::read(fd, buffer, sizeof buffer)) > 0) {
    pending.append(buffer, static_cast<std::size_t>(n));
    std::lock_guard lock(mutex_);
    for (auto end = pending.find('\n'); end != std::string::npos; end = pending.find('\n')) {
      acknowledged_.push_back(pending.substr(0, end));
      pending.erase(0, end + 1);
    }
    changed_.notify_all();
  }
  ::close(fd);
  std::lock_guard lock(mutex_);
  output_closed_ = true;
  changed_.notify_all();
}

bool StoreWriterProcess::wait_for_acknowledged(std::size_t count, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return acknowledged_.size() >= count || output_closed_; }) &&
         acknowledged_.size() >= count;
}

std::vector<std::string> StoreWriterProcess::kill_and_collect() {
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  reader_.join();
  std::lock_guard lock(mutex_);
  return acknowledged_;
}

}  // namespace kefir::test
