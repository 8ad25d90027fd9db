#pragma once
#include <string>
#include <string_view>

namespace kefir::http {

// "https://host:port" of an absolute URL (empty when it has no scheme): what a Content-Security-Policy names.
inline std::string origin_of(std::string_view url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return {};
  return std::string(url.substr(0, url.find('/', scheme_end + 3)));
}

}  // namespace kefir::http
