#include "http/security_headers.hpp"

namespace kefir::http {
namespace {

// Self-contained pages (SPEC §9): inline styles only, images from this origin, presigned storage URLs or
// data:, no scripts, forms, frames or plug-ins.
constexpr const char* kHtmlPolicy =
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' https: data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'";
// JSON, CSV, SVG labels: nothing may run or load if a browser ever renders one.
constexpr const char* kResourcePolicy = "default-src 'none'; frame-ancestors 'none'; sandbox";

bool is_html(std::string_view content_type) {
  return content_type.substr(0, 9) == "text/html";
}

}  // namespace

Middleware security_headers(SecurityHeadersOptions options) {
  return [options](Request& request, const Route& route, const Handler& next) {
    Response response = next(request);
    response.headers.reserve(response.headers.size() + 8);  // these, request id, CORS: one allocation
    response.set_header("x-content-type-options", "nosniff");
    response.set_header("referrer-policy", "no-referrer");
    // A handler that knows its page better (the image origins it shows) sets its own, stricter policy.
    if (response.header("content-security-policy").empty())
      response.set_header("content-security-policy",
                          is_html(response.header("content-type")) ? kHtmlPolicy : kResourcePolicy);
    response.set_header("x-frame-options", "DENY");
    if (options.https)
      response.set_header("strict-transport-security", "max-age=31536000; includeSubDomains");
    if (route.options.authenticated || response.header("cache-control").empty())
      response.set_header("cache-control", "no-store");
    return response;
  };
}

}  // namespace kefir::http
