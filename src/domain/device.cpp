#include "domain/device.hpp"

#include "domain/keys.hpp"
#include "http/json_body.hpp"

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

DeviceFields read_device_fields(const json::object& body) {
  http::BodyReader reader(body);
  auto device_id = reader.string("deviceId", 1, 128, {.required = true});
  auto platform = reader.one_of("platform", {"ios", "android", "web"}, {.required = true});
  auto token = reader.string("token", 1, 256, {.required = true});
  auto device_name = reader.string("deviceName", 0, 100, {.nullable = true});
  auto app_version = reader.string("appVersion", 0, 50, {.nullable = true});
  if (device_id.has_value() && !is_device_id(*device_id))
    reader.problem("deviceId", "must be 1-128 printable ASCII characters without spaces");
  if (token.has_value() && !is_expo_push_token(*token))
    reader.problem("token", "must be an Expo push token: ExponentPushToken[...] or ExpoPushToken[...]");
  reader.finish();
  return {*device_id, *platform, *token, device_name.value, app_version.value};
}

json::object to_json(const Device& device) {
  auto optional = [](const std::optional<std::string>& text) { return text ? json::value(*text) : nullptr; };
  return {
      {"deviceId", device.device_id},
      {"platform", device.platform},
      {"token", device.token},
      {"deviceName", optional(device.device_name)},
      {"appVersion", optional(device.app_version)},
      {"createdAt", format_rfc3339(device.created_at)},
      {"updatedAt", format_rfc3339(device.updated_at)},
  };
}

store::Item to_item(const Device& device) {
  auto key = keys::device(device.user_id, device.device_id);
  store::Item item{{"PK", key.pk}, {"SK", key.sk}, {"userId", device.user_id}};
  for (auto& [name, value] : to_json(device))
    if (!value.is_null()) item[name] = std::move(value);
  return item;
}

Device device_from_item(const store::Item& item) {
  Device device;
  device.user_id = json_string(item, "userId");
  device.device_id = json_string(item, "deviceId");
  device.platform = json_string(item, "platform");
  device.token = json_string(item, "token");
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
