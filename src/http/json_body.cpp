#include "http/json_body.hpp"

#include <cctype>
#include <string>

#include "http/errors.hpp"

namespace kefir::http {

json::object parse_json_object(const Request& request, bool empty_is_object) {
  if (request.body.empty() && empty_is_object) return {};
  if (request.body.size() > kMaxJsonBody) throw payload_too_large();
  auto content_type = request.header("content-type");
  if (!request.body.empty() || !content_type.empty()) {
    auto media = content_type.substr(0, content_type.find(';'));
    while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
    std::string lowered(media);
    for (auto& c : lowered) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lowered != "application/json") throw unsupported_media_type();
  }
  return domain::parse_json_object_text(request.body);
}

}  // namespace kefir::http
