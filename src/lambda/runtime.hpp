#pragma once
// `kefir lambda`: the AWS Lambda custom runtime (provided.al2023). One binary serves every function; _HANDLER
// picks what an invocation is: `http` (API Gateway HTTP API payload 2.0 through the same Router as the Beast
// server) or `scheduler` (an EventBridge scheduled event runs one reminder-processor pass before the
// deadline).
#include <functional>
#include <string>
#include <string_view>

#include "adapters/aws/http_client.hpp"
#include "config/config.hpp"
#include "util/time.hpp"

namespace kefir::lambda {

struct Invocation {
  std::string request_id;  // Lambda-Runtime-Aws-Request-Id
  std::string payload;
  TimePoint deadline;    // Lambda-Runtime-Deadline-Ms
  std::string trace_id;  // Lambda-Runtime-Trace-Id
  std::string function_arn;
};

// The Runtime API (version 2018-06-01) at AWS_LAMBDA_RUNTIME_API ("host:port").
class RuntimeApi {
 public:
  explicit RuntimeApi(std::string host_port);

  Invocation next();  // blocks until Lambda hands over an invocation
  void respond(const Invocation& invocation, std::string_view body);
  void fail(const Invocation& invocation, std::string_view error_type, std::string_view message);
  void init_error(std::string_view error_type, std::string_view message);

 private:
  void post(const std::string& path, std::string_view body, const http::Headers& headers);

  std::string base_url_;
  net::HttpClient client_;
};

// Runs the loop until the Runtime API goes away; returns the process exit code. `configure` loads the
// configuration; a ConfigError is reported to /init/error with the line `kefir serve` would print, and
// exits 2.
int run(const std::function<Config()>& configure);

// Lambda starts a custom runtime as `bootstrap` with AWS_LAMBDA_RUNTIME_API set.
bool started_by_lambda(const char* argv0);

}  // namespace kefir::lambda
