// Timeline events, SPEC §4: POST/GET /batches/{id}/events, DELETE /batches/{id}/events/{eventId}.
#include "api/routes.hpp"
#include "services/event_service.hpp"

namespace kefir::api {

void register_event_routes(http::Router& router, AppContext& ctx) {
  router.add("POST", "/batches/{id}/events",
             [&ctx](http::Request& request) {
               auto fields = domain::read_event_fields(http::parse_json_object(request));
               auto event = services::add_event(ctx, request.user_id, request.param("id"), std::move(fields));
               return event_response(201, event);
             },
             {.store_only = true});

  router.add("GET", "/batches/{id}/events", [&ctx](http::Request& request) {
    auto order = cursor::parse_choice(request.query("order"), "order", {"asc", "desc"}).value_or("asc");
    auto page = services::page_request(request.query("limit"), request.query("cursor"));
    auto result = services::list_events(ctx, request.user_id, request.param("id"), order == "asc", page);
    return http::Response::text(200, "application/json",
                                list_page_body("events", result, domain::append_stored_event_json));
  });

  router.add("DELETE", "/batches/{id}/events/{eventId}",
             [&ctx](http::Request& request) {
               services::delete_event(ctx, request.user_id, request.param("id"), request.param("eventId"));
               return http::Response::no_content();
             },
             {.store_only = true});
}

}  // namespace kefir::api
