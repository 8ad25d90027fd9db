#include "util/backoff.hpp"

#include <algorithm>
#include <cstdint>
#include <random>

namespace kefir {

std::chrono::milliseconds RetryPolicy::delay(int retry) const {
  thread_local std::mt19937_64 random{std::random_device{}()};
  auto ceiling = base_delay.count() << std::min(retry, 20);
  ceiling = std::min<std::int64_t>(ceiling, max_delay.count());
  return std::chrono::milliseconds(std::uniform_int_distribution<std::int64_t>(0, ceiling)(random));
}

}  // namespace kefir
