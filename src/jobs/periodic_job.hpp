#pragma once
// A background job that runs one pass now and then every `interval` until stopped; a pass that throws is
// logged and the next one runs as planned.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "jobs/background_job.hpp"

namespace kefir::jobs {

class PeriodicJob final : public BackgroundJob {
 public:
  PeriodicJob(std::string name, std::chrono::seconds interval, std::function<void()> pass);
  ~PeriodicJob() override;
  PeriodicJob(const PeriodicJob&) = delete;
  PeriodicJob& operator=(const PeriodicJob&) = delete;

  void start() override;
  void stop() override;

 private:
  void loop();

  std::string name_;
  std::chrono::seconds interval_;
  std::function<void()> pass_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace kefir::jobs
