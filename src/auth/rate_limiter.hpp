#pragma once
// At most `limit` events per key in any sliding `window` (per-client-IP limits of SPEC §2). Kept in memory: a
// client spread over several instances gets each instance's allowance, which is what a per-instance abuse
// brake needs; the per-email code limit, which must hold across instances, lives in the store instead.
#include <chrono>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

namespace kefir::auth {

class SlidingWindowLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  SlidingWindowLimiter(std::size_t limit, Clock::duration window, std::size_t max_keys = 100000);

  // Records an event for `key` when allowed; otherwise returns false and sets `retry_after` (whole seconds,
  // >= 1).
  bool allow(const std::string& key, std::chrono::seconds& retry_after, Clock::time_point now = Clock::now());

 private:
  void forget_idle(Clock::time_point now);

  std::size_t limit_;
  Clock::duration window_;
  std::size_t max_keys_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::deque<Clock::time_point>> events_;
};

}  // namespace kefir::auth
