// Handlers that may block run on the server's growing pool (http/growing_thread_pool.hpp): an idle server
// has started two of its threads, and handlers that block at once each get their own.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>
#include <vector>

#include "http/server.hpp"
#include "support/http_client.hpp"

namespace kefir::test {
namespace {

using namespace std::chrono_literals;

std::size_t threads_of_this_process() {
  return static_cast<std::size_t>(std::distance(std::filesystem::directory_iterator("/proc/self/task"),
                                                std::filesystem::directory_iterator{}));
}

TEST(BlockingPool, AnIdleServerHoldsTwoPoolThreadsAndHandlersThatBlockAtOnceGetOneEach) {
  std::mutex mutex;
  std::condition_variable changed;
  int inside = 0;
  bool released = false;
  http::Router router;
  router.add("POST", "/block",
             [&](http::Request&) {
               std::unique_lock lock(mutex);
               ++inside;
               changed.notify_all();
               changed.wait(lock, [&] { return released; });
               return http::Response::text(200, "text/plain", "done");
             },
             {.authenticated = false});
  const auto before = threads_of_this_process();
  http::ServerOptions options;
  options.port = 0;
  options.io_threads = 1;
  options.blocking_threads = 16;
  http::Server server(router, options);
  std::thread serving([&] { server.run(); });
  ApiClient api("http://127.0.0.1:" + std::to_string(server.port()));
  ASSERT_EQ(api.raw("GET", "/missing", "").status, 404);  // serving
  EXPECT_LE(threads_of_this_process() - before, 3U) << "the serving thread and two pool threads";

  constexpr int kBlocked = 5;
  std::vector<HttpResponse> responses(kBlocked);
  std::vector<std::thread> clients;
  for (int i = 0; i < kBlocked; ++i)
    clients.emplace_back([&, i] { responses[i] = api.raw("POST", "/block", ""); });
  {
    std::unique_lock lock(mutex);
    EXPECT_TRUE(changed.wait_for(lock, 10s, [&] { return inside == kBlocked; }))
        << "only " << inside << " handlers ran at once";
    released = true;
    changed.notify_all();
  }
  for (auto& client : clients) client.join();
  for (const auto& response : responses) EXPECT_EQ(response.status, 200);
  server.stop();
  serving.join();
}

}  // namespace
}  // namespace kefir::test
