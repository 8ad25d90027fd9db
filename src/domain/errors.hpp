#pragma once
// The failures a rule or a service reports, in the product's own words: a kind (what went wrong) and the
// spec's error code (SPEC §0: VALIDATION_ERROR, NOT_FOUND, ...). Transport-neutral: the HTTP layer turns a
// kind into a status code in one place (http/errors.cpp), so no rule knows about HTTP.
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace kefir::domain {

struct FieldProblem {
  std::string field;
  std::string problem;
};

enum class Failure {
  Invalid,             // the input breaks a rule (details name the fields)
  Unauthenticated,     // no valid credential
  Forbidden,           // a valid credential that may not do this
  NotFound,            // nothing there for this caller (also: someone else's)
  Conflict,            // the current state forbids it
  Gone,                // the caller's position is older than what is kept
  PreconditionFailed,  // the caller's version is not the current one
  Throttled,           // too many requests from this caller; retry later
  Unavailable,         // not possible now for a reason of ours; retry later
};

class Error : public std::runtime_error {
 public:
  Error(Failure failure, std::string code, std::string message, std::vector<FieldProblem> details = {},
        std::optional<int> retry_after_seconds = std::nullopt)
      : std::runtime_error(std::move(message)),
        failure_(failure),
        code_(std::move(code)),
        details_(std::move(details)),
        retry_after_seconds_(retry_after_seconds) {}

  Failure failure() const { return failure_; }
  const std::string& code() const { return code_; }
  const std::vector<FieldProblem>& details() const { return details_; }
  std::optional<int> retry_after_seconds() const { return retry_after_seconds_; }

 private:
  Failure failure_;
  std::string code_;
  std::vector<FieldProblem> details_;
  std::optional<int> retry_after_seconds_;
};

// One constructor per code, so call sites read as what they mean.
Error invalid(std::vector<FieldProblem> details);
Error invalid(std::string field, std::string problem);
Error bad_json(std::string message = "request body is not valid JSON");
Error unauthorized(std::string message = "missing or invalid access token");
Error forbidden(std::string message = "forbidden");
Error not_found(std::string message = "not found");
Error conflict(std::string message);
// SYNC_TOO_OLD: a sync position older than the change log keeps; the client has to read everything again.
Error sync_too_old(std::string message);
Error precondition_failed(std::string message = "the resource has changed (If-Match)");
Error throttled(int retry_after_seconds, std::string message = "too many requests");
Error unavailable(int retry_after_seconds, std::string message = "service unavailable");

}  // namespace kefir::domain
