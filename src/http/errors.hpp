#pragma once
// Every failure a handler wants the client to see is an ApiError; the router turns it into the spec's shape:
// {"error": "...", "code": "...", "details": [{"field", "problem"}]}.
#include <stdexcept>
#include <string>
#include <vector>

#include "http/message.hpp"

namespace kefir::http {

struct FieldProblem {
  std::string field;
  std::string problem;
};

class ApiError : public std::runtime_error {
 public:
  ApiError(int status, std::string code, std::string message, std::vector<FieldProblem> details = {})
      : std::runtime_error(std::move(message)),
        status_(status),
        code_(std::move(code)),
        details_(std::move(details)) {}

  int status() const { return status_; }
  const std::string& code() const { return code_; }
  const std::vector<FieldProblem>& details() const { return details_; }
  // Extra response headers, e.g. Retry-After on 429.
  Headers headers;

 private:
  int status_;
  std::string code_;
  std::vector<FieldProblem> details_;
};

Response error_response(const ApiError& error);

// The spec's codes, one constructor each, so call sites read as what they mean.
ApiError validation_error(std::vector<FieldProblem> details);
ApiError validation_error(std::string field, std::string problem);
ApiError bad_json(std::string message = "request body is not valid JSON");
ApiError unauthorized(std::string message = "missing or invalid access token");
ApiError forbidden(std::string message = "forbidden");
ApiError not_found(std::string message = "not found");
ApiError method_not_allowed();
ApiError conflict(std::string message);
// 410 SYNC_TOO_OLD: a sync token older than the change log keeps; the client has to read everything again.
ApiError sync_too_old(std::string message);
ApiError precondition_failed(std::string message = "the resource has changed (If-Match)");
ApiError payload_too_large(std::string message = "request body too large");
ApiError unsupported_media_type(std::string message = "Content-Type must be application/json");
ApiError throttled(int retry_after_seconds, std::string message = "too many requests");
ApiError internal_error();
ApiError unavailable(int retry_after_seconds, std::string message = "service unavailable");
// Storage (the item or the blob store) cannot take the request now: out of space, unreachable, damaged.
ApiError storage_unavailable();
// Storage throttled the request beyond its adapter's own retries.
ApiError storage_busy();

}  // namespace kefir::http
