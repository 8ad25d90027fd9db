#include "http/handler_fiber.hpp"

#include <exception>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/context/fiber.hpp>
#include <boost/context/protected_fixedsize_stack.hpp>

#include "util/suspension.hpp"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/common_interface_defs.h>
#endif

namespace kefir::http {

namespace asio = boost::asio;
namespace context = boost::context;

namespace {

// Room for SQLite's parser and boost::json at a handler's depth many times over; the guard page below it
// turns an overflow into a crash instead of corruption.
constexpr std::size_t kStackSize = 256 * 1024;
// A thread keeps this many stacks for its next fibers: a fresh mapping's pages fault in on first touch again.
constexpr std::size_t kKeptStacks = 128;

class StackCache {
 public:
  StackCache() { kept_.reserve(kKeptStacks); }
  ~StackCache() {
    for (auto& stack : kept_) fresh_.deallocate(stack);
  }
  StackCache(const StackCache&) = delete;
  StackCache& operator=(const StackCache&) = delete;

  context::stack_context allocate() {
    if (kept_.empty()) return fresh_.allocate();
    auto stack = kept_.back();
    kept_.pop_back();
    return stack;
  }
  void deallocate(context::stack_context& stack) noexcept {
    if (kept_.size() < kKeptStacks) {
      kept_.push_back(stack);  // reserved: cannot throw
    } else {
      fresh_.deallocate(stack);
    }
  }

 private:
  context::protected_fixedsize_stack fresh_{kStackSize};
  std::vector<context::stack_context> kept_;
};

thread_local StackCache stack_cache;

// Boost.Context's StackAllocator, taking stacks from the thread's cache and noting which one it gave.
struct CachedStack {
  context::stack_context* given;
  context::stack_context allocate() { return *given = stack_cache.allocate(); }
  void deallocate(context::stack_context& stack) noexcept { stack_cache.deallocate(stack); }
};

// AddressSanitizer knows one stack per thread; unless told of each switch it reports false errors on a
// fiber's stack (an exception thrown there, its fake frames).
class SanitizerSwitches {
 public:
#if defined(__SANITIZE_ADDRESS__)
  void entering_fiber(const context::stack_context& stack) {
    __sanitizer_start_switch_fiber(&thread_fake_stack_, static_cast<char*>(stack.sp) - stack.size,
                                   stack.size);
  }
  void back_on_thread() {
    __sanitizer_finish_switch_fiber(thread_fake_stack_, nullptr, nullptr);
  }
  void arrived_on_fiber() {
    __sanitizer_finish_switch_fiber(fiber_fake_stack_, &thread_stack_bottom_, &thread_stack_size_);
  }
  void leaving_fiber(bool for_good) {
    __sanitizer_start_switch_fiber(for_good ? nullptr : &fiber_fake_stack_, thread_stack_bottom_,
                                   thread_stack_size_);
  }

 private:
  void* thread_fake_stack_ = nullptr;
  void* fiber_fake_stack_ = nullptr;
  const void* thread_stack_bottom_ = nullptr;
  std::size_t thread_stack_size_ = 0;
#else
  void entering_fiber(const context::stack_context&) {}
  void back_on_thread() {}
  void arrived_on_fiber() {}
  void leaving_fiber(bool) {}
#endif
};

class HandlerFiber final : public suspension::Suspender {
 public:
  explicit HandlerFiber(std::function<Response()> handler)
      : handler_(std::move(handler)),
        fiber_(std::allocator_arg, CachedStack{&stack_},
               [this](context::fiber&& thread) { return body(std::move(thread)); }) {}

  // A fiber that has not finished is left as it is, stack and all: unwinding it would run the handler's
  // destructors against a request the server has already dropped, and its catch-all blocks would swallow the
  // unwinding. It only happens when the server stops with a request still in flight after its grace period.
  ~HandlerFiber() {
    if (finished_) fiber_.~fiber();
  }
  HandlerFiber(const HandlerFiber&) = delete;
  HandlerFiber& operator=(const HandlerFiber&) = delete;

  // Runs the handler until it returns or waits.
  void resume() {
    suspension::CurrentScope scope(this);
    sanitizer_.entering_fiber(stack_);
    fiber_ = std::move(fiber_).resume();
    sanitizer_.back_on_thread();
  }

  bool finished() const { return finished_; }
  // Why the handler is suspended: a pause, or a wait that begins with wait_start().
  std::optional<std::chrono::steady_clock::duration> pause() const { return pause_; }
  const suspension::Start& wait_start() const { return *wait_start_; }

  Response result() {
    if (failure_) std::rethrow_exception(failure_);
    return std::move(response_);
  }

  void suspend(const suspension::Start& start) override {
    wait_start_ = &start;
    pause_.reset();
    switch_to_thread();
  }

  void sleep_for(std::chrono::steady_clock::duration pause) override {
    wait_start_ = nullptr;
    pause_ = pause;
    switch_to_thread();
  }

 private:
  void switch_to_thread() {
    sanitizer_.leaving_fiber(false);
    thread_ = std::move(thread_).resume();
    sanitizer_.arrived_on_fiber();
  }

  context::fiber body(context::fiber&& thread) {
    thread_ = std::move(thread);
    sanitizer_.arrived_on_fiber();
    try {
      response_ = handler_();
    } catch (...) {
      failure_ = std::current_exception();
    }
    finished_ = true;
    sanitizer_.leaving_fiber(true);
    return std::move(thread_);
  }

  std::function<Response()> handler_;
  context::stack_context stack_;
  SanitizerSwitches sanitizer_;
  union {
    context::fiber fiber_;  // in a union: see the destructor
  };
  context::fiber thread_;  // where the fiber returns to when it suspends or finishes
  const suspension::Start* wait_start_ = nullptr;
  std::optional<std::chrono::steady_clock::duration> pause_;
  Response response_;
  std::exception_ptr failure_;
  bool finished_ = false;
};

}  // namespace

FiberRunner::~FiberRunner() {
  std::unique_lock lock(mutex_);
  all_resumed_.wait(lock, [this] { return waiting_ == 0; });
}

asio::awaitable<Response> FiberRunner::run(std::function<Response()> handler) {
  HandlerFiber fiber(std::move(handler));
  fiber.resume();
  std::optional<asio::steady_timer> timer;
  while (!fiber.finished()) {
    if (auto pause = fiber.pause()) {
      if (!timer) timer.emplace(co_await asio::this_coro::executor);
      timer->expires_after(*pause);
      co_await timer->async_wait(asio::as_tuple(asio::use_awaitable));
      fiber.resume();
      continue;
    }
    // The wait begins here, outside the fiber and once this coroutine is suspended, so that its resume (on
    // another thread, perhaps at once) can only post the coroutine's continuation to its own I/O context.
    co_await asio::async_initiate<decltype(asio::use_awaitable), void()>(
        [this, &fiber](auto continuation) {
          auto executor = asio::get_associated_executor(continuation);
          auto pending = std::make_shared<decltype(continuation)>(std::move(continuation));
          {
            std::lock_guard lock(mutex_);
            ++waiting_;
          }
          fiber.wait_start()([this, executor, pending] {
            asio::post(executor, std::move(*pending));
            resumed();
          });
        },
        asio::use_awaitable);
    fiber.resume();
  }
  co_return fiber.result();
}

void FiberRunner::resumed() {
  // Notified under the lock: the destructor cannot return (and free the condition) while this still uses it.
  std::lock_guard lock(mutex_);
  if (--waiting_ == 0) all_resumed_.notify_all();
}

}  // namespace kefir::http
