#pragma once
// API Gateway HTTP API events (payload format 2.0) in and out of the transport-independent http::Request and
// http::Response, so the Lambda loop serves every route through the same Router as the Beast server.
// Event shape: rawPath, rawQueryString, headers (lower-case names, repeated headers comma-joined), cookies
// (separate from headers), body (base64 when isBase64Encoded), requestContext.http.method / sourceIp and
// requestContext.requestId. Result shape: statusCode, headers, cookies (the Set-Cookie values), body,
// isBase64Encoded.
#include <cstddef>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

#include "http/router.hpp"
#include "util/json.hpp"

namespace kefir::lambda {

// The event is not an HTTP API payload 2.0 (the invocation fails with this message; no HTTP response exists).
class InvalidEvent : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Lambda refuses results larger than this (its buffered response limit), JSON envelope included.
constexpr std::size_t kMaxResultBytes = 6 * 1024 * 1024;

http::Request request_from_event(const json::value& event);

// `head_only` drops the body as HTTP requires for HEAD. The response body must be buffered (no stream).
json::object result_from_response(const http::Response& response, bool head_only);

// Types whose bodies API Gateway passes as text; anything else (images, octet streams) travels as base64.
bool is_text_content_type(std::string_view content_type);
bool is_valid_utf8(std::string_view text);

struct ServeOptions {
  std::filesystem::path upload_dir;  // where bodies of RouteOptions::body_to_file routes are written
  std::size_t max_result_bytes = kMaxResultBytes;
};

// One HTTP invocation end to end, with the Beast server's rules: the route's body limit (413), bodies written
// to a file for body_to_file routes, streamed responses buffered (500 when they outgrow Lambda's limit).
json::object serve_event(const http::Router& router, const json::value& event, const ServeOptions& options);

}  // namespace kefir::lambda
