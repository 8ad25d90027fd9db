#include "http/errors.hpp"

#include <boost/json.hpp>

namespace kefir::http {

Response error_response(const ApiError& error) {
  boost::json::object body{{"error", error.what()}, {"code", error.code()}};
  if (!error.details().empty()) {
    boost::json::array details;
    for (const auto& detail : error.details())
      details.push_back(boost::json::object{{"field", detail.field}, {"problem", detail.problem}});
    body["details"] = std::move(details);
  }
  auto response = Response::json(error.status(), body);
  for (const auto& [name, value] : error.headers) response.set_header(name, value);
  return response;
}

ApiError validation_error(std::vector<FieldProblem> details) {
  std::string message = "invalid request";
  if (!details.empty()) message = details.front().field + ": " + details.front().problem;
  return ApiError(400, "VALIDATION_ERROR", std::move(message), std::move(details));
}
ApiError validation_error(std::string field, std::string problem) {
  return validation_error(std::vector<FieldProblem>{{std::move(field), std::move(problem)}});
}
ApiError bad_json(std::string message) {
  return ApiError(400, "BAD_JSON", std::move(message));
}
ApiError unauthorized(std::string message) {
  return ApiError(401, "UNAUTHORIZED", std::move(message));
}
ApiError forbidden(std::string message) {
  return ApiError(403, "FORBIDDEN", std::move(message));
}
ApiError not_found(std::string message) {
  return ApiError(404, "NOT_FOUND", std::move(message));
}
ApiError method_not_allowed() {
  return ApiError(405, "METHOD_NOT_ALLOWED", "method not allowed");
}
ApiError conflict(std::string message) {
  return ApiError(409, "CONFLICT", std::move(message));
}
ApiError sync_too_old(std::string message) {
  return ApiError(410, "SYNC_TOO_OLD", std::move(message));
}
ApiError precondition_failed(std::string message) {
  return ApiError(412, "PRECONDITION_FAILED", std::move(message));
}
ApiError payload_too_large(std::string message) {
  return ApiError(413, "PAYLOAD_TOO_LARGE", std::move(message));
}
ApiError unsupported_media_type(std::string message) {
  return ApiError(415, "UNSUPPORTED_MEDIA_TYPE", std::move(message));
}
namespace {
ApiError with_retry_after(ApiError error, int retry_after_seconds) {
  error.headers.emplace_back("retry-after",
                             std::to_string(retry_after_seconds < 1 ? 1 : retry_after_seconds));
  return error;
}
}  // namespace

ApiError throttled(int retry_after_seconds, std::string message) {
  return with_retry_after(ApiError(429, "THROTTLED", std::move(message)), retry_after_seconds);
}
ApiError internal_error() {
  return ApiError(500, "INTERNAL", "internal error");
}
ApiError unavailable(int retry_after_seconds, std::string message) {
  return with_retry_after(ApiError(503, "UNAVAILABLE", std::move(message)), retry_after_seconds);
}
// An operator (or autoscaling) has to act first: free space, restore, reconnect.
ApiError storage_unavailable() {
  return unavailable(30, "storage is unavailable; retry later");
}
// Throttling that outlasted the adapter's retries: the table recovers within seconds.
ApiError storage_busy() {
  return unavailable(1, "storage is busy; retry shortly");
}

}  // namespace kefir::http
