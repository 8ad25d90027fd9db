#include "http/metrics_middleware.hpp"

#include <chrono>

namespace kefir::http {

Middleware request_metrics(ops::ServiceMetrics& metrics) {
  return [&metrics](Request& request, const Route&, const Handler& next) {
    auto started = std::chrono::steady_clock::now();
    Response response = next(request);
    auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    metrics.request(request.method, request.route.empty() ? std::string_view("unmatched") : request.route,
                    response.status, seconds);
    return response;
  };
}

}  // namespace kefir::http
