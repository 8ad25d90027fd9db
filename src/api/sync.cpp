// The change feed, issue 17: GET /sync (changes after a token, or everything) and POST /sync (a client's
// offline changes).
#include "api/routes.hpp"
#include "services/change_log.hpp"
#include "services/sync_service.hpp"

namespace kefir::api {
namespace {

json::object page_body(services::ChangePage page) {
  return {{"changes", std::move(page.changes)}, {"next", std::move(page.next)}, {"more", page.more}};
}

}  // namespace

void register_sync_routes(http::Router& router, AppContext& ctx) {
  services::register_change_log_hooks(ctx);
  router.add("GET", "/sync", [&ctx](http::Request& request) {
    auto since = request.query("since");
    auto limit = services::parse_sync_limit(request.query("limit"));
    if (!since || since->empty())
      return http::Response::json(200, page_body(services::read_full_state(ctx, request.user_id)));
    return http::Response::json(200, page_body(services::read_changes(ctx, request.user_id, *since, limit)));
  });

  router.add("POST", "/sync", [&ctx](http::Request& request) {
    auto result = services::push_changes(ctx, request.user_id, http::parse_json_object(request));
    json::object body{{"next", std::move(result.next)}, {"applied", result.applied}};
    if (result.conflicts.empty()) return http::Response::json(200, body);
    body["error"] = std::to_string(result.conflicts.size()) +
                    " record(s) changed on the server since lastPulledAt; the others were applied";
    body["code"] = "CONFLICT";
    body["conflicts"] = std::move(result.conflicts);
    return http::Response::json(409, body);
  });
}

}  // namespace kefir::api
