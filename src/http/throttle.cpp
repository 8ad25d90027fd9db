#include "http/throttle.hpp"

#include <cmath>
#include <memory>

#include "http/errors.hpp"
#include "ops/metrics.hpp"
#include "util/token_bucket.hpp"

namespace kefir::http {
namespace {

bool exempt(const Request& request) {
  return request.route == "/healthz" || request.route == "/readyz" || request.route == "/metrics";
}

}  // namespace

Middleware throttle(double rate, double burst, ops::ServiceMetrics& metrics) {
  auto bucket = std::make_shared<TokenBucket>(rate, burst);
  return [bucket, &metrics](Request& request, const Route&, const Handler& next) {
    std::chrono::duration<double> wait{};
    if (!exempt(request) && !bucket->try_take(&wait)) {
      metrics.request_throttled();
      throw domain::throttled(static_cast<int>(std::ceil(wait.count())));
    }
    return next(request);
  };
}

}  // namespace kefir::http
