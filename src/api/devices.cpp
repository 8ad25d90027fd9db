// Devices for push notifications, SPEC §6: POST/GET /me/devices, DELETE /me/devices/{deviceId}, and the
// VAPID public key browsers subscribe with (GET /push/vapid-public-key).
#include "api/routes.hpp"
#include "services/device_service.hpp"

namespace kefir::api {

void register_device_routes(http::Router& router, AppContext& ctx) {
  router.add("POST", "/me/devices",
             [&ctx](http::Request& request) {
               auto fields = domain::read_device_fields(http::parse_json_object(request), !ctx.config.prod());
               auto registration = services::register_device(ctx, request.user_id, fields);
               return http::Response::json(registration.created ? 201 : 200,
                                           {{"device", domain::to_json(registration.device)}});
             },
             {.store_only = true});

  router.add("GET", "/me/devices", [&ctx](http::Request& request) {
    auto page = services::page_request(request.query("limit"), request.query("cursor"));
    auto result = services::list_devices_page(ctx, request.user_id, page);
    json::array devices;
    for (const auto& device : result.devices) devices.push_back(domain::to_json(device));
    auto count = devices.size();
    return http::Response::json(
        200, {{"devices", std::move(devices)},
              {"count", count},
              {"nextCursor", result.next_cursor ? json::value(*result.next_cursor) : nullptr}});
  });

  router.add("GET", "/push/vapid-public-key",
             [&ctx](http::Request&) {
               return http::Response::json(200, {{"publicKey", ctx.vapid->public_key}});
             },
             {.authenticated = false});

  router.add("DELETE", "/me/devices/{deviceId}",
             [&ctx](http::Request& request) {
               services::delete_device(ctx, request.user_id, request.param("deviceId"));
               return http::Response::no_content();
             },
             {.store_only = true});
}

}  // namespace kefir::api
