// GET /openapi.json: the service's OpenAPI document (docs/openapi.yaml, embedded as JSON). No token.
#include "api/openapi.hpp"

#include "api/routes.hpp"

namespace kefir::api {

void register_openapi_routes(http::Router& router, AppContext&) {
  router.add(
      "GET", "/openapi.json",
      [](http::Request&) {
        auto response = http::Response::text(200, "application/json", std::string(openapi_json()));
        response.set_header("cache-control", "public, max-age=300");
        return response;
      },
      http::RouteOptions{.authenticated = false});
}

}  // namespace kefir::api
