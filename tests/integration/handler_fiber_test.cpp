// Handlers on fibers (http/handler_fiber.hpp) through the real Beast server: a store-only handler that waits
// (util/suspension.hpp) gives its I/O thread back and carries on on that thread once resumed; what it throws
// after a wait is still answered in the error shape; a pause (suspension::sleep_for) gives the thread back
// too. One I/O thread and one pool thread: three handlers waiting at once can only be fibers.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "http/server.hpp"
#include "support/http_client.hpp"
#include "util/suspension.hpp"

namespace kefir::test {
namespace {

using namespace std::chrono_literals;

// Where waiting handlers leave their resumes, for the test to call.
class Gate {
 public:
  void wait_here() {
    suspension::wait([this](suspension::Resume resume) {
      std::lock_guard lock(mutex_);
      resumes_.push_back(std::move(resume));
      changed_.notify_all();
    });
  }
  // The resumes of `count` waiting handlers, once that many wait (empty after 10 s).
  std::vector<suspension::Resume> take_when_waiting(std::size_t count) {
    std::unique_lock lock(mutex_);
    if (!changed_.wait_for(lock, 10s, [&] { return resumes_.size() >= count; })) return {};
    return std::exchange(resumes_, {});
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<suspension::Resume> resumes_;
};

class HandlerFiberTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.add("POST", "/wait",
                [this](http::Request&) {
                  auto before = std::this_thread::get_id();
                  gate_.wait_here();
                  bool same_thread = std::this_thread::get_id() == before;
                  return http::Response::text(200, "text/plain", same_thread ? "same thread" : "moved");
                },
                {.authenticated = false, .store_only = true});
    router_.add("POST", "/wait-then-fail",
                [this](http::Request&) -> http::Response {
                  gate_.wait_here();
                  throw std::runtime_error("failed after the wait");
                },
                {.authenticated = false, .store_only = true});
    // Polls, pausing between looks, for a flag only another request sets (an idempotent retry waiting for its
    // first attempt is such a poll).
    router_.add("POST", "/poll",
                [this](http::Request&) {
                  for (int look = 0; look < 2000; ++look) {
                    if (released_) return http::Response::text(200, "text/plain", "released");
                    suspension::sleep_for(5ms);
                  }
                  return http::Response::text(504, "text/plain", "never released");
                },
                {.authenticated = false, .store_only = true});
    router_.add("POST", "/release",
                [this](http::Request&) {
                  released_ = true;
                  return http::Response::no_content();
                },
                {.authenticated = false, .store_only = true});
    router_.add("GET", "/ping",
                [](http::Request&) { return http::Response::text(200, "text/plain", "pong"); },
                {.authenticated = false});
    http::ServerOptions options;
    options.port = 0;
    options.io_threads = 1;
    options.blocking_threads = 1;
    server_ = std::make_unique<http::Server>(router_, options);
    api_ = ApiClient("http://127.0.0.1:" + std::to_string(server_->port()));
    thread_ = std::thread([this] { server_->run(); });
  }

  void TearDown() override {
    server_->stop();
    thread_.join();
  }

  http::Router router_;
  Gate gate_;
  std::atomic<bool> released_{false};
  std::unique_ptr<http::Server> server_;
  ApiClient api_;
  std::thread thread_;
};

TEST_F(HandlerFiberTest, WaitingHandlersGiveTheIoThreadBackAndCarryOnWhereTheyWere) {
  constexpr std::size_t kWaiting = 3;
  std::vector<HttpResponse> responses(kWaiting);
  std::vector<std::thread> clients;
  for (std::size_t i = 0; i < kWaiting; ++i)
    clients.emplace_back([&, i] { responses[i] = api_.raw("POST", "/wait", ""); });

  auto resumes = gate_.take_when_waiting(kWaiting);
  ASSERT_EQ(resumes.size(), kWaiting) << "the waits did not all begin: a waiting handler held its thread";
  auto ping = api_.get("/ping");  // the only I/O thread is free while they wait
  EXPECT_EQ(ping.status, 200);
  EXPECT_EQ(ping.body, "pong");
  // Resumed from this thread, last first: each carries on on its I/O thread.
  for (auto it = resumes.rbegin(); it != resumes.rend(); ++it) (*it)();
  for (auto& client : clients) client.join();
  for (const auto& response : responses) {
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(response.body, "same thread");
  }
}

TEST_F(HandlerFiberTest, AnExceptionAfterAWaitIsAnsweredInTheErrorShape) {
  HttpResponse response;
  std::thread client([&] { response = api_.raw("POST", "/wait-then-fail", ""); });
  auto resumes = gate_.take_when_waiting(1);
  ASSERT_EQ(resumes.size(), 1u);
  resumes.front()();
  client.join();
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(response.json().at("code"), "INTERNAL");
  EXPECT_EQ(api_.get("/ping").status, 200);
}

TEST_F(HandlerFiberTest, APausingHandlerLetsTheRequestItWaitsForRunOnItsThread) {
  HttpResponse polled;
  std::thread client([&] { polled = api_.raw("POST", "/poll", ""); });
  std::this_thread::sleep_for(20ms);  // usually polling by now; the outcome is the same if not
  EXPECT_EQ(api_.raw("POST", "/release", "").status, 204);
  client.join();
  EXPECT_EQ(polled.status, 200);
  EXPECT_EQ(polled.body, "released");
}

TEST(SuspensionWait, APlainThreadBlocksUntilResumed) {
  suspension::Resume resume;
  std::mutex mutex;
  std::condition_variable started;
  bool returned = false;
  std::thread waiter([&] {
    suspension::wait([&](suspension::Resume given) {
      std::lock_guard lock(mutex);
      resume = std::move(given);
      started.notify_all();
    });
    std::lock_guard lock(mutex);
    returned = true;
  });
  {
    std::unique_lock lock(mutex);
    ASSERT_TRUE(started.wait_for(lock, 10s, [&] { return static_cast<bool>(resume); }));
  }
  std::this_thread::sleep_for(50ms);
  {
    std::lock_guard lock(mutex);
    EXPECT_FALSE(returned);
  }
  resume();
  waiter.join();
  EXPECT_TRUE(returned);
}

}  // namespace
}  // namespace kefir::test
