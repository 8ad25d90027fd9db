// POST /auth/login, /auth/verify, /auth/refresh, /auth/logout and the OIDC documents (SPEC §2). No token
// needed.
#include <memory>

#include "api/routes.hpp"
#include "auth/rate_limiter.hpp"
#include "domain/email.hpp"
#include "domain/otp.hpp"
#include "services/auth_service.hpp"

namespace kefir::api {
namespace {

constexpr std::size_t kRequestsPerIpPerMinute = 30;

void limit_client(auth::SlidingWindowLimiter& limiter, const http::Request& request) {
  std::chrono::seconds retry_after{};
  if (!limiter.allow(request.client_ip, retry_after))
    throw domain::throttled(static_cast<int>(retry_after.count()), "too many requests from this address");
}

std::string read_email(domain::BodyReader& reader) {
  auto email = reader.string("email", 1, domain::kMaxEmailLength + 16, {.required = true});
  std::optional<std::string> normalized;
  if (email.has_value()) {
    normalized = domain::normalize_email(*email);
    if (!normalized) reader.problem("email", "must be a valid email address");
  }
  reader.finish();
  return *normalized;
}

http::Response token_response(const services::SignedInTokens& tokens, bool with_user) {
  json::object body{{"accessToken", tokens.access_token},
                    {"idToken", tokens.id_token},
                    {"refreshToken", tokens.refresh_token},
                    {"tokenType", "Bearer"},
                    {"expiresIn", auth::kTokenLifetime.count()}};
  if (with_user) body["user"] = services::user_json(tokens.user);
  auto response = http::Response::json(200, body);
  response.set_header("cache-control", "no-store");  // RFC 6749 §5.1: token responses are never cached
  return response;
}

std::string read_refresh_token(const http::Request& request) {
  auto body = http::parse_json_object(request);
  domain::BodyReader reader(body);
  // Generous: a wrong kind of token (an access token pasted by mistake) is an unknown token, 401, not a
  // malformed request.
  auto token = reader.string("refreshToken", 1, 4096, {.required = true});
  reader.finish();
  return *token;
}

}  // namespace

void register_auth_routes(http::Router& router, AppContext& ctx) {
  auto service = std::make_shared<services::AuthService>(ctx);
  auto login_limiter =
      std::make_shared<auth::SlidingWindowLimiter>(kRequestsPerIpPerMinute, std::chrono::minutes(1));
  auto verify_limiter =
      std::make_shared<auth::SlidingWindowLimiter>(kRequestsPerIpPerMinute, std::chrono::minutes(1));
  http::RouteOptions public_route{.authenticated = false};

  router.add(
      "POST", "/auth/login",
      [service, login_limiter](http::Request& request) {
        limit_client(*login_limiter, request);
        auto body = http::parse_json_object(request);
        domain::BodyReader reader(body);
        service->login(read_email(reader));
        json::object answer{{"message", "If this address can receive email, a sign-in code is on its way."},
                            {"expiresIn", std::chrono::seconds(domain::kCodeLifetime).count()}};
        return http::Response::json(202, answer);
      },
      public_route);

  router.add(
      "POST", "/auth/verify",
      [service, verify_limiter](http::Request& request) {
        limit_client(*verify_limiter, request);
        auto body = http::parse_json_object(request);
        domain::BodyReader reader(body);
        auto code = reader.string("code", 1, 64, {.required = true});
        if (code.has_value() && !domain::well_formed_code(*code)) reader.problem("code", "must be 6 digits");
        auto email = read_email(reader);
        return token_response(service->verify(email, *code), true);
      },
      public_route);

  router.add(
      "POST", "/auth/refresh",
      [service](http::Request& request) {
        return token_response(service->refresh(read_refresh_token(request)), false);
      },
      public_route);

  router.add(
      "POST", "/auth/logout",
      [service](http::Request& request) {
        service->logout(read_refresh_token(request));
        return http::Response::no_content();
      },
      public_route);

  router.add(
      "GET", "/.well-known/jwks.json",
      [&ctx](http::Request&) {
        auto response = http::Response::json(200, ctx.tokens->jwks());
        response.set_header("cache-control", "public, max-age=300");
        return response;
      },
      public_route);

  router.add(
      "GET", "/.well-known/openid-configuration",
      [&ctx](http::Request&) {
        const auto& issuer = ctx.tokens->issuer();
        json::object document{
            {"issuer", issuer},
            {"jwks_uri", issuer + "/.well-known/jwks.json"},
            {"id_token_signing_alg_values_supported", json::array{"RS256"}},
            {"subject_types_supported", json::array{"public"}},
            {"response_types_supported", json::array{"id_token"}},
            {"claims_supported", json::array{"iss", "sub", "aud", "exp", "iat", "jti", "token_use",
                                             "client_id", "email", "email_verified"}}};
        auto response = http::Response::json(200, document);
        response.set_header("cache-control", "public, max-age=300");
        return response;
      },
      public_route);
}

}  // namespace kefir::api
