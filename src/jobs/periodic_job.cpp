#include "jobs/periodic_job.hpp"

#include "util/log.hpp"

namespace kefir::jobs {
namespace {

const Clock& system_clock() {
  static const SystemClock clock;
  return clock;
}

}  // namespace

PeriodicJob::PeriodicJob(std::string name, std::chrono::milliseconds interval, std::function<void()> pass)
    : PeriodicJob(std::move(name), interval, system_clock(), [pass = std::move(pass)] {
        pass();
        return std::optional<TimePoint>();
      }) {}

PeriodicJob::PeriodicJob(std::string name, std::chrono::milliseconds interval, const Clock& clock, Pass pass)
    : name_(std::move(name)), interval_(interval), clock_(clock), pass_(std::move(pass)) {}

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

void PeriodicJob::wake_at(TimePoint due) {
  {
    std::lock_guard lock(mutex_);
    if (wake_at_ && *wake_at_ <= due) return;
    wake_at_ = due;
  }
  wake_.notify_all();
}

void PeriodicJob::loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    wake_at_.reset();  // what was asked for until now, this pass does
    lock.unlock();
    const TimePoint next = run_pass();
    lock.lock();
    while (!stopping_) {
      const TimePoint target = wake_at_ ? std::min(next, *wake_at_) : next;
      if (clock_.now() >= target) break;
      wake_.wait_until(lock, target);
    }
  }
}

TimePoint PeriodicJob::run_pass() {
  try {
    if (auto next = pass_()) return *next;
  } catch (const std::exception& error) {
    log::warn(name_ + " failed", {{"error", error.what()}});
  }
  return clock_.now() + interval_;
}

}  // namespace kefir::jobs
