#pragma once
// Runs tests/tools/store_writer.cpp as a child process and collects the transaction ids it acknowledges.
#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace kefir::test {

class StoreWriterProcess {
 public:
  StoreWriterProcess(const std::string& db_path, int threads);
  ~StoreWriterProcess();  // SIGKILL if still running
  StoreWriterProcess(const StoreWriterProcess&) = delete;
  StoreWriterProcess& operator=(const StoreWriterProcess&) = delete;

  // True once at least `count` ids were acknowledged (the store is open and writing).
  bool wait_for_acknowledged(std::size_t count, std::chrono::milliseconds timeout);
  // SIGKILL, then every id the process printed before it died.
  std::vector<std::string> kill_and_collect();

 private:
  void read_output(int fd);

  pid_t pid_ = -1;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> acknowledged_;
  bool output_closed_ = false;
  std::thread reader_;
};

}  // namespace kefir::test
