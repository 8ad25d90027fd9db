#include "http/message.hpp"

#include <boost/json/serialize.hpp>

namespace kefir::http {
namespace {

std::string_view find_header(const Headers& headers, std::string_view name) {
  for (const auto& [key, value] : headers)
    if (key == name) return value;
  return {};
}

template <typename Visit>
void for_each_query_pair(std::string_view query, Visit visit) {
  while (!query.empty()) {
    auto amp = query.find('&');
    auto pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    auto key = percent_decode(pair.substr(0, eq), true);
    auto value = eq == std::string_view::npos ? std::string{} : percent_decode(pair.substr(eq + 1), true);
    if (!visit(key, std::move(value))) return;
  }
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string_view Request::header(std::string_view lower_case_name) const {
  return find_header(headers, lower_case_name);
}

std::string_view Request::param(std::string_view name) const {
  for (const auto& [key, value] : path_params)
    if (key == name) return value;
  return {};
}

std::optional<std::string> Request::query(std::string_view key) const {
  std::optional<std::string> found;
  for_each_query_pair(query_string, [&](const std::string& k, std::string value) {
    if (k != key) return true;
    found = std::move(value);
    return false;
  });
  return found;
}

std::vector<std::string> Request::query_all(std::string_view key) const {
  std::vector<std::string> values;
  for_each_query_pair(query_string, [&](const std::string& k, std::string value) {
    if (k == key) values.push_back(std::move(value));
    return true;
  });
  return values;
}

void Response::set_header(std::string name, std::string value) {
  for (auto& [key, existing] : headers) {
    if (key == name) {
      existing = std::move(value);
      return;
    }
  }
  headers.emplace_back(std::move(name), std::move(value));
}

std::string_view Response::header(std::string_view lower_case_name) const {
  return find_header(headers, lower_case_name);
}

Response Response::json(int status, const boost::json::value& body) {
  Response response;
  response.status = status;
  response.headers.emplace_back("content-type", "application/json");
  response.body = boost::json::serialize(body);
  return response;
}

Response Response::no_content() {
  Response response;
  response.status = 204;
  return response;
}

Response Response::text(int status, std::string content_type, std::string body) {
  Response response;
  response.status = status;
  response.headers.emplace_back("content-type", std::move(content_type));
  response.body = std::move(body);
  return response;
}

Response Response::shared(int status, std::string content_type, std::shared_ptr<const std::string> body) {
  Response response;
  response.status = status;
  response.headers.emplace_back("content-type", std::move(content_type));
  response.shared_body = std::move(body);
  return response;
}

std::string percent_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%' && i + 2 < text.size()) {
      int hi = hex_value(text[i + 1]), lo = hex_value(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(plus_is_space && c == '+' ? ' ' : c);
  }
  return out;
}

std::string percent_encode(std::string_view text) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(digits[c >> 4]);
      out.push_back(digits[c & 15]);
    }
  }
  return out;
}

}  // namespace kefir::http
