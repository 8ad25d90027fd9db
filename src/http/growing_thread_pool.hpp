#pragma once
// The pool that runs handlers which may block (network stores, files): up to `max_threads` threads, started
// as they are needed rather than all at once. A server that never blocks in a handler (SQLite, where writes
// run on fibers) kept 64 idle threads from start-up on: ~0.9 MiB of its idle resident memory, against the
// 20 MiB SPEC §14 allows. It starts two, and adds one when work is handed over while every started thread is
// busy, so the pool holds as many threads as handlers ever blocked at once; threads stay until join().
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <cstddef>
#include <mutex>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

namespace kefir::http {

class GrowingThreadPool {
 public:
  explicit GrowingThreadPool(std::size_t max_threads);
  ~GrowingThreadPool();
  GrowingThreadPool(const GrowingThreadPool&) = delete;
  GrowingThreadPool& operator=(const GrowingThreadPool&) = delete;

  // Runs `work` on the pool, counted as busy from now until it has run.
  template <typename Work>
  void post(Work work) {
    boost::asio::post(pool_, [work = std::move(work), busy = Busy(*this)]() mutable { work(); });
  }

  // The same, awaited: `work`'s result, back on the awaiting coroutine's executor.
  template <typename Work>
  auto run(Work work) -> boost::asio::awaitable<std::invoke_result_t<Work&>> {
    return boost::asio::co_spawn(
        pool_,
        [work = std::move(work), busy = Busy(*this)]() mutable
        -> boost::asio::awaitable<std::invoke_result_t<Work&>> { co_return work(); },
        boost::asio::use_awaitable);
  }

  std::size_t threads() const { return started_.load(); }
  // Waits for the work handed over to finish, then for the threads.
  void join();

 private:
  // One piece of work handed over, for as long as it lives: the pool grows when the work has no idle thread
  // to run on.
  class Busy {
   public:
    explicit Busy(GrowingThreadPool& pool);
    ~Busy();
    Busy(Busy&& other) noexcept;
    Busy(const Busy&) = delete;
    Busy& operator=(const Busy&) = delete;
    Busy& operator=(Busy&&) = delete;

   private:
    GrowingThreadPool* pool_;
  };

  void grow_if_all_busy(std::size_t busy);

  const std::size_t max_threads_;
  // Its own threads; the others attach to it. Two unless one is all it may have: Asio runs a pool made with
  // one thread as single-threaded (work posted from that thread stays queued to it, and no other thread is
  // woken for queued work), which threads attached later would not change.
  boost::asio::thread_pool pool_;
  std::atomic<std::size_t> busy_ = 0;
  std::atomic<std::size_t> started_;
  std::mutex threads_mutex_;  // over attached_ and joining_
  std::vector<std::thread> attached_;
  bool joining_ = false;
};

}  // namespace kefir::http
