// PUT and GET /blobs/{key+}: the presigned URLs of the filesystem blob store (SPEC §7). No token: the URL's
// signature is the permission. Only served with BLOBS=file; with S3 clients talk to the bucket itself.
#include <filesystem>

#include "api/routes.hpp"
#include "domain/photo.hpp"

namespace kefir::api {
namespace {

constexpr std::size_t kDownloadChunk = 64 * 1024;

std::string checked_key(const blob::SelfServedBlobStore& store, const http::Request& request) {
  std::string key(request.param("key"));
  if (!store.valid_key(key)) throw domain::invalid("key", "is not a valid blob key");
  return key;
}

void check_signature(const blob::SelfServedBlobStore& store, const http::Request& request,
                     std::string_view method, const std::string& key, const std::string& content_type) {
  auto status = store.check_url(method, key, request.query(blob::kExpiresParam).value_or(""), content_type,
                                request.query(blob::kSignatureParam).value_or(""));
  if (status == blob::UrlStatus::expired) throw domain::forbidden("the URL has expired");
  if (status != blob::UrlStatus::valid) throw domain::forbidden("the URL signature does not match");
}

http::Response upload(blob::SelfServedBlobStore& store, http::Request& request) {
  auto key = checked_key(store, request);
  auto signed_type = request.query(blob::kContentTypeParam).value_or("");
  check_signature(store, request, "PUT", key, signed_type);
  if (request.header("content-type") != signed_type)
    throw http::unsupported_media_type("Content-Type must be " + signed_type + ", as signed in the URL");
  std::error_code ec;
  if (request.body_file.empty() || std::filesystem::file_size(request.body_file, ec) == 0 || ec)
    throw domain::invalid("body", "must not be empty");
  store.accept_upload(key, signed_type, request.body_file);
  http::Response response;
  response.status = 200;
  return response;
}

http::Response download(blob::SelfServedBlobStore& store, http::Request& request) {
  auto key = checked_key(store, request);
  check_signature(store, request, "GET", key, "");
  return stored_object_response(store, key, "private, max-age=300");
}

}  // namespace

http::Response stored_object_response(blob::SelfServedBlobStore& store, const std::string& key,
                                      std::string cache_control) {
  auto info = store.head(key);
  std::shared_ptr<std::istream> file = info ? store.open(key) : nullptr;
  if (!file) throw domain::not_found("no such object");
  http::Response response;
  response.set_header("content-type", info->content_type);
  response.set_header("cache-control", std::move(cache_control));
  response.stream = [file]() -> std::optional<std::string> {
    std::string chunk(kDownloadChunk, '\0');
    file->read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    if (file->bad()) throw std::runtime_error("blob read failed");
    if (file->gcount() <= 0) return std::nullopt;
    chunk.resize(static_cast<std::size_t>(file->gcount()));
    return chunk;
  };
  return response;
}

void register_blob_routes(http::Router& router, AppContext& ctx) {
  auto* store = ctx.self_served_blobs;
  if (!store) return;
  router.add(
      "PUT", "/blobs/{key+}", [store](http::Request& request) { return upload(*store, request); },
      {.authenticated = false, .max_body = static_cast<std::size_t>(photo::kMaxBytes), .body_to_file = true});
  router.add("GET", "/blobs/{key+}", [store](http::Request& request) { return download(*store, request); },
             {.authenticated = false});
}

}  // namespace kefir::api
