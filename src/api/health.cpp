// GET /healthz (the process is alive) and GET /readyz (storage can take writes), SPEC §10. No auth.
#include "api/routes.hpp"
#include "util/log.hpp"

namespace kefir::api {

void register_health_routes(http::Router& router, AppContext& ctx) {
  http::RouteOptions public_route{.authenticated = false};
  router.add(
      "GET", "/healthz",
      [](http::Request&) {
        return http::Response::json(200, {{"status", "ok"}});
      },
      public_route);
  router.add(
      "GET", "/readyz",
      [&ctx](http::Request&) {
        bool ready = false;
        try {
          ready = ctx.store->ready();
        } catch (const std::exception& error) {
          log::warn("readiness check failed", {{"error", error.what()}});
        }
        if (!ready) return http::Response::json(503, {{"status", "unavailable"}});
        return http::Response::json(200, {{"status", "ok"}});
      },
      public_route);
}

}  // namespace kefir::api
