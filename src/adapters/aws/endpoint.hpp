#pragma once
// Where an AWS-API service is reached and how its requests are retried: shared by the DynamoDB and S3
// adapters.
#include <chrono>
#include <string>
#include <string_view>

namespace kefir::aws {

struct Endpoint {
  std::string origin;  // "http://127.0.0.1:8000": scheme, host and port, no path
  std::string host;    // the Host header: the port only when it is not the scheme's default
  std::string path;    // "/" unless the endpoint URL names a base path; no trailing slash except the root
};

// Accepts "http(s)://host[:port][/path]"; throws std::invalid_argument naming the text otherwise.
Endpoint parse_endpoint(std::string_view url);

// Capped exponential backoff with full jitter: the delay before retry n (0-based) is uniform in
// [0, min(max_delay, base_delay * 2^n)], which spreads out clients that were throttled together.
struct RetryPolicy {
  int max_attempts = 8;
  std::chrono::milliseconds base_delay{25};
  std::chrono::milliseconds max_delay{2000};

  std::chrono::milliseconds delay(int retry) const;
};

}  // namespace kefir::aws
