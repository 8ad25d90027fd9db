#pragma once
// Authentication for every route with RouteOptions::authenticated (SPEC §2): `Authorization: Bearer <access
// token>` verified by the TokenService, the user id put on the request; anything else is 401 UNAUTHORIZED.
#include "auth/token_service.hpp"
#include "http/router.hpp"

namespace kefir::auth {

http::Middleware authenticate(const TokenService& tokens);

// The token of an "Authorization: Bearer <token>" header value (scheme case-insensitive), or "" when
// malformed.
std::string_view bearer_token(std::string_view authorization);

}  // namespace kefir::auth
