#pragma once
// Waiting without holding a thread. Code running on a fiber (http/handler_fiber.hpp) can give its thread back
// while another thread finishes something for it: a SQLite write waiting for its group's commit lets the I/O
// thread serve its other connections meanwhile, and carries on, on that thread, once the commit is done. On a
// plain thread the same wait simply blocks, so the code that waits does not know which one it runs on.
#include <chrono>
#include <functional>

namespace kefir::suspension {

// Ends a wait. Called exactly once, from any thread.
using Resume = std::function<void()>;
// Begins a wait: hands `resume` to whoever will end it. It runs on the waiting thread and must not throw.
using Start = std::function<void(Resume resume)>;

class Suspender {
 public:
  // Gives the thread back, runs `start` outside the fiber, and returns on the fiber's thread once the wait's
  // resume has been called.
  virtual void suspend(const Start& start) = 0;
  // Gives the thread back for `pause`.
  virtual void sleep_for(std::chrono::steady_clock::duration pause) = 0;

 protected:
  ~Suspender() = default;
};

// Runs `start` and returns once the resume it was given has been called: the calling fiber is suspended
// meanwhile, a plain thread blocks.
void wait(const Start& start);

// Pauses the caller (a retry's back-off, a poll): a fiber gives its thread back meanwhile, so that the
// request it waits for may finish on that very thread; a plain thread sleeps.
void sleep_for(std::chrono::steady_clock::duration pause);

// Makes `suspender` the one `wait` uses on this thread while the scope lives (a fiber while it runs).
class CurrentScope {
 public:
  explicit CurrentScope(Suspender* suspender);
  ~CurrentScope();
  CurrentScope(const CurrentScope&) = delete;
  CurrentScope& operator=(const CurrentScope&) = delete;

 private:
  Suspender* previous_;
};

}  // namespace kefir::suspension
