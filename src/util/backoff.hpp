#pragma once
// Capped exponential backoff with full jitter: the delay before retry n (0-based) is uniform in
// [0, min(max_delay, base_delay * 2^n)], which spreads out clients that failed together (throttled by a
// service, or losing the same optimistic write).
#include <chrono>

namespace kefir {

struct RetryPolicy {
  int max_attempts = 8;
  std::chrono::milliseconds base_delay{25};
  std::chrono::milliseconds max_delay{2000};

  std::chrono::milliseconds delay(int retry) const;
};

}  // namespace kefir
