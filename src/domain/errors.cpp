#include "domain/errors.hpp"

#include <algorithm>

namespace kefir::domain {

Error invalid(std::vector<FieldProblem> details) {
  std::string message = "invalid request";
  if (!details.empty()) message = details.front().field + ": " + details.front().problem;
  return Error(Failure::Invalid, "VALIDATION_ERROR", std::move(message), std::move(details));
}
Error invalid(std::string field, std::string problem) {
  return invalid(std::vector<FieldProblem>{{std::move(field), std::move(problem)}});
}
Error bad_json(std::string message) {
  return Error(Failure::Invalid, "BAD_JSON", std::move(message));
}
Error unauthorized(std::string message) {
  return Error(Failure::Unauthenticated, "UNAUTHORIZED", std::move(message));
}
Error forbidden(std::string message) {
  return Error(Failure::Forbidden, "FORBIDDEN", std::move(message));
}
Error not_found(std::string message) {
  return Error(Failure::NotFound, "NOT_FOUND", std::move(message));
}
Error conflict(std::string message) {
  return Error(Failure::Conflict, "CONFLICT", std::move(message));
}
Error sync_too_old(std::string message) {
  return Error(Failure::Gone, "SYNC_TOO_OLD", std::move(message));
}
Error precondition_failed(std::string message) {
  return Error(Failure::PreconditionFailed, "PRECONDITION_FAILED", std::move(message));
}
Error throttled(int retry_after_seconds, std::string message) {
  return Error(Failure::Throttled, "THROTTLED", std::move(message), {}, std::max(1, retry_after_seconds));
}
Error unavailable(int retry_after_seconds, std::string message) {
  return Error(Failure::Unavailable, "UNAVAILABLE", std::move(message), {}, std::max(1, retry_after_seconds));
}

}  // namespace kefir::domain
