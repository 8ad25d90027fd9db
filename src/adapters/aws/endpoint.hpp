#pragma once
// Where an AWS-API service is reached and how its requests are retried: shared by the DynamoDB and S3
// adapters.
#include <string>
#include <string_view>

#include "util/backoff.hpp"

namespace kefir::aws {

struct Endpoint {
  std::string origin;  // "http://127.0.0.1:8000": scheme, host and port, no path
  std::string host;    // the Host header: the port only when it is not the scheme's default
  std::string path;    // "/" unless the endpoint URL names a base path; no trailing slash except the root
};

// Accepts "http(s)://host[:port][/path]"; throws std::invalid_argument naming the text otherwise.
Endpoint parse_endpoint(std::string_view url);

using kefir::RetryPolicy;

}  // namespace kefir::aws
