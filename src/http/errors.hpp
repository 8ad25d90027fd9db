#pragma once
// What the client sees of a failure: a status, the spec's code and shape
// {"error": "...", "code": "...", "details": [{"field", "problem"}]}. Rules and services throw domain::Error;
// the router turns it into an ApiError here, the only place that maps a kind of failure to a status. The
// constructors below are for failures of the transport itself.
#include <stdexcept>
#include <string>
#include <vector>

#include "domain/errors.hpp"
#include "http/message.hpp"

namespace kefir::http {

class ApiError : public std::runtime_error {
 public:
  ApiError(int status, std::string code, std::string message, std::vector<domain::FieldProblem> details = {})
      : std::runtime_error(std::move(message)),
        status_(status),
        code_(std::move(code)),
        details_(std::move(details)) {}

  int status() const { return status_; }
  const std::string& code() const { return code_; }
  const std::vector<domain::FieldProblem>& details() const { return details_; }
  // Extra response headers, e.g. Retry-After on 429.
  Headers headers;

 private:
  int status_;
  std::string code_;
  std::vector<domain::FieldProblem> details_;
};

Response error_response(const ApiError& error);
ApiError from_domain(const domain::Error& error);

ApiError method_not_allowed();
ApiError payload_too_large(std::string message = "request body too large");
ApiError unsupported_media_type(std::string message = "Content-Type must be application/json");
ApiError internal_error();
ApiError unavailable(int retry_after_seconds, std::string message = "service unavailable");
// Storage (the item or the blob store) cannot take the request now: out of space, unreachable, damaged.
ApiError storage_unavailable();
// Storage throttled the request beyond its adapter's own retries.
ApiError storage_busy();

}  // namespace kefir::http
