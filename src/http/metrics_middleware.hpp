#pragma once
// Counts every request and its duration by route template (never the raw path), method and status.
#include "http/router.hpp"
#include "ops/metrics.hpp"

namespace kefir::http {

Middleware request_metrics(ops::ServiceMetrics& metrics);

}  // namespace kefir::http
