#pragma once
// Runs synchronous handlers on fibers of the calling I/O thread. A handler that waits for a store write's
// commit (util/suspension.hpp) gives the thread back to its other connections, and carries on, on the same
// thread, once the commit is done: a durable write then costs no hop to a pool thread and back, which was
// most of what a write request paid in thread wake-ups. Only for handlers whose waits are suspensions (a
// local store's writes): anything else that blocks would hold the I/O thread.
#include <condition_variable>
#include <functional>
#include <mutex>

#include <boost/asio/awaitable.hpp>

#include "http/message.hpp"

namespace kefir::http {

class FiberRunner {
 public:
  FiberRunner() = default;
  // Waits until no fiber waits for a resume any more: each resume posts to the fiber's I/O context, which
  // must outlive it (the server destroys its runner before its contexts).
  ~FiberRunner();
  FiberRunner(const FiberRunner&) = delete;
  FiberRunner& operator=(const FiberRunner&) = delete;

  // Runs `handler` on a fiber until it returns, suspending this coroutine while the handler waits; what the
  // handler throws is rethrown here.
  boost::asio::awaitable<Response> run(std::function<Response()> handler);

 private:
  void resumed();

  std::mutex mutex_;
  std::condition_variable all_resumed_;
  int waiting_ = 0;  // fibers whose resume has not been called yet
};

}  // namespace kefir::http
