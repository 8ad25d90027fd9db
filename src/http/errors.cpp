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

namespace {
int status_for(domain::Failure failure) {
  switch (failure) {
    case domain::Failure::Invalid:
      return 400;
    case domain::Failure::Unauthenticated:
      return 401;
    case domain::Failure::Forbidden:
      return 403;
    case domain::Failure::NotFound:
      return 404;
    case domain::Failure::Conflict:
      return 409;
    case domain::Failure::Gone:
      return 410;
    case domain::Failure::PreconditionFailed:
      return 412;
    case domain::Failure::Throttled:
      return 429;
    case domain::Failure::Unavailable:
      return 503;
  }
  return 500;
}

void set_retry_after(ApiError& error, int retry_after_seconds) {
  error.headers.emplace_back("retry-after",
                             std::to_string(retry_after_seconds < 1 ? 1 : retry_after_seconds));
}
}  // namespace

ApiError from_domain(const domain::Error& error) {
  ApiError translated(status_for(error.failure()), error.code(), error.what(), error.details());
  if (auto seconds = error.retry_after_seconds()) set_retry_after(translated, *seconds);
  return translated;
}

ApiError method_not_allowed() {
  return ApiError(405, "METHOD_NOT_ALLOWED", "method not allowed");
}
ApiError payload_too_large(std::string message) {
  return ApiError(413, "PAYLOAD_TOO_LARGE", std::move(message));
}
ApiError unsupported_media_type(std::string message) {
  return ApiError(415, "UNSUPPORTED_MEDIA_TYPE", std::move(message));
}
ApiError internal_error() {
  return ApiError(500, "INTERNAL", "internal error");
}
ApiError unavailable(int retry_after_seconds, std::string message) {
  ApiError error(503, "UNAVAILABLE", std::move(message));
  set_retry_after(error, retry_after_seconds);
  return error;
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
