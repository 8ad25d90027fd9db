#pragma once
// A small blocking HTTP client for tests (libcurl): real requests to a real server.
#include <map>
#include <string>
#include <vector>

#include <boost/json.hpp>

namespace kefir::test {

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;  // lower-case names; last value wins
  std::string body;

  boost::json::value json() const;  // parses body; fails the test (throws) when it is not JSON
  std::string header(const std::string& lower_case_name) const;
};

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  long timeout_ms = 30000;
};

HttpResponse send(const HttpRequest& request);

// Convenience for JSON APIs on one base URL with an optional bearer token.
class ApiClient {
 public:
  explicit ApiClient(std::string base_url = {}, std::string token = {})
      : base_url_(std::move(base_url)), token_(std::move(token)) {}
  void set_token(std::string token) { token_ = std::move(token); }
  const std::string& base_url() const { return base_url_; }

  HttpResponse get(const std::string& path,
                   std::vector<std::pair<std::string, std::string>> headers = {}) const;
  HttpResponse del(const std::string& path,
                   std::vector<std::pair<std::string, std::string>> headers = {}) const;
  HttpResponse post(const std::string& path, const boost::json::value& body,
                    std::vector<std::pair<std::string, std::string>> headers = {}) const;
  HttpResponse put(const std::string& path, const boost::json::value& body,
                   std::vector<std::pair<std::string, std::string>> headers = {}) const;
  HttpResponse patch(const std::string& path, const boost::json::value& body,
                     std::vector<std::pair<std::string, std::string>> headers = {}) const;
  // Any method with a raw body (bad JSON, other content types...).
  HttpResponse raw(const std::string& method, const std::string& path, const std::string& body,
                   std::vector<std::pair<std::string, std::string>> headers = {}) const;

 private:
  std::string base_url_;
  std::string token_;
};

}  // namespace kefir::test
