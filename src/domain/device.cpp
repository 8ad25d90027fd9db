#include "domain/device.hpp"

#include "domain/body_reader.hpp"
#include "domain/keys.hpp"
#include "util/crypto.hpp"
#include "util/web_push_crypto.hpp"

namespace kefir::domain {
namespace {

bool printable_ascii(std::string_view text) {
  for (unsigned char c : text)
    if (c < 0x21 || c > 0x7e) return false;
  return true;
}

}  // namespace

bool is_expo_push_token(std::string_view token) {
  for (std::string_view prefix : {"ExponentPushToken[", "ExpoPushToken["}) {
    if (!token.starts_with(prefix) || !token.ends_with(']')) continue;
    auto inner = token.substr(prefix.size(), token.size() - prefix.size() - 1);
    return !inner.empty() && inner.size() <= 200 && printable_ascii(inner) &&
           inner.find_first_of("[]") == std::string_view::npos;
  }
  return false;
}

bool is_device_id(std::string_view id) {
  return !id.empty() && id.size() <= 128 && printable_ascii(id);
}

bool is_push_endpoint(std::string_view endpoint, bool allow_http) {
  if (endpoint.size() > kMaxEndpointLength) return false;
  auto origin = webpush::endpoint_origin(endpoint);
  return !origin.empty() && (allow_http || origin.starts_with("https://"));
}

namespace {

// JavaScript numbers are exact up to 2^53; an expirationTime is epoch milliseconds.
constexpr double kMaxExpirationTime = 9007199254740991.0;

bool decodes_to(std::string_view text, std::size_t size, std::string& raw) {
  return text.find('=') == std::string_view::npos && crypto::base64url_decode(text, raw) &&
         raw.size() == size;
}

std::optional<WebSubscription> read_subscription(const json::object& object, bool allow_http_endpoints,
                                                 domain::BodyReader& outer) {
  domain::BodyReader reader(object);
  auto endpoint = reader.string("endpoint", 1, kMaxEndpointLength, {.required = true});
  auto expiration = reader.number("expirationTime", 0, kMaxExpirationTime, {.nullable = true});
  auto keys = reader.object("keys", {.required = true});
  if (endpoint.has_value() && !is_push_endpoint(*endpoint, allow_http_endpoints))
    reader.problem("endpoint", allow_http_endpoints ? "must be an absolute http(s) URL"
                                                    : "must be an absolute https URL");
  if (expiration.has_value() && *expiration != static_cast<double>(static_cast<std::int64_t>(*expiration)))
    reader.problem("expirationTime", "must be an integer (epoch milliseconds) or null");
  domain::Field<std::string> p256dh, auth;
  if (keys.has_value()) {
    domain::BodyReader key_reader(*keys);
    p256dh = key_reader.string("p256dh", 1, 200, {.required = true});
    auth = key_reader.string("auth", 1, 100, {.required = true});
    std::string raw;
    if (p256dh.has_value() &&
        !(decodes_to(*p256dh, webpush::kPublicPointSize, raw) && webpush::is_p256_point(raw)))
      key_reader.problem("p256dh", "must be base64url (no padding) of an uncompressed P-256 public key");
    if (auth.has_value() && !decodes_to(*auth, webpush::kAuthSecretSize, raw))
      key_reader.problem("auth", "must be base64url (no padding) of 16 bytes");
    reader.absorb("keys", key_reader);
  }
  const bool ok = reader.ok();
  outer.absorb("subscription", reader);
  if (!ok) return std::nullopt;
  return WebSubscription{*endpoint,
                         expiration.has_value()
                             ? std::optional<std::int64_t>(static_cast<std::int64_t>(*expiration))
                             : std::nullopt,
                         *p256dh, *auth};
}

}  // namespace

DeviceFields read_device_fields(const json::object& body, bool allow_http_endpoints) {
  domain::BodyReader reader(body);
  auto device_id = reader.string("deviceId", 1, 128, {.required = true});
  auto platform = reader.one_of("platform", {"ios", "android", "web"}, {.required = true});
  const bool web = platform.has_value() && *platform == kWebPlatform;
  const bool phone = platform.has_value() && !web;
  auto token = reader.string("token", 1, 256, {.required = phone});
  auto subscription_object = reader.object("subscription", {.required = web});
  auto device_name = reader.string("deviceName", 0, 100, {.nullable = true});
  auto app_version = reader.string("appVersion", 0, 50, {.nullable = true});
  if (device_id.has_value() && !is_device_id(*device_id))
    reader.problem("deviceId", "must be 1-128 printable ASCII characters without spaces");
  if (web && token.present) reader.problem("token", "not allowed for platform web: send subscription");
  if (phone && subscription_object.present)
    reader.problem("subscription", "only for platform web: send token");
  if (phone && token.has_value() && !is_expo_push_token(*token))
    reader.problem("token", "must be an Expo push token: ExponentPushToken[...] or ExpoPushToken[...]");
  std::optional<WebSubscription> subscription;
  if (web && subscription_object.has_value())
    subscription = read_subscription(*subscription_object, allow_http_endpoints, reader);
  reader.finish();
  auto address = subscription ? subscription->endpoint : *token;
  return {*device_id,        *platform,         std::move(address),
          device_name.value, app_version.value, std::move(subscription)};
}

json::object to_json(const Device& device) {
  auto optional = [](const std::optional<std::string>& text) { return text ? json::value(*text) : nullptr; };
  const auto* web = device.subscription ? &*device.subscription : nullptr;
  return {
      {"deviceId", device.device_id},
      {"platform", device.platform},
      {"token", web ? json::value(nullptr) : json::value(device.token)},
      {"endpoint", web ? json::value(web->endpoint) : nullptr},
      {"expirationTime", web && web->expiration_time ? json::value(*web->expiration_time) : nullptr},
      {"deviceName", optional(device.device_name)},
      {"appVersion", optional(device.app_version)},
      {"createdAt", format_rfc3339(device.created_at)},
      {"updatedAt", format_rfc3339(device.updated_at)},
  };
}

store::Item to_item(const Device& device) {
  auto key = keys::device(device.user_id, device.device_id);
  store::Item item{{"PK", key.pk},
                   {"SK", key.sk},
                   {"userId", device.user_id},
                   {"deviceId", device.device_id},
                   {"platform", device.platform},
                   {"token", device.token},
                   {"createdAt", format_rfc3339(device.created_at)},
                   {"updatedAt", format_rfc3339(device.updated_at)}};
  if (device.device_name) item["deviceName"] = *device.device_name;
  if (device.app_version) item["appVersion"] = *device.app_version;
  if (device.subscription) {
    item["p256dh"] = device.subscription->p256dh;
    item["auth"] = device.subscription->auth;
    if (device.subscription->expiration_time) item["expirationTime"] = *device.subscription->expiration_time;
  }
  return item;
}

Device device_from_item(const store::Item& item) {
  Device device;
  device.user_id = json_string(item, "userId");
  device.device_id = json_string(item, "deviceId");
  device.platform = json_string(item, "platform");
  device.token = json_string(item, "token");
  if (device.platform == kWebPlatform) {
    device.subscription = WebSubscription{device.token, json_int(item, "expirationTime"),
                                          json_string(item, "p256dh"), json_string(item, "auth")};
  }
  if (item.contains("deviceName")) device.device_name = json_string(item, "deviceName");
  if (item.contains("appVersion")) device.app_version = json_string(item, "appVersion");
  device.created_at = parse_rfc3339(json_string(item, "createdAt")).value_or(TimePoint{});
  device.updated_at = parse_rfc3339(json_string(item, "updatedAt")).value_or(device.created_at);
  return device;
}

store::Item push_token_claim_item(const Device& device) {
  auto key = keys::push_token_claim(device.token);
  return {{"PK", key.pk}, {"SK", key.sk}, {"userId", device.user_id}, {"deviceId", device.device_id}};
}

}  // namespace kefir::domain
