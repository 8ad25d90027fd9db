#pragma once
// DynamoDB's error responses, and what the adapter does with each: retry it (throttling, transaction
// conflicts, 5xx), or turn it into the port's exceptions (ConditionFailed, StoreUnavailable,
// std::invalid_argument for a request DynamoDB calls invalid).
#include <string>
#include <string_view>
#include <vector>

#include "adapters/aws/http_client.hpp"
#include "ports/item_store.hpp"

namespace kefir::store::dynamodb {

// An error response the adapter does not turn into a port exception by itself.
class ServiceError : public StoreError {
 public:
  ServiceError(std::string code, const std::string& message)
      : StoreError(code + ": " + message), code_(std::move(code)) {}
  const std::string& code() const { return code_; }

 private:
  std::string code_;
};

struct ErrorResponse {
  // "ThrottlingException", from "__type": "com.amazon.coral.availability#ThrottlingException"
  std::string code;
  std::string message;
  std::vector<std::string> cancellation_codes;  // TransactionCanceledException: one per operation
};

ErrorResponse parse_error(const net::HttpResponse& response);

enum class Disposition { retry_throttled, retry_unavailable, fail };

// Whether a call that got this error is worth another attempt, and as what it fails when retries run out.
Disposition classify(long status, const ErrorResponse& error);

// The port's exception for an error that is not retried.
[[noreturn]] void throw_mapped(const ErrorResponse& error);

}  // namespace kefir::store::dynamodb
