// Public sharing, SPEC §9: GET /public/b/{batchId} (JSON) and GET /b/{batchId} (a small self-contained HTML
// page, the target of a bottle's QR code) without a token, for batches with isPublic; and the printable
// bottle label GET /batches/{id}/label.svg for the owner. A private or unknown batch gives the same 404, so
// ids cannot be probed.
#include <algorithm>
#include <set>

#include "api/routes.hpp"
#include "domain/photo.hpp"
#include "http/origin.hpp"
#include "services/batch_service.hpp"
#include "services/public_batch_service.hpp"
#include "views/bottle_label.hpp"
#include "views/public_page.hpp"

namespace kefir::api {
namespace {

json::value optional_time(const std::optional<TimePoint>& time) {
  return time ? json::value(format_rfc3339(*time)) : json::value(nullptr);
}

json::object public_json(const domain::PublicBatch& shown) {
  const auto& batch = shown.batch;
  json::array photos;
  for (const auto& photo : shown.photos) photos.push_back(json::object{{"url", photo.url()}});
  json::array timeline;
  for (const auto& event : shown.timeline)
    timeline.push_back(json::object{{"type", event.type},
                                    {"timestamp", format_rfc3339(event.timestamp)},
                                    {"description", event.description}});
  return {{"batchId", batch.batch_id},
          {"name", batch.name},
          {"kind", batch.kind},
          {"stage", batch.stage},
          {"status", batch.status},
          {"startDate", format_rfc3339(batch.start_date)},
          {"stage2StartDate", optional_time(batch.stage2_start_date)},
          {"publicNote", batch.public_note ? json::value(*batch.public_note) : json::value(nullptr)},
          {"createdAt", format_rfc3339(batch.created_at)},
          {"photos", std::move(photos)},
          {"timeline", std::move(timeline)}};
}

http::Response html_response(int status, std::string body, const std::set<std::string>& image_origins) {
  auto response = http::Response::text(status, "text/html; charset=utf-8", std::move(body));
  std::string images;
  for (const auto& origin : image_origins) images += origin + " ";
  response.set_header("content-security-policy",
                      "default-src 'none'; img-src " + images +
                          "data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; "
                          "frame-ancestors 'none'");
  response.set_header("cache-control", "no-store");
  response.set_header("x-robots-tag", "noindex");
  return response;
}

// A shared batch's photo: streamed from the filesystem store; with S3, a redirect to a short-lived presigned
// GET (a Lambda response could not carry a 10 MiB photo).
http::Response public_photo(AppContext& ctx, const http::Request& request) {
  auto key = services::find_public_rendition(ctx, request.param("batchId"), request.param("file"));
  if (!key) throw domain::not_found("photo not found");
  if (ctx.self_served_blobs)
    return stored_object_response(*ctx.self_served_blobs, *key, "public, max-age=300");
  if (!ctx.blobs->head(*key)) throw domain::not_found("photo not found");
  http::Response response;
  response.status = 302;
  response.set_header("location", ctx.blobs->presign_download(*key, photo::kUrlLifetime).url);
  response.set_header("cache-control", "no-store");
  return response;
}

}  // namespace

void register_public_routes(http::Router& router, AppContext& ctx) {
  http::RouteOptions no_token{.authenticated = false};

  router.add(
      "GET", "/public/b/{batchId}",
      [&ctx](http::Request& request) {
        auto shown = services::find_public_batch(ctx, request.param("batchId"));
        if (!shown) throw domain::not_found("batch not found");
        auto response = http::Response::json(200, {{"batch", public_json(*shown)}});
        response.set_header("cache-control", "no-store");
        return response;
      },
      no_token);

  router.add(
      "GET", "/public/b/{batchId}/photos/{file}",
      [&ctx](http::Request& request) { return public_photo(ctx, request); }, no_token);

  router.add(
      "GET", "/b/{batchId}",
      [&ctx](http::Request& request) {
        auto shown = services::find_public_batch(ctx, request.param("batchId"));
        if (!shown) return html_response(404, views::not_shared_page(), {});
        std::set<std::string> origins;
        for (const auto& photo : shown->photos) origins.insert(http::origin_of(photo.url()));
        if (shown->chart_url) origins.insert(http::origin_of(*shown->chart_url));
        return html_response(200, views::public_batch_page(*shown), origins);
      },
      no_token);

  router.add("GET", "/batches/{id}/label.svg", [&ctx](http::Request& request) {
    auto batch = services::get_batch(ctx, request.user_id, request.param("id"));
    auto response =
        http::Response::text(200, "image/svg+xml; charset=utf-8",
                             views::bottle_label_svg(batch, services::public_page_url(ctx, batch.batch_id)));
    response.set_header("content-disposition", "inline; filename=\"kefir-label-" + batch.batch_id + ".svg\"");
    return response;
  });
}

}  // namespace kefir::api
