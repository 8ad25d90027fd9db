#pragma once
// CORS by stage (SPEC §10): dev allows any origin; prod only the configured ones, where an entry
// `https://*.example.com` admits every subdomain (not the bare domain). Preflight requests (OPTIONS) are
// answered here, for any path and without authentication, so the layers inside never see them.
#include <string>
#include <string_view>
#include <vector>

#include "http/router.hpp"

namespace kefir::http {

class CorsPolicy {
 public:
  static CorsPolicy allow_any() { return CorsPolicy(true, {}); }
  static CorsPolicy allow_only(std::vector<std::string> origins) {
    return CorsPolicy(false, std::move(origins));
  }

  bool allows_any() const { return any_; }
  bool allows(std::string_view origin) const;

 private:
  CorsPolicy(bool any, std::vector<std::string> origins);

  bool any_;
  std::vector<std::string> origins_;  // lower-case
};

Middleware cors(CorsPolicy policy);

}  // namespace kefir::http
