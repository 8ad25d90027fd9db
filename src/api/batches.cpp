// Batches, SPEC §3: POST/GET /batches, GET/PUT/PATCH/DELETE /batches/{id}.
#include "api/routes.hpp"
#include "services/batch_service.hpp"

namespace kefir::api {
namespace {

std::optional<std::string_view> if_match(const http::Request& request) {
  auto value = request.header("if-match");
  if (value.empty()) return std::nullopt;
  return value;
}

}  // namespace

void register_batch_routes(http::Router& router, AppContext& ctx) {
  router.add("POST", "/batches",
             [&ctx](http::Request& request) {
               auto fields =
                   domain::read_batch_fields(http::parse_json_object(request), domain::BatchBody::create);
               auto batch = services::create_batch(ctx, request.user_id, fields);
               auto response = batch_response(201, batch);
               response.set_header("location", "/batches/" + batch.batch_id);
               return response;
             },
             {.store_only = true});

  router.add("GET", "/batches", [&ctx](http::Request& request) {
    services::BatchFilter filter{
        cursor::parse_choice(request.query("status"), "status", domain::kBatchStatuses),
        cursor::parse_choice(request.query("stage"), "stage", domain::kBatchStages)};
    auto page = services::page_request(request.query("limit"), request.query("cursor"));
    return cached_list_page(ctx, request, services::batches_query(request.user_id), [&] {
      auto result = services::list_batches(ctx, request.user_id, filter, page);
      return list_page_body("batches", result, domain::append_stored_batch_json);
    });
  });

  router.add("GET", "/batches/{id}", [&ctx](http::Request& request) {
    return batch_response(200, services::get_batch(ctx, request.user_id, request.param("id")));
  });

  auto update = [&ctx](http::Request& request) {
    auto fields = domain::read_batch_fields(http::parse_json_object(request), domain::BatchBody::update);
    return batch_response(
        200, services::update_batch(ctx, request.user_id, request.param("id"), fields, if_match(request)));
  };
  router.add("PUT", "/batches/{id}", update, {.store_only = true});
  router.add("PATCH", "/batches/{id}", update, {.store_only = true});

  router.add("DELETE", "/batches/{id}", [&ctx](http::Request& request) {
    auto permanent = cursor::parse_choice(request.query("permanent"), "permanent", {"true", "false"});
    if (permanent == "true") {
      services::delete_batch_permanently(ctx, request.user_id, request.param("id"), if_match(request));
      return http::Response::no_content();
    }
    return batch_response(
        200, services::archive_batch(ctx, request.user_id, request.param("id"), if_match(request)));
  });
}

}  // namespace kefir::api
