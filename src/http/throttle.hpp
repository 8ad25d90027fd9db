#pragma once
// Request throttling (SPEC §10): one token bucket per process with API Gateway's settings (THROTTLE_RATE
// steady requests per second, THROTTLE_BURST); beyond it 429 THROTTLED with Retry-After. Health checks and
// metric scrapes are exempt, so an overloaded instance still reports itself instead of looking dead.
#include "http/router.hpp"
#include "ops/metrics.hpp"

namespace kefir::http {

// `rate` 0 disables throttling.
Middleware throttle(double rate, double burst, ops::ServiceMetrics& metrics);

}  // namespace kefir::http
