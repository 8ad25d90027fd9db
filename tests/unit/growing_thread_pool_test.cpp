// The pool for handlers that may block (http/growing_thread_pool.hpp): two threads until work waits for a
// thread, then as many as work runs at once, never more than its maximum, and join() ends them all.
#include "http/growing_thread_pool.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

namespace kefir::http {
namespace {

using namespace std::chrono_literals;

// Jobs that block until released, counting how many ran at once.
class BlockingJobs {
 public:
  void post(GrowingThreadPool& pool) {
    pool.post([this] {
      std::unique_lock lock(mutex_);
      ++inside_;
      most_inside_ = std::max(most_inside_, inside_);
      changed_.notify_all();
      changed_.wait(lock, [this] { return released_; });
      --inside_;
      ++finished_;
      changed_.notify_all();
    });
  }
  bool wait_until_inside(int count) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, 10s, [&] { return inside_ >= count; });
  }
  bool release_and_wait_for(int finished) {
    std::unique_lock lock(mutex_);
    released_ = true;
    changed_.notify_all();
    return changed_.wait_for(lock, 10s, [&] { return finished_ >= finished; });
  }
  int most_inside() {
    std::lock_guard lock(mutex_);
    return most_inside_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int inside_ = 0;
  int most_inside_ = 0;
  int finished_ = 0;
  bool released_ = false;
};

TEST(GrowingThreadPool, StartsWithTwoThreadsAndAddsOneForEachJobThatWouldWait) {
  GrowingThreadPool pool(8);
  EXPECT_EQ(pool.threads(), 2U);
  BlockingJobs jobs;
  for (int i = 0; i < 4; ++i) jobs.post(pool);
  ASSERT_TRUE(jobs.wait_until_inside(4)) << "four jobs did not run at once";
  EXPECT_EQ(pool.threads(), 4U);
  ASSERT_TRUE(jobs.release_and_wait_for(4));
  pool.join();
}

TEST(GrowingThreadPool, NeverRunsMoreThanItsMaximumAtOnce) {
  GrowingThreadPool pool(3);
  BlockingJobs jobs;
  for (int i = 0; i < 5; ++i) jobs.post(pool);
  ASSERT_TRUE(jobs.wait_until_inside(3));
  std::this_thread::sleep_for(100ms);  // a fourth thread, were there one, would have let a fourth job in
  EXPECT_EQ(jobs.most_inside(), 3);
  EXPECT_EQ(pool.threads(), 3U);
  ASSERT_TRUE(jobs.release_and_wait_for(5)) << "the queued jobs did not run on the threads freed";
  pool.join();
}

// A handler that hands work to the pool and waits for it: Asio's one-thread pools would queue that work to
// the waiting thread itself.
TEST(GrowingThreadPool, WorkHandedOverFromAPoolThreadRunsWhileThatThreadWaits) {
  GrowingThreadPool pool(4);
  std::promise<void> inner_ran;
  std::promise<bool> outer_done;
  pool.post([&] {
    auto ran = inner_ran.get_future();
    pool.post([&] { inner_ran.set_value(); });
    outer_done.set_value(ran.wait_for(10s) == std::future_status::ready);
  });
  auto done = outer_done.get_future();
  ASSERT_EQ(done.wait_for(20s), std::future_status::ready);
  EXPECT_TRUE(done.get()) << "the work handed over waited for the thread that handed it over";
  pool.join();
}

TEST(GrowingThreadPool, JoinWaitsForTheWorkAndEndsEveryThread) {
  BlockingJobs jobs;
  std::atomic<int> ran = 0;
  {
    GrowingThreadPool pool(4);
    for (int i = 0; i < 3; ++i) jobs.post(pool);
    ASSERT_TRUE(jobs.wait_until_inside(3));
    pool.post([&ran] { ++ran; });
    std::thread releaser([&] {
      std::this_thread::sleep_for(50ms);
      jobs.release_and_wait_for(3);
    });
    pool.join();  // returns only when all four have run: the destructor's join then has nothing to wait for
    EXPECT_EQ(ran.load(), 1);
    releaser.join();
  }
  EXPECT_EQ(jobs.most_inside(), 3);
}

}  // namespace
}  // namespace kefir::http
