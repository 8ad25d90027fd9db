#pragma once
// The project's own request and response types. The Beast server and the Lambda loop both translate into
// these, so every handler and middleware is transport-independent.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/value.hpp>

#include "http/live_body.hpp"

namespace kefir::http {

using Headers = std::vector<std::pair<std::string, std::string>>;  // names lower-case

struct Request {
  std::string method;        // upper-case, as sent: "GET", "POST"...
  std::string target;        // raw request target: path plus query
  std::string path;          // percent-decoded path without the query
  std::string query_string;  // raw, without '?'
  Headers headers;
  std::string body;
  // Set instead of `body` for routes that stream their upload to disk (RouteOptions::body_to_file).
  std::string body_file;
  std::string client_ip;
  std::string request_id;

  // Filled by the router and the middleware.
  std::vector<std::pair<std::string, std::string>> path_params;
  std::string route;    // the matched template, e.g. "/batches/{id}"; "unmatched" when none
  std::string user_id;  // set by the authentication middleware

  std::string_view header(std::string_view lower_case_name) const;
  std::string_view param(std::string_view name) const;
  // Query parameters, percent-decoded. `query` returns the first value of a key.
  std::optional<std::string> query(std::string_view key) const;
  std::vector<std::string> query_all(std::string_view key) const;
};

// A streamed body is pulled chunk by chunk; an empty optional ends it. Throwing aborts the response.
using BodyStream = std::function<std::optional<std::string>()>;

struct Response {
  int status = 200;
  Headers headers;
  std::string body;
  // Set instead of `body` for a body kept elsewhere and shared by many responses (kept list pages): sending
  // it copies nothing.
  std::shared_ptr<const std::string> shared_body;
  BodyStream stream;  // when set, `body` is ignored and the body is sent chunked
  // When set, the body is what its owner pushes, sent chunked as it comes until the body is closed, the
  // client goes away or the server stops; the connection is closed afterwards.
  std::shared_ptr<LiveBody> live;

  std::string_view body_view() const { return shared_body ? std::string_view(*shared_body) : body; }

  void set_header(std::string name, std::string value);
  std::string_view header(std::string_view lower_case_name) const;

  static Response json(int status, const boost::json::value& body);
  static Response no_content();
  static Response text(int status, std::string content_type, std::string body);
  static Response shared(int status, std::string content_type, std::shared_ptr<const std::string> body);
};

std::string percent_decode(std::string_view text, bool plus_is_space);
std::string percent_encode(std::string_view text);  // RFC 3986 unreserved kept

}  // namespace kefir::http
