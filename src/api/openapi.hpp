#pragma once
// The OpenAPI 3.1 document of the service (docs/openapi.yaml), embedded at build time as JSON.
#include <string_view>

namespace kefir::api {

std::string_view openapi_json();

}  // namespace kefir::api
