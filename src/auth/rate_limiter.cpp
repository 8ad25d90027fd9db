#include "auth/rate_limiter.hpp"

#include <algorithm>

namespace kefir::auth {

SlidingWindowLimiter::SlidingWindowLimiter(std::size_t limit, Clock::duration window, std::size_t max_keys)
    : limit_(limit), window_(window), max_keys_(max_keys) {}

bool SlidingWindowLimiter::allow(const std::string& key, std::chrono::seconds& retry_after,
                                 Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (events_.size() >= max_keys_ && !events_.contains(key)) forget_idle(now);
  auto& times = events_[key];
  while (!times.empty() && times.front() <= now - window_) times.pop_front();
  if (times.size() >= limit_) {
    retry_after = std::max(std::chrono::seconds(1),
                           std::chrono::ceil<std::chrono::seconds>(times.front() + window_ - now));
    return false;
  }
  times.push_back(now);
  return true;
}

// Keys whose events all left the window carry no state. If every key is active (a flood of distinct
// addresses), the map is cleared rather than allowed to grow without bound.
void SlidingWindowLimiter::forget_idle(Clock::time_point now) {
  std::erase_if(events_, [&](const auto& entry) {
    return entry.second.empty() || entry.second.back() <= now - window_;
  });
  if (events_.size() >= max_keys_) events_.clear();
}

}  // namespace kefir::auth
