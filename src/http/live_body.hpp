#pragma once
// A response body that stays open and is written as its owner pushes text (Server-Sent Events): the handler
// returns it in Response::live, keeps a reference, and pushes from any thread. The server writes what was
// pushed on the connection's own executor, so an open body costs a few hundred bytes and no thread.
#include <functional>
#include <mutex>
#include <string>

namespace kefir::http {

class LiveBody {
 public:
  // `farewell` is the last text sent when the server ends the body because it is shutting down.
  explicit LiveBody(std::string farewell = {}) : farewell_(std::move(farewell)) {}
  LiveBody(const LiveBody&) = delete;
  LiveBody& operator=(const LiveBody&) = delete;

  // Queues `text`; false (and nothing queued) once the body is closed.
  bool push(std::string text);
  // Ends the body after what is queued. Idempotent.
  void close();
  bool closed() const;

  // Server side. `wakeup` is called, from whichever thread pushes or closes, once there is something to do.
  void set_wakeup(std::function<void()> wakeup);
  // Takes what is queued; `ended` is set when the body is closed and nothing more will come.
  std::string take(bool& ended);
  // The server stops: the farewell, then the end.
  void shut_down();

 private:
  void wake(std::unique_lock<std::mutex>& lock);

  const std::string farewell_;
  mutable std::mutex mutex_;
  std::string queued_;
  bool closed_ = false;
  std::function<void()> wakeup_;
};

}  // namespace kefir::http
