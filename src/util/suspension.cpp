#include "util/suspension.hpp"

#include <future>
#include <memory>
#include <thread>

namespace kefir::suspension {
namespace {

thread_local Suspender* current_suspender = nullptr;

}  // namespace

void wait(const Start& start) {
  if (current_suspender != nullptr) {
    current_suspender->suspend(start);
    return;
  }
  // Shared: the resuming thread may still be inside set_value when this one has returned.
  auto done = std::make_shared<std::promise<void>>();
  auto ready = done->get_future();
  start([done] { done->set_value(); });
  ready.wait();
}

void sleep_for(std::chrono::steady_clock::duration pause) {
  if (current_suspender != nullptr) {
    current_suspender->sleep_for(pause);
  } else {
    std::this_thread::sleep_for(pause);
  }
}

CurrentScope::CurrentScope(Suspender* suspender) : previous_(current_suspender) {
  current_suspender = suspender;
}

CurrentScope::~CurrentScope() {
  current_suspender = previous_;
}

}  // namespace kefir::suspension
