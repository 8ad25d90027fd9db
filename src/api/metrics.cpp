// GET /metrics: the Prometheus exposition of this process (SPEC §10). Unauthenticated, as scrapers expect;
// keep it off the public internet with the load balancer or firewall rules (docs/openapi.yaml says so).
#include "ops/metrics.hpp"
#include "api/routes.hpp"

namespace kefir::api {

void register_metrics_routes(http::Router& router, AppContext& ctx) {
  router.add(
      "GET", "/metrics",
      [&ctx](http::Request&) {
        return http::Response::text(200, std::string(ops::kExpositionContentType), ctx.metrics->expose());
      },
      http::RouteOptions{.authenticated = false});
}

}  // namespace kefir::api
