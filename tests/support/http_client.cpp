#include "support/http_client.hpp"

#include <curl/curl.h>

#include <stdexcept>

namespace kefir::test {
namespace {

size_t on_body(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* headers = static_cast<std::map<std::string, std::string>*>(user);
  std::string line(data, size * count);
  auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ')) value.erase(value.begin());
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
      value.pop_back();
    (*headers)[name] = value;
  }
  return size * count;
}

}  // namespace

boost::json::value HttpResponse::json() const {
  boost::system::error_code ec;
  auto value = boost::json::parse(body, ec);
  if (ec) throw std::runtime_error("response is not JSON: " + body);
  return value;
}

std::string HttpResponse::header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

HttpResponse send(const HttpRequest& request) {
  CURL* curl = curl_easy_init();
  if (!curl) throw std::runtime_error("curl_easy_init failed");
  HttpResponse response;
  curl_slist* header_list = nullptr;
  for (const auto& [name, value] : request.headers)
    header_list = curl_slist_append(header_list, (name + ": " + value).c_str());
  header_list = curl_slist_append(header_list, "Expect:");
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  if (request.method == "HEAD") curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT" ||
      request.method == "PATCH") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, header_list);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response.headers);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, request.timeout_ms);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  CURLcode code = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  curl_slist_free_all(header_list);
  curl_easy_cleanup(curl);
  if (code != CURLE_OK)
    throw std::runtime_error(std::string("HTTP request failed: ") + curl_easy_strerror(code) + " " +
                             request.url);
  return response;
}

namespace {

HttpResponse call(const std::string& base, const std::string& token, const std::string& method,
                  const std::string& path, std::string body, bool json_body,
                  std::vector<std::pair<std::string, std::string>> headers) {
  HttpRequest request;
  request.method = method;
  request.url = base + path;
  request.body = std::move(body);
  if (!token.empty()) request.headers.emplace_back("Authorization", "Bearer " + token);
  if (json_body) request.headers.emplace_back("Content-Type", "application/json");
  for (auto& header : headers) request.headers.push_back(std::move(header));
  return send(request);
}

}  // namespace

HttpResponse ApiClient::get(const std::string& path,
                            std::vector<std::pair<std::string, std::string>> headers) const {
  return call(base_url_, token_, "GET", path, {}, false, std::move(headers));
}
HttpResponse ApiClient::del(const std::string& path,
                            std::vector<std::pair<std::string, std::string>> headers) const {
  return call(base_url_, token_, "DELETE", path, {}, false, std::move(headers));
}
HttpResponse ApiClient::post(const std::string& path, const boost::json::value& body,
                             std::vector<std::pair<std::string, std::string>> headers) const {
  return call(base_url_, token_, "POST", path, boost::json::serialize(body), true, std::move(headers));
}
HttpResponse ApiClient::put(const std::string& path, const boost::json::value& body,
                            std::vector<std::pair<std::string, std::string>> headers) const {
  return call(base_url_, token_, "PUT", path, boost::json::serialize(body), true, std::move(headers));
}
HttpResponse ApiClient::patch(const std::string& path, const boost::json::value& body,
                              std::vector<std::pair<std::string, std::string>> headers) const {
  return call(base_url_, token_, "PATCH", path, boost::json::serialize(body), true, std::move(headers));
}
HttpResponse ApiClient::raw(const std::string& method, const std::string& path, const std::string& body,
                            std::vector<std::pair<std::string, std::string>> headers) const {
  return call(base_url_, token_, method, path, body, false, std::move(headers));
}

}  // namespace kefir::test
