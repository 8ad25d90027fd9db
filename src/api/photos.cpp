// Photos, SPEC §7: upload URLs, attaching, listing with download URLs, deleting. The bytes never pass through
// these routes: clients PUT and GET them at presigned URLs (src/api/blobs.cpp or S3).
#include "api/routes.hpp"
#include "domain/cursor.hpp"
#include "domain/photo.hpp"
#include "services/batch_service.hpp"
#include "services/photo_service.hpp"

namespace kefir::api {
namespace {

json::object headers_json(const http::Headers& headers) {
  json::object out;
  for (const auto& [name, value] : headers) out[name] = value;
  return out;
}

// ?size=320|1280|original (default original) and ?format=webp|jpeg (default webp) name the rendition listed.
std::optional<photo::Rendition> requested_rendition(const http::Request& request) {
  auto size = cursor::parse_choice(request.query("size"), "size", {"320", "1280", "original"});
  auto format = cursor::parse_choice(request.query("format"), "format", {"webp", "jpeg"});
  if (!size || *size == "original") return std::nullopt;
  return photo::Rendition{std::stoi(*size),
                          format == "jpeg" ? photo::RenditionFormat::jpeg : photo::RenditionFormat::webp};
}

}  // namespace

void register_photo_routes(http::Router& router, AppContext& ctx) {
  router.add("POST", "/batches/{id}/photo/upload-url", [&ctx](http::Request& request) {
    auto body = http::parse_json_object(request);
    domain::BodyReader reader(body);
    auto filename = reader.string("filename", 1, 255);
    auto content_type = reader.one_of("contentType", {"image/jpeg", "image/png", "image/webp", "image/heic"},
                                      {.required = true});
    reader.finish();
    auto upload = services::create_photo_upload(ctx, request.user_id, request.param("id"), filename.value,
                                                *content_type);
    return http::Response::json(200, {{"uploadUrl", upload.request.url},
                                      {"photoKey", upload.photo_key},
                                      {"expiresIn", upload.request.expires_in},
                                      {"method", upload.request.method},
                                      {"headers", headers_json(upload.request.headers)}});
  });

  router.add("POST", "/batches/{id}/photo", [&ctx](http::Request& request) {
    auto body = http::parse_json_object(request);
    domain::BodyReader reader(body);
    auto photo_key = reader.string("photoKey", 1, 1024, {.required = true});
    reader.finish();
    auto batch = services::attach_photo(ctx, request.user_id, request.param("id"), *photo_key);
    return batch_response(200, batch);
  });

  router.add("GET", "/batches/{id}/photos", [&ctx](http::Request& request) {
    auto rendition = requested_rendition(request);
    auto batch = services::get_batch(ctx, request.user_id, request.param("id"));
    json::array photos;
    for (const auto& link : services::photo_links(ctx, batch, rendition))
      photos.push_back(json::object{
          {"photoKey", link.photo_key}, {"url", link.download.url}, {"expiresIn", link.download.expires_in}});
    return http::Response::json(200, {{"photos", std::move(photos)}});
  });

  router.add("DELETE", "/batches/{id}/photos/{file}", [&ctx](http::Request& request) {
    services::delete_photo(ctx, request.user_id, request.param("id"), request.param("file"));
    return http::Response::no_content();
  });
}

}  // namespace kefir::api
