// The web app (web/), served without a token: GET / (its page), GET /sw.js (the service worker, which must
// sit at the root to control the whole origin) and GET /app/{version}/{path+} (every other file). Asset URLs
// carry the build's version, so they are cached for a year and never revalidated; / and /sw.js are
// revalidated on every load (ETag, 304), so a new build is picked up at once.
#include "api/webapp.hpp"

#include <chrono>

#include "api/routes.hpp"
#include "http/errors.hpp"
#include "http/origin.hpp"

namespace kefir::api {
namespace {

constexpr std::string_view kImmutable = "public, max-age=31536000, immutable";
constexpr std::string_view kRevalidate = "no-cache";

const WebAsset* find_asset(std::string_view path) {
  for (const auto& asset : web_assets())
    if (asset.path == path) return &asset;
  return nullptr;
}

// The app talks to this API (PUBLIC_BASE_URL) and shows and uploads photos at the blob store's presigned URLs
// (PUBLIC_BASE_URL/blobs for BLOBS=file, the S3 endpoint for BLOBS=s3); nothing else may load or run.
std::string app_policy(AppContext& ctx) {
  std::string api = http::origin_of(ctx.config.public_base_url);
  std::string blobs = http::origin_of(ctx.blobs->presign_download("csp-probe", std::chrono::seconds(60)).url);
  return "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data: " + blobs +
         "; connect-src 'self' " + api + " " + blobs +
         "; manifest-src 'self'; worker-src 'self'; base-uri 'none'; form-action 'self'; "
         "frame-ancestors 'none'";
}

// RFC 9110 §13.1.2: If-None-Match compares weakly, and lists tags separated by commas.
bool matches_if_none_match(std::string_view header, std::string_view etag) {
  while (!header.empty()) {
    auto comma = header.find(',');
    auto tag = header.substr(0, comma);
    while (!tag.empty() && tag.front() == ' ') tag.remove_prefix(1);
    while (!tag.empty() && tag.back() == ' ') tag.remove_suffix(1);
    if (tag.starts_with("W/")) tag.remove_prefix(2);
    if (tag == "*" || tag == etag) return true;
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return false;
}

http::Response asset_response(const http::Request& request, const WebAsset& asset,
                              std::string_view cache_control, const std::string& policy) {
  http::Response response;
  if (matches_if_none_match(request.header("if-none-match"), asset.etag))
    response.status = 304;
  else
    response = http::Response::text(200, std::string(asset.content_type), std::string(asset.body));
  response.set_header("etag", std::string(asset.etag));
  response.set_header("cache-control", std::string(cache_control));
  // The page and the service worker run under the policy they are served with (a worker's fetches too);
  // other files get the middleware's policy for plain resources.
  if (asset.content_type.starts_with("text/html") || asset.path == "sw.js")
    response.set_header("content-security-policy", policy);
  return response;
}

}  // namespace

void register_webapp_routes(http::Router& router, AppContext& ctx) {
  const http::RouteOptions open{.authenticated = false};
  auto policy = std::make_shared<const std::string>(app_policy(ctx));
  router.add(
      "GET", "/",
      [policy](http::Request& request) {
        return asset_response(request, *find_asset("index.html"), kRevalidate, *policy);
      },
      open);
  router.add(
      "GET", "/sw.js",
      [policy](http::Request& request) {
        return asset_response(request, *find_asset("sw.js"), kRevalidate, *policy);
      },
      open);
  router.add(
      "GET", "/app/{version}/{path+}",
      [policy](http::Request& request) {
        const WebAsset* asset =
            request.param("version") == web_app_version() ? find_asset(request.param("path")) : nullptr;
        if (!asset) throw domain::not_found("no such file in this version of the app");
        return asset_response(request, *asset, kImmutable, *policy);
      },
      open);
}

}  // namespace kefir::api
