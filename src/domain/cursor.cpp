#include "domain/cursor.hpp"

#include <charconv>

#include "domain/errors.hpp"
#include "util/crypto.hpp"

namespace kefir::cursor {
namespace {

// Resume keys are a few short key attributes; anything longer was not made here.
constexpr std::size_t kMaxCursorLength = 2048;

domain::Error invalid_cursor() {
  return domain::invalid("cursor", "is invalid or belongs to another query");
}

}  // namespace

std::string fingerprint(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (auto part : parts) {
    out += std::to_string(part.size());
    out += ':';
    out += part;
  }
  return out;
}

std::string Codec::encode(const json::object& resume_key, std::string_view fingerprint) const {
  auto payload = json::serialize(resume_key);
  auto mac = crypto::hmac_sha256(key_, std::string(fingerprint) + '\n' + payload);
  return crypto::base64url_encode(payload) + "." + crypto::base64url_encode(mac);
}

json::object Codec::decode(std::string_view cursor, std::string_view fingerprint) const {
  if (cursor.size() > kMaxCursorLength) throw invalid_cursor();
  auto dot = cursor.find('.');
  if (dot == std::string_view::npos) throw invalid_cursor();
  std::string payload, mac;
  if (!crypto::base64url_decode(cursor.substr(0, dot), payload) ||
      !crypto::base64url_decode(cursor.substr(dot + 1), mac))
    throw invalid_cursor();
  auto expected = crypto::hmac_sha256(key_, std::string(fingerprint) + '\n' + payload);
  if (!crypto::constant_time_equal(mac, expected)) throw invalid_cursor();
  boost::system::error_code ec;
  auto value = json::parse(payload, ec);
  if (ec || !value.is_object()) throw invalid_cursor();
  return std::move(value.get_object());
}

std::size_t parse_limit(const std::optional<std::string>& text) {
  if (!text) return kDefaultLimit;
  std::size_t limit = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), limit);
  if (ec != std::errc() || end != text->data() + text->size() || limit < 1 || limit > kMaxLimit)
    throw domain::invalid("limit", "must be an integer between 1 and " + std::to_string(kMaxLimit));
  return limit;
}

std::optional<std::string> parse_choice(const std::optional<std::string>& value, std::string_view name,
                                        std::initializer_list<std::string_view> allowed) {
  if (!value || value->empty()) return std::nullopt;
  std::string list;
  for (auto option : allowed) {
    if (*value == option) return value;
    list += (list.empty() ? "" : ", ") + std::string(option);
  }
  throw domain::invalid(std::string(name), "must be one of: " + list);
}

}  // namespace kefir::cursor
