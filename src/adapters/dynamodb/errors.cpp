#include "adapters/dynamodb/errors.hpp"

#include <stdexcept>

namespace kefir::store::dynamodb {
namespace {

bool is_throttle_code(std::string_view code) {
  return code == "ProvisionedThroughputExceededException" || code == "ThrottlingException" ||
         code == "RequestLimitExceeded" || code == "ThrottlingError" ||
         code == "ProvisionedThroughputExceeded";
}

bool is_transient_code(std::string_view code) {
  return code == "TransactionConflictException" || code == "TransactionConflict" ||
         code == "TransactionInProgressException" || code == "InternalServerError" ||
         code == "ServiceUnavailable";
}

}  // namespace

ErrorResponse parse_error(const net::HttpResponse& response) {
  ErrorResponse error;
  json::object body;
  boost::system::error_code ec;
  if (auto parsed = json::parse(response.body, ec); !ec && parsed.is_object())
    body = std::move(parsed.as_object());
  auto type = json_string(body, "__type");
  error.code = type.substr(type.find('#') == std::string::npos ? 0 : type.find('#') + 1);
  if (error.code.empty())
    error.code = response.status >= 500 ? "ServiceUnavailable" : "HTTP" + std::to_string(response.status);
  error.message = json_string(body, "message", json_string(body, "Message", response.body));
  if (const auto* reasons = body.if_contains("CancellationReasons"); reasons && reasons->is_array()) {
    for (const auto& reason : reasons->get_array())
      error.cancellation_codes.push_back(reason.is_object() ? json_string(reason.get_object(), "Code") : "");
  } else if (error.code == "TransactionCanceledException") {
    // Without the structured list, the message ends with them: "... reasons [None, ConditionalCheckFailed]".
    auto open = error.message.rfind('['), close = error.message.rfind(']');
    if (open != std::string::npos && close != std::string::npos && close > open) {
      std::string_view list(error.message.data() + open + 1, close - open - 1);
      while (!list.empty()) {
        auto comma = list.find(',');
        auto code = list.substr(0, comma);
        while (!code.empty() && code.front() == ' ') code.remove_prefix(1);
        error.cancellation_codes.emplace_back(code);
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
      }
    }
  }
  return error;
}

Disposition classify(long status, const ErrorResponse& error) {
  if (is_throttle_code(error.code)) return Disposition::retry_throttled;
  if (is_transient_code(error.code) || status >= 500) return Disposition::retry_unavailable;
  if (error.code == "TransactionCanceledException") {
    // Retryable only when no operation failed for good (a condition, a validation error...).
    bool any_throttle = false, any_failure = false;
    for (const auto& code : error.cancellation_codes) {
      if (code.empty() || code == "None") continue;
      if (is_throttle_code(code)) {
        any_throttle = true;
      } else if (!is_transient_code(code)) {
        any_failure = true;
      }
    }
    if (!any_failure && !error.cancellation_codes.empty())
      return any_throttle ? Disposition::retry_throttled : Disposition::retry_unavailable;
  }
  return Disposition::fail;
}

[[noreturn]] void throw_mapped(const ErrorResponse& error) {
  if (error.code == "ConditionalCheckFailedException") throw ConditionFailed(-1);
  if (error.code == "TransactionCanceledException") {
    for (std::size_t i = 0; i < error.cancellation_codes.size(); ++i)
      if (error.cancellation_codes[i] == "ConditionalCheckFailed") throw ConditionFailed(static_cast<int>(i));
  }
  if (error.code == "ValidationException") throw std::invalid_argument("DynamoDB: " + error.message);
  if (error.code == "ResourceNotFoundException" || error.code == "UnrecognizedClientException" ||
      error.code == "AccessDeniedException" || error.code == "MissingAuthenticationTokenException" ||
      error.code == "InvalidSignatureException" || error.code == "ExpiredTokenException" ||
      error.code == "IncompleteSignatureException")
    throw StoreUnavailable("DynamoDB: " + error.code + ": " + error.message);
  throw ServiceError(error.code.empty() ? "UnknownError" : error.code, error.message);
}

}  // namespace kefir::store::dynamodb
