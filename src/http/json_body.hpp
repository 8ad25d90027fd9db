#pragma once
// A request's JSON body: size (413) and media type (415) checked here, then parsed and read with
// domain::BodyReader (domain/body_reader.hpp).
#include <cstddef>

#include "domain/body_reader.hpp"
#include "http/message.hpp"

namespace kefir::http {

inline constexpr std::size_t kMaxJsonBody = 64 * 1024;

// The body as a JSON object. An empty body is an empty object when `empty_is_object` (for POSTs without
// fields).
json::object parse_json_object(const Request& request, bool empty_is_object = false);

}  // namespace kefir::http
