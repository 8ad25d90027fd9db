#pragma once
// A background job that runs one pass now and then again and again until stopped. By default the next pass
// runs `interval` after the last one ended; a pass may name its own next time instead, and wake_at() brings
// the next pass forward (work that became due sooner). A pass that throws is logged and the next one runs
// `interval` later.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "jobs/background_job.hpp"
#include "ports/clock.hpp"

namespace kefir::jobs {

class PeriodicJob final : public BackgroundJob {
 public:
  // When the next pass is due on the job's clock; nullopt: `interval` from now.
  using Pass = std::function<std::optional<TimePoint>()>;

  PeriodicJob(std::string name, std::chrono::milliseconds interval, std::function<void()> pass);
  // Times measured by `clock` (the application's: what the pass's due times are about).
  PeriodicJob(std::string name, std::chrono::milliseconds interval, const Clock& clock, Pass pass);
  ~PeriodicJob() override;
  PeriodicJob(const PeriodicJob&) = delete;
  PeriodicJob& operator=(const PeriodicJob&) = delete;

  void start() override;
  void stop() override;

  // The next pass runs at `due` at the latest (at once if that has passed, or once the running pass ends).
  void wake_at(TimePoint due);
  void wake() { wake_at(TimePoint::min()); }

 private:
  void loop();
  TimePoint run_pass();

  std::string name_;
  std::chrono::milliseconds interval_;
  const Clock& clock_;
  Pass pass_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::optional<TimePoint> wake_at_;  // asked for since the running pass began
  std::thread thread_;
};

}  // namespace kefir::jobs
