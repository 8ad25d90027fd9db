#pragma once
// Device registration (SPEC §6). A push token belongs to one device at a time: the PUSHTOKEN# claim item
// names it and is written in the same transaction as the device, so a token re-registered by another user
// moves to that user atomically (a phone that changed account) without trusting an eventually consistent
// index.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/device.hpp"
#include "services/context.hpp"
#include "services/paged_query.hpp"

namespace kefir::services {

struct DeviceRegistration {
  domain::Device device;
  bool created = false;  // 201 the first time, 200 after
};

// Upsert; 409 when it would be the user's 21st device.
DeviceRegistration register_device(ServiceContext& ctx, const std::string& user_id,
                                   const domain::DeviceFields& fields);

struct DevicePage {
  std::vector<domain::Device> devices;
  std::optional<std::string> next_cursor;
};
DevicePage list_devices_page(ServiceContext& ctx, const std::string& user_id, const PageRequest& page);

// Every device of the user (at most 20): where the reminder processor sends a notification.
std::vector<domain::Device> list_devices(ServiceContext& ctx, const std::string& user_id);

// 404 when the user has no such device.
void delete_device(ServiceContext& ctx, const std::string& user_id, std::string_view device_id);

// Forgets whichever device holds `token` (Expo answered DeviceNotRegistered). False when no device had it.
bool remove_device_by_token(ServiceContext& ctx, std::string_view token);

// DELETE /me: the user's devices and their push-token claims.
void delete_all_devices(ServiceContext& ctx, const std::string& user_id);
void register_device_hooks(ServiceContext& ctx);

}  // namespace kefir::services
