#include "api/routes.hpp"

namespace kefir::api {

void register_routes(http::Router& router, AppContext& ctx) {
  register_health_routes(router, ctx);
  register_auth_routes(router, ctx);
  register_me_routes(router, ctx);
  register_batch_routes(router, ctx);
  register_event_routes(router, ctx);
  register_device_routes(router, ctx);
  register_reminder_routes(router, ctx);
  register_blob_routes(router, ctx);
  register_photo_routes(router, ctx);
  register_export_routes(router, ctx);
  register_public_routes(router, ctx);
  register_metrics_routes(router, ctx);
  register_openapi_routes(router, ctx);
}

}  // namespace kefir::api
