#pragma once
// A small blocking HTTP client over libcurl for the outbound calls of the adapters (DynamoDB, S3, and whoever
// else needs one). Easy handles are pooled: a handle keeps its connections alive, so reusing it saves the TCP
// (and TLS) handshake on the next call. Safe to share between threads; each call borrows its own handle.
#include <chrono>
#include <cstdint>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <curl/curl.h>

#include "http/message.hpp"

namespace kefir::net {

struct HttpResponse {
  long status = 0;
  http::Headers headers;  // names lower-case
  std::string body;

  std::string_view header(std::string_view lower_case_name) const;
};

// No response at all: connection refused, DNS, timeout, TLS... (an HTTP error status is a response).
class NetworkError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct HttpClientOptions {
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds timeout{30000};  // whole request
  std::size_t max_idle_handles = 16;
};

class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  HttpResponse send(std::string_view method, const std::string& url, const http::Headers& headers,
                    std::string_view body = {});
  // Streams the file at `path` as the body (uploads of generated files: memory stays flat).
  HttpResponse send_file(std::string_view method, const std::string& url, const http::Headers& headers,
                         const std::string& path);

 private:
  struct Upload;
  HttpResponse perform(std::string_view method, const std::string& url, const http::Headers& headers,
                       std::string_view body, Upload* upload);
  CURL* acquire();
  void release(CURL* handle);

  HttpClientOptions options_;
  std::mutex mutex_;
  std::vector<CURL*> idle_;
};

}  // namespace kefir::net
