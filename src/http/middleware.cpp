#include "http/middleware.hpp"

#include <chrono>

#include "util/ids.hpp"
#include "util/log.hpp"

namespace kefir::http {

bool valid_request_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
              c == '_' || c == '.' || c == ':';
    if (!ok) return false;
  }
  return true;
}

Middleware request_id_and_log() {
  return [](Request& request, const Route&, const Handler& next) {
    auto started = std::chrono::steady_clock::now();
    auto incoming = request.header("x-request-id");
    request.request_id = valid_request_id(incoming) ? std::string(incoming) : correlation_uuid();
    Response response = next(request);
    response.set_header("x-request-id", request.request_id);
    auto status = response.status;
    // 501 is a deliberate answer of this deployment (no live stream in Lambda), not a failure to alert on.
    auto level = status >= 500 && status != 501 ? log::Level::error : log::Level::info;
    if (log::enabled(level)) {
      double ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
      boost::json::object fields{
          {"requestId", request.request_id},
          {"method", request.method},
          {"route", request.route},
          {"status", status},
          {"durationMs", static_cast<double>(static_cast<std::int64_t>(ms * 1000)) / 1000}};
      if (!request.user_id.empty()) fields["userId"] = request.user_id;
      log::write(level, "request", std::move(fields));
    }
    return response;
  };
}

}  // namespace kefir::http
