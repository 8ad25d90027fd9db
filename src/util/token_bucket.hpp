#pragma once
// A thread-safe token bucket: `rate` tokens per second up to `burst`. Used for request throttling and for the
// Expo send rate. rate 0 means unlimited.
#include <algorithm>
#include <chrono>
#include <mutex>
#include <thread>

namespace kefir {

class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;

  TokenBucket(double rate, double burst) : rate_(rate), burst_(burst), tokens_(burst), last_(Clock::now()) {}

  // Takes one token if available; otherwise returns false and how long until one is.
  bool try_take(std::chrono::duration<double>* wait = nullptr) {
    if (rate_ <= 0) return true;
    std::lock_guard lock(mutex_);
    refill();
    if (tokens_ >= 1) {
      tokens_ -= 1;
      return true;
    }
    if (wait) *wait = std::chrono::duration<double>((1 - tokens_) / rate_);
    return false;
  }

  // Blocks until `count` tokens are taken (for senders that must pace themselves).
  void take(double count = 1) {
    if (rate_ <= 0) return;
    std::unique_lock lock(mutex_);
    for (;;) {
      refill();
      if (tokens_ >= count || (count > burst_ && tokens_ >= burst_)) {
        tokens_ -= count;
        return;
      }
      auto wait = std::chrono::duration<double>((count - tokens_) / rate_);
      lock.unlock();
      std::this_thread::sleep_for(wait);
      lock.lock();
    }
  }

 private:
  void refill() {
    auto now = Clock::now();
    tokens_ = std::min(burst_, tokens_ + std::chrono::duration<double>(now - last_).count() * rate_);
    last_ = now;
  }

  double rate_;
  double burst_;
  double tokens_;
  Clock::time_point last_;
  std::mutex mutex_;
};

}  // namespace kefir
