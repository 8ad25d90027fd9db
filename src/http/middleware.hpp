#pragma once
// Transport-independent middleware every request passes, outermost first.
#include "http/router.hpp"

namespace kefir::http {

// Echoes a valid incoming X-Request-Id (1-128 of [A-Za-z0-9._:-]) or makes one; writes the request's log
// line.
Middleware request_id_and_log();

bool valid_request_id(std::string_view id);

}  // namespace kefir::http
