// GET /me/stream: the signed-in user's changes as Server-Sent Events, live (docs/sync.md).
#include "api/routes.hpp"
#include "auth/middleware.hpp"
#include "http/errors.hpp"
#include "jobs/stream_hub.hpp"

namespace kefir::api {

void register_stream_routes(http::Router& router, AppContext& ctx) {
  router.add("GET", "/me/stream", [&ctx](http::Request& request) {
    if (!ctx.live_streams)
      // API Gateway buffers a Lambda's whole response, so a stream would never arrive.
      throw http::ApiError(501, "NOT_IMPLEMENTED",
                           "live streams are not offered by this deployment; poll GET /sync for changes");
    // The stream outlives the request, so it keeps the token to end when the token expires or is revoked.
    auto token = auth::bearer_token(request.header("authorization"));
    auto verified = ctx.tokens->verify_access_token(token);  // a cache hit: the middleware just checked it
    if (!verified) throw domain::unauthorized("invalid or expired access token");
    std::optional<std::string> last_event_id;
    if (auto id = request.header("last-event-id"); !id.empty()) last_event_id = std::string(id);
    http::Response response;
    response.live =
        ctx.live_streams->open(request.user_id, std::string(token), verified->expires_at, last_event_id);
    response.set_header("content-type", "text/event-stream");
    response.set_header("cache-control", "no-store");
    response.set_header("x-accel-buffering", "no");  // nginx and the like: pass each event on at once
    return response;
  });
}

}  // namespace kefir::api
