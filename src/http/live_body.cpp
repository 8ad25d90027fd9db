#include "http/live_body.hpp"

#include <utility>

namespace kefir::http {

bool LiveBody::push(std::string text) {
  std::unique_lock lock(mutex_);
  if (closed_) return false;
  queued_ += text;
  wake(lock);
  return true;
}

void LiveBody::close() {
  std::unique_lock lock(mutex_);
  if (closed_) return;
  closed_ = true;
  wake(lock);
}

bool LiveBody::closed() const {
  std::lock_guard lock(mutex_);
  return closed_;
}

void LiveBody::set_wakeup(std::function<void()> wakeup) {
  std::unique_lock lock(mutex_);
  wakeup_ = std::move(wakeup);
  if (wakeup_ && (closed_ || !queued_.empty())) wake(lock);
}

std::string LiveBody::take(bool& ended) {
  std::lock_guard lock(mutex_);
  ended = closed_ && queued_.empty();
  return std::exchange(queued_, {});
}

void LiveBody::shut_down() {
  std::unique_lock lock(mutex_);
  if (closed_) return;
  queued_ += farewell_;
  closed_ = true;
  wake(lock);
}

void LiveBody::wake(std::unique_lock<std::mutex>& lock) {
  // Called outside the lock: the wakeup posts to the connection's executor, which may run it at once.
  auto wakeup = wakeup_;
  lock.unlock();
  if (wakeup) wakeup();
}

}  // namespace kefir::http
