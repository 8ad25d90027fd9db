#include "auth/middleware.hpp"

#include <cctype>

#include "http/errors.hpp"

namespace kefir::auth {

std::string_view bearer_token(std::string_view authorization) {
  constexpr std::string_view scheme = "bearer ";
  if (authorization.size() <= scheme.size()) return {};
  for (std::size_t i = 0; i < scheme.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(authorization[i])) != scheme[i]) return {};
  auto token = authorization.substr(scheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  return token;
}

http::Middleware authenticate(const TokenService& tokens) {
  return [&tokens](http::Request& request, const http::Route& route, const http::Handler& next) {
    if (!route.options.authenticated) return next(request);
    auto header = request.header("authorization");
    auto token = bearer_token(header);
    auto verified = token.empty() ? std::nullopt : tokens.verify_access_token(token);
    if (!verified) {
      auto error = http::from_domain(
          domain::unauthorized(header.empty() ? "missing access token" : "invalid or expired access token"));
      // RFC 6750 §3: tells clients that a refresh (not a different credential type) is the way out.
      error.headers.emplace_back("www-authenticate",
                                 header.empty() ? "Bearer" : R"(Bearer error="invalid_token")");
      throw error;
    }
    request.user_id = std::move(verified->user_id);
    return next(request);
  };
}

}  // namespace kefir::auth
