// Export, SPEC §8: GET /export.csv streamed (chunked, memory flat), and the mobile client's
// POST /export/batches/csv returning a presigned link to a generated file.
#include "api/routes.hpp"
#include "services/export_service.hpp"

namespace kefir::api {

void register_export_routes(http::Router& router, AppContext& ctx) {
  router.add("GET", "/export.csv", [&ctx](http::Request& request) {
    auto only = services::parse_export_type(request.query("type"));
    // Behind API Gateway + Lambda a response is buffered (6 MB at most): hand out the generated file instead.
    if (ctx.config.lambda_mode) {
      http::Response response;
      response.status = 303;
      response.set_header("location", services::publish_export(ctx, request.user_id, only).url);
      return response;
    }
    auto writer = std::make_shared<services::ExportWriter>(ctx, request.user_id, only);
    http::Response response;
    response.set_header("content-type", "text/csv; charset=utf-8");
    response.set_header("content-disposition",
                        "attachment; filename=\"" + services::export_file_name(ctx.now()) + "\"");
    response.stream = [writer] { return writer->next_chunk(); };
    return response;
  });

  router.add("POST", "/export/batches/csv", [&ctx](http::Request& request) {
    auto body = http::parse_json_object(request, true);
    domain::BodyReader(body).finish();  // no fields: a typo still gets told
    auto link =
        services::publish_export(ctx, request.user_id, services::parse_export_type(request.query("type")));
    return http::Response::json(200, {{"url", link.url}, {"expiresIn", link.expires_in}});
  });
}

}  // namespace kefir::api
