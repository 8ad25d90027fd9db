#include "http/cors.hpp"

#include <algorithm>
#include <cctype>

namespace kefir::http {
namespace {

constexpr std::string_view kAllowedMethods = "GET, POST, PUT, PATCH, DELETE, OPTIONS";
constexpr std::string_view kAllowedHeaders = "Content-Type, Authorization, Idempotency-Key, If-Match";
// What a browser client may read besides the CORS-safelisted headers.
constexpr std::string_view kExposedHeaders = "ETag, Location, Retry-After, X-Request-Id, Content-Disposition";
constexpr std::string_view kMaxAgeSeconds = "300";

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// "https://*.example.com" admits "https://a.example.com" and "https://a.b.example.com", never
// "https://example.com" or "https://evil-example.com".
bool matches_pattern(std::string_view pattern, std::string_view origin) {
  auto star = pattern.find("://*.");
  if (star == std::string_view::npos) return pattern == origin;
  auto scheme = pattern.substr(0, star + 3);
  auto suffix = pattern.substr(star + 4);  // ".example.com"
  if (origin.substr(0, scheme.size()) != scheme) return false;
  auto host = origin.substr(scheme.size());
  if (host.size() <= suffix.size() || host.substr(host.size() - suffix.size()) != suffix) return false;
  auto subdomain = host.substr(0, host.size() - suffix.size());
  return std::all_of(subdomain.begin(), subdomain.end(),
                     [](unsigned char c) { return std::isalnum(c) || c == '-' || c == '.'; }) &&
         subdomain.front() != '.' && subdomain.back() != '.';
}

}  // namespace

CorsPolicy::CorsPolicy(bool any, std::vector<std::string> origins) : any_(any) {
  for (auto& origin : origins) {
    while (!origin.empty() && origin.back() == '/') origin.pop_back();
    origins_.push_back(lower(origin));
  }
}

bool CorsPolicy::allows(std::string_view origin) const {
  if (any_) return true;
  auto normalized = lower(origin);
  return std::any_of(origins_.begin(), origins_.end(),
                     [&](const std::string& pattern) { return matches_pattern(pattern, normalized); });
}

Middleware cors(CorsPolicy policy) {
  return [policy = std::move(policy)](Request& request, const Route&, const Handler& next) {
    auto origin = request.header("origin");
    bool allowed = !origin.empty() && policy.allows(origin);
    Response response;
    if (request.method == "OPTIONS") {
      response = Response::no_content();
      if (allowed) {
        response.set_header("access-control-allow-methods", std::string(kAllowedMethods));
        response.set_header("access-control-allow-headers", std::string(kAllowedHeaders));
        response.set_header("access-control-max-age", std::string(kMaxAgeSeconds));
      }
    } else {
      response = next(request);
      if (allowed) response.set_header("access-control-expose-headers", std::string(kExposedHeaders));
    }
    if (allowed)
      response.set_header("access-control-allow-origin", policy.allows_any() ? "*" : std::string(origin));
    // The answer depends on Origin whenever origins are filtered, so shared caches must key on it.
    if (!policy.allows_any()) response.set_header("vary", "Origin");
    return response;
  };
}

}  // namespace kefir::http
