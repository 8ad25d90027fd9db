// The change feed, issue 17: GET /sync (changes after a token, or everything) and POST /sync (a client's
// offline changes); the same in WatermelonDB's protocol at /sync/watermelon.
#include "api/routes.hpp"
#include "domain/watermelon.hpp"
#include "services/change_log.hpp"
#include "services/sync_service.hpp"

namespace kefir::api {
namespace {

constexpr std::string_view kLastPulledAt = "last_pulled_at";

json::object page_body(services::ChangePage page) {
  return {{"changes", std::move(page.changes)}, {"next", std::move(page.next)}, {"more", page.more}};
}

// 200 when every record was applied, else 409 listing the conflicts: `body` plus the conflicts.
http::Response push_answer(json::object body, json::array conflicts) {
  if (conflicts.empty()) return http::Response::json(200, body);
  body["error"] = std::to_string(conflicts.size()) +
                  " record(s) changed on the server since the last pull; the others were applied";
  body["code"] = "CONFLICT";
  body["conflicts"] = std::move(conflicts);
  return http::Response::json(409, body);
}

// POST /sync's problems named as the WatermelonDB client sent them.
services::PushResult push_raw_changes(AppContext& ctx, const std::string& user_id, std::uint64_t seq,
                                      const json::object& raw_changes) {
  const auto changes = watermelon::from_raw_changes(raw_changes);
  try {
    return services::push_changes_after_seq(ctx, user_id, seq, changes, kLastPulledAt);
  } catch (const domain::Error& error) {
    if (error.code() != "VALIDATION_ERROR") throw;
    auto details = error.details();
    for (auto& detail : details) detail.field = watermelon::pushed_field_name(detail.field);
    throw domain::invalid(std::move(details));
  }
}

}  // namespace

void register_sync_routes(http::Router& router, AppContext& ctx) {
  router.add("GET", "/sync", [&ctx](http::Request& request) {
    auto since = request.query("since");
    auto limit = services::parse_sync_limit(request.query("limit"));
    if (!since || since->empty())
      return http::Response::json(200, page_body(services::read_full_state(ctx, request.user_id)));
    return http::Response::json(200, page_body(services::read_changes(ctx, request.user_id, *since, limit)));
  });

  router.add("POST", "/sync", [&ctx](http::Request& request) {
    auto result = services::push_changes(ctx, request.user_id, http::parse_json_object(request));
    return push_answer({{"next", std::move(result.next)}, {"applied", result.applied}},
                       std::move(result.conflicts));
  });

  router.add("GET", "/sync/watermelon", [&ctx](http::Request& request) {
    const auto seq = services::parse_last_pulled_at(request.query(kLastPulledAt), kLastPulledAt);
    auto page = seq == 0 ? services::read_full_state(ctx, request.user_id)
                         : services::read_all_changes_after(ctx, request.user_id, seq, kLastPulledAt);
    return http::Response::json(200, json::object{{"changes", watermelon::to_raw_changes(page.changes)},
                                                  {"timestamp", page.last_seq}});
  });

  router.add("POST", "/sync/watermelon", [&ctx](http::Request& request) {
    const auto seq = services::parse_last_pulled_at(request.query(kLastPulledAt), kLastPulledAt);
    auto result = push_raw_changes(ctx, request.user_id, seq, http::parse_json_object(request));
    for (auto& conflict : result.conflicts) {
      auto& fields = conflict.as_object();
      if (auto& server = fields["server"]; server.is_object())
        server = watermelon::to_raw(fields.at("table").as_string(), server.as_object());
    }
    return push_answer({{"timestamp", result.last_seq}, {"applied", result.applied}},
                       std::move(result.conflicts));
  });
}

}  // namespace kefir::api
