#pragma once
// The web app's files (web/), embedded at build time by ops/webapp/embed.cmake.
#include <span>
#include <string_view>

namespace kefir::api {

struct WebAsset {
  std::string_view path;  // relative to web/, e.g. "screens/batch.js"
  std::string_view content_type;
  std::string_view etag;  // strong, quoted
  std::string_view body;
};

// A short hash over every file: the /app/<version>/ path segment of this build's assets.
std::string_view web_app_version();
std::span<const WebAsset> web_assets();

}  // namespace kefir::api
