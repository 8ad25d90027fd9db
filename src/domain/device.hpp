#pragma once
// A registered phone or browser (SPEC §6): validation of the registration body (an Expo push token, or a
// browser's Web Push subscription), conversions to the API's JSON and to the stored items. Pure: no I/O.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ports/item_store.hpp"
#include "util/json.hpp"
#include "util/time.hpp"

namespace kefir::domain {

inline constexpr std::size_t kMaxDevicesPerUser = 20;
inline constexpr std::size_t kMaxEndpointLength = 2048;
inline constexpr std::string_view kWebPlatform = "web";

// PushSubscription.toJSON() of a browser; the keys as it gives them (base64url).
struct WebSubscription {
  std::string endpoint;
  std::optional<std::int64_t> expiration_time;  // epoch milliseconds
  std::string p256dh;
  std::string auth;
};

struct Device {
  std::string user_id;
  std::string device_id;
  std::string platform;
  // The push address, which one device owns at a time (the PUSHTOKEN# claim): the Expo push token, or for
  // platform web the subscription's endpoint.
  std::string token;
  std::optional<std::string> device_name;
  std::optional<std::string> app_version;
  TimePoint created_at;
  TimePoint updated_at;
  std::optional<WebSubscription> subscription;  // platform web only
};

struct DeviceFields {
  std::string device_id;
  std::string platform;
  std::string token;  // as Device::token
  std::optional<std::string> device_name;
  std::optional<std::string> app_version;
  std::optional<WebSubscription> subscription;
};
// Validates a registration body; throws VALIDATION_ERROR naming each bad or unknown field. Platform web
// takes `subscription` (no `token`), ios and android `token` (no `subscription`). `allow_http_endpoints`
// (stage dev) also accepts http:// endpoints, for local push services.
DeviceFields read_device_fields(const json::object& body, bool allow_http_endpoints);

// "ExponentPushToken[...]" or "ExpoPushToken[...]" with a non-empty printable inside.
bool is_expo_push_token(std::string_view token);
// Device ids come from the phone: 1-128 printable ASCII characters.
bool is_device_id(std::string_view id);
// An absolute https:// (or, when allowed, http://) URL with a host, at most 2048 characters.
bool is_push_endpoint(std::string_view endpoint, bool allow_http);

json::object to_json(const Device& device);
store::Item to_item(const Device& device);
Device device_from_item(const store::Item& item);

// The PUSHTOKEN# claim naming the one device that owns a push address (keys::push_token_claim).
store::Item push_token_claim_item(const Device& device);

}  // namespace kefir::domain
