#include "jobs/periodic_job.hpp"

#include "util/log.hpp"

namespace kefir::jobs {

PeriodicJob::PeriodicJob(std::string name, std::chrono::seconds interval, std::function<void()> pass)
    : name_(std::move(name)), interval_(interval), pass_(std::move(pass)) {}

PeriodicJob::~PeriodicJob() {
  stop();
}

void PeriodicJob::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { loop(); });
}

void PeriodicJob::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void PeriodicJob::loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    try {
      pass_();
    } catch (const std::exception& error) {
      log::warn(name_ + " failed", {{"error", error.what()}});
    }
    lock.lock();
    wake_.wait_for(lock, interval_, [this] { return stopping_; });
  }
}

}  // namespace kefir::jobs
