#pragma once
// A registered phone (SPEC §6): validation of the registration body (Expo push tokens), conversions to the
// API's JSON and to the stored items. Pure: no I/O.
#include <optional>
#include <string>
#include <string_view>

#include "ports/item_store.hpp"
#include "util/json.hpp"
#include "util/time.hpp"

namespace kefir::domain {

inline constexpr std::size_t kMaxDevicesPerUser = 20;

struct Device {
  std::string user_id;
  std::string device_id;
  std::string platform;
  std::string token;
  std::optional<std::string> device_name;
  std::optional<std::string> app_version;
  TimePoint created_at;
  TimePoint updated_at;
};

struct DeviceFields {
  std::string device_id;
  std::string platform;
  std::string token;
  std::optional<std::string> device_name;
  std::optional<std::string> app_version;
};
// Validates a registration body; throws VALIDATION_ERROR naming each bad or unknown field.
DeviceFields read_device_fields(const json::object& body);

// "ExponentPushToken[...]" or "ExpoPushToken[...]" with a non-empty printable inside.
bool is_expo_push_token(std::string_view token);
// Device ids come from the phone: 1-128 printable ASCII characters.
bool is_device_id(std::string_view id);

json::object to_json(const Device& device);
store::Item to_item(const Device& device);
Device device_from_item(const store::Item& item);

// The PUSHTOKEN# claim naming the one device that owns a token.
store::Item push_token_claim_item(const Device& device);

}  // namespace kefir::domain
