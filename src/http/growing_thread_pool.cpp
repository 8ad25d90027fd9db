#include "http/growing_thread_pool.hpp"

#include <algorithm>
#include <utility>

namespace kefir::http {

GrowingThreadPool::GrowingThreadPool(std::size_t max_threads)
    : max_threads_(std::max<std::size_t>(max_threads, 1)),
      pool_(std::min<std::size_t>(max_threads_, 2)),
      started_(std::min<std::size_t>(max_threads_, 2)) {}

GrowingThreadPool::~GrowingThreadPool() {
  join();
}

GrowingThreadPool::Busy::Busy(GrowingThreadPool& pool) : pool_(&pool) {
  pool.grow_if_all_busy(++pool.busy_);
}

GrowingThreadPool::Busy::~Busy() {
  if (pool_) --pool_->busy_;
}

GrowingThreadPool::Busy::Busy(Busy&& other) noexcept : pool_(std::exchange(other.pool_, nullptr)) {}

void GrowingThreadPool::grow_if_all_busy(std::size_t busy) {
  if (busy <= started_.load() || started_.load() >= max_threads_) return;
  std::lock_guard lock(threads_mutex_);
  // Rechecked under the lock: another hand-over may have grown the pool meanwhile.
  if (joining_ || busy_.load() <= started_.load() || started_.load() >= max_threads_) return;
  attached_.emplace_back([this] { pool_.attach(); });
  ++started_;
}

void GrowingThreadPool::join() {
  {
    std::lock_guard lock(threads_mutex_);
    joining_ = true;
  }
  // The pool's own thread keeps the pool from ending while it is idle; join() lets it end once the work is
  // done, and the attached threads return with it.
  pool_.join();
  std::lock_guard lock(threads_mutex_);
  for (auto& thread : attached_)
    if (thread.joinable()) thread.join();
}

}  // namespace kefir::http
