#pragma once
// Security headers on every response (SPEC §10): nosniff, a referrer policy, a strict Content-Security-Policy
// unless the handler set its own (the page policy on HTML, a lock-down policy on everything else), HSTS
// behind https, and `Cache-Control: no-store` on authenticated routes and on any response that does not
// choose its own caching.
#include "http/router.hpp"

namespace kefir::http {

struct SecurityHeadersOptions {
  bool https = false;  // the public URL is https: send Strict-Transport-Security
};

Middleware security_headers(SecurityHeadersOptions options);

}  // namespace kefir::http
