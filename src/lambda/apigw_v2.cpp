#include "lambda/apigw_v2.hpp"

#include <fstream>
#include <optional>

#include "http/errors.hpp"
#include "http/middleware.hpp"
#include "util/crypto.hpp"
#include "util/log.hpp"

namespace kefir::lambda {
namespace {

const json::object& object_at(const json::object& parent, std::string_view key, std::string_view where) {
  auto* value = parent.if_contains(key);
  if (!value || !value->is_object()) throw InvalidEvent(std::string(where) + " is missing or not an object");
  return value->get_object();
}

std::string string_at(const json::object& parent, std::string_view key, std::string_view where) {
  auto* value = parent.if_contains(key);
  if (!value || !value->is_string()) throw InvalidEvent(std::string(where) + " is missing or not a string");
  return std::string(value->get_string());
}

std::string optional_string(const json::object& parent, std::string_view key, std::string_view where) {
  auto* value = parent.if_contains(key);
  if (!value || value->is_null()) return {};
  if (!value->is_string()) throw InvalidEvent(std::string(where) + " is not a string");
  return std::string(value->get_string());
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// With a named stage (not "$default"), API Gateway puts the stage name in front of the path the client used.
std::string strip_stage(std::string path, const json::object& context) {
  auto stage = optional_string(context, "stage", "requestContext.stage");
  if (stage.empty() || stage == "$default") return path;
  auto prefix = "/" + stage;
  if (path == prefix) return "/";
  if (path.rfind(prefix + "/", 0) == 0) return path.substr(prefix.size());
  return path;
}

// The body as one string, however the response was produced; throws when it outgrows `limit`.
std::string buffered_body(http::Response& response, std::size_t limit) {
  if (response.shared_body) return *response.shared_body;
  if (!response.stream) return std::move(response.body);
  std::string body;
  while (auto chunk = response.stream()) {
    body += *chunk;
    if (body.size() > limit) throw std::length_error("streamed response larger than Lambda's response limit");
  }
  return body;
}

// Removes the temporary upload file however the request ends.
class UploadFile {
 public:
  UploadFile(const std::filesystem::path& dir, const std::string& content) {
    std::filesystem::create_directories(dir);
    path_ = dir / ("upload-" + crypto::hex_encode(crypto::random_bytes(8)));
    std::ofstream out(path_, std::ios::binary);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    if (!out.flush()) throw std::runtime_error("cannot write upload file " + path_.string());
  }
  ~UploadFile() {
    std::error_code ec;
    std::filesystem::remove(path_, ec);
  }
  UploadFile(const UploadFile&) = delete;
  UploadFile& operator=(const UploadFile&) = delete;
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace

bool is_text_content_type(std::string_view content_type) {
  auto type = lower(content_type.substr(0, content_type.find(';')));
  return type.rfind("text/", 0) == 0 || type.find("json") != std::string::npos ||
         type.find("xml") != std::string::npos || type.find("javascript") != std::string::npos ||
         type == "application/x-www-form-urlencoded";
}

bool is_valid_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    auto byte = static_cast<unsigned char>(text[i]);
    std::size_t length;
    char32_t code;
    if (byte < 0x80) {
      ++i;
      continue;
    } else if ((byte & 0xE0) == 0xC0) {
      length = 2, code = byte & 0x1F;
    } else if ((byte & 0xF0) == 0xE0) {
      length = 3, code = byte & 0x0F;
    } else if ((byte & 0xF8) == 0xF0) {
      length = 4, code = byte & 0x07;
    } else {
      return false;
    }
    if (i + length > text.size()) return false;
    for (std::size_t k = 1; k < length; ++k) {
      auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code = (code << 6) | (next & 0x3F);
    }
    static constexpr char32_t kSmallest[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code < kSmallest[length] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return false;
    i += length;
  }
  return true;
}

http::Request request_from_event(const json::value& event_value) {
  if (!event_value.is_object()) throw InvalidEvent("event is not a JSON object");
  const auto& event = event_value.get_object();
  if (optional_string(event, "version", "version") != "2.0")
    throw InvalidEvent("not an API Gateway HTTP API payload (version must be \"2.0\")");
  const auto& context = object_at(event, "requestContext", "requestContext");
  const auto& http_context = object_at(context, "http", "requestContext.http");

  http::Request request;
  request.method = string_at(http_context, "method", "requestContext.http.method");
  for (auto& c : request.method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auto raw_path = strip_stage(string_at(event, "rawPath", "rawPath"), context);
  if (raw_path.empty() || raw_path.front() != '/') throw InvalidEvent("rawPath must start with '/'");
  request.path = http::percent_decode(raw_path, false);
  request.query_string = optional_string(event, "rawQueryString", "rawQueryString");
  request.target = request.query_string.empty() ? raw_path : raw_path + "?" + request.query_string;
  request.client_ip = optional_string(http_context, "sourceIp", "requestContext.http.sourceIp");

  if (auto* headers = event.if_contains("headers"); headers && !headers->is_null()) {
    if (!headers->is_object()) throw InvalidEvent("headers is not an object");
    for (const auto& [name, value] : headers->get_object()) {
      if (!value.is_string()) throw InvalidEvent("header " + std::string(name) + " is not a string");
      request.headers.emplace_back(lower(name), std::string(value.get_string()));
    }
  }
  if (auto* cookies = event.if_contains("cookies"); cookies && !cookies->is_null()) {
    if (!cookies->is_array()) throw InvalidEvent("cookies is not an array");
    std::string joined;
    for (const auto& cookie : cookies->get_array()) {
      if (!cookie.is_string()) throw InvalidEvent("cookies must be strings");
      joined += (joined.empty() ? "" : "; ") + std::string(cookie.get_string());
    }
    if (!joined.empty()) request.headers.emplace_back("cookie", std::move(joined));
  }
  // API Gateway's own id travels on when the client sent none, so one id follows the request end to end.
  // Its ids are base64 ("JKJaXmPLvHcESHA="): without the padding they fit the X-Request-Id alphabet.
  auto gateway_id = optional_string(context, "requestId", "requestContext.requestId");
  while (!gateway_id.empty() && gateway_id.back() == '=') gateway_id.pop_back();
  if (request.header("x-request-id").empty() && http::valid_request_id(gateway_id))
    request.headers.emplace_back("x-request-id", gateway_id);

  auto body = optional_string(event, "body", "body");
  auto* encoded = event.if_contains("isBase64Encoded");
  if (encoded && encoded->is_bool() && encoded->get_bool()) {
    if (!crypto::base64_decode(body, request.body)) throw InvalidEvent("body is not valid base64");
  } else {
    request.body = std::move(body);
  }
  return request;
}

json::object result_from_response(const http::Response& response, bool head_only) {
  json::object headers;
  json::array cookies;
  std::string content_type;
  for (const auto& [name, value] : response.headers) {
    auto key = lower(name);
    if (key == "set-cookie") {
      cookies.emplace_back(value);
      continue;
    }
    if (key == "content-type") content_type = value;
    if (auto* existing = headers.if_contains(key))
      existing->get_string() = std::string(existing->get_string()) + "," + value;
    else
      headers[key] = value;
  }
  json::object result{{"statusCode", response.status}, {"headers", std::move(headers)}};
  if (!cookies.empty()) result["cookies"] = std::move(cookies);
  const std::string& body = head_only ? std::string() : response.body;
  bool binary = !body.empty() && (!is_text_content_type(content_type) || !is_valid_utf8(body));
  result["body"] = binary ? crypto::base64_encode(body) : body;
  result["isBase64Encoded"] = binary;
  return result;
}

json::object serve_event(const http::Router& router, const json::value& event, const ServeOptions& options) {
  http::Request request = request_from_event(event);
  bool head_only = request.method == "HEAD";
  const http::Route& route = router.match(request);
  http::Response response;
  std::optional<UploadFile> upload;
  if (request.body.size() > route.options.max_body) {
    response = router.handle_error(request, http::payload_too_large());
  } else {
    if (route.options.body_to_file) {
      upload.emplace(options.upload_dir, request.body);
      request.body.clear();
      request.body_file = upload->path();
    }
    response = router.handle(request, route);
  }
  if (response.live) {
    // API Gateway passes a response on only once it has ended, and a live one does not end.
    response.live->close();
    response = router.handle_error(
        request, http::ApiError(501, "NOT_IMPLEMENTED",
                                "live streams are not offered through Lambda; poll GET /sync for changes"));
  }
  try {
    response.body = buffered_body(response, options.max_result_bytes);
    response.stream = nullptr;
  } catch (const std::exception& error) {
    log::error("response cannot be buffered",
               {{"requestId", request.request_id}, {"route", request.route}, {"error", error.what()}});
    response = http::error_response(http::internal_error());
    response.set_header("x-request-id", request.request_id);
  }
  auto result = result_from_response(response, head_only);
  if (json::serialize(result).size() > options.max_result_bytes) {
    log::error("response larger than Lambda's limit",
               {{"requestId", request.request_id}, {"route", request.route}});
    auto too_large = http::error_response(http::internal_error());
    too_large.set_header("x-request-id", request.request_id);
    result = result_from_response(too_large, head_only);
  }
  return result;
}

}  // namespace kefir::lambda
