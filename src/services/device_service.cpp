#include "services/device_service.hpp"

#include "domain/errors.hpp"
#include "domain/keys.hpp"
#include "services/auth_service.hpp"
#include "services/change_log.hpp"

namespace kefir::services {
namespace {

// Each attempt re-reads; losing repeatedly to concurrent registrations of the same token ends in 409.
constexpr int kMaxWriteAttempts = 8;

struct TokenOwner {
  std::string user_id;
  std::string device_id;
};

std::optional<TokenOwner> read_claim(ServiceContext& ctx, std::string_view token) {
  auto claim = ctx.store->get(keys::push_token_claim(token));
  if (!claim) return std::nullopt;
  return TokenOwner{json_string(*claim, "userId"), json_string(*claim, "deviceId")};
}

// The claim still names exactly the owner we read.
store::Condition claimed_by(const TokenOwner& owner) {
  return store::Condition::all_of({store::Condition::equals("userId", json::string(owner.user_id)),
                                   store::Condition::equals("deviceId", json::string(owner.device_id))});
}

// A device item that is gone or still holds `token`: the state a move away from it expects.
store::Condition absent_or_holding(std::string_view token) {
  return store::Condition::any_of(
      {store::Condition::item_absent(), store::Condition::equals("token", json::string(token))});
}

store::Query devices_query(const std::string& user_id) {
  store::Query query;
  query.partition = keys::user_pk(user_id);
  query.sort = {store::SortOp::begins_with, std::string(keys::kDevicePrefix), {}};
  return query;
}

std::size_t count_devices(ServiceContext& ctx, const std::string& user_id) {
  auto query = devices_query(user_id);
  query.limit = domain::kMaxDevicesPerUser + 1;
  return ctx.store->query(query).items.size();
}

}  // namespace

DeviceRegistration register_device(ServiceContext& ctx, const std::string& user_id,
                                   const domain::DeviceFields& fields) {
  const auto device_key = keys::device(user_id, fields.device_id);
  for (int attempt = 0; attempt < kMaxWriteAttempts; ++attempt) {
    auto existing_item = ctx.store->get(device_key);
    std::optional<domain::Device> existing;
    if (existing_item) existing = domain::device_from_item(*existing_item);
    auto owner = read_claim(ctx, fields.token);
    const bool ours = owner && owner->user_id == user_id && owner->device_id == fields.device_id;
    const bool moves_from_own_device = owner && !ours && owner->user_id == user_id;

    if (!existing &&
        count_devices(ctx, user_id) - (moves_from_own_device ? 1 : 0) >= domain::kMaxDevicesPerUser)
      throw domain::conflict("at most " + std::to_string(domain::kMaxDevicesPerUser) + " devices per user");

    auto now = ctx.now();
    domain::Device device{user_id,
                          fields.device_id,
                          fields.platform,
                          fields.token,
                          fields.device_name,
                          fields.app_version,
                          existing ? existing->created_at : now,
                          now,
                          fields.subscription};
    std::vector<store::WriteOp> writes;
    writes.push_back(store::Put{
        domain::to_item(device),
        existing
            ? store::Condition::all_of(
                  {store::Condition::equals("token", json::string(existing->token)),
                   store::Condition::equals("updatedAt", json::string(format_rfc3339(existing->updated_at)))})
            : store::Condition::item_absent()});
    writes.push_back(store::Put{domain::push_token_claim_item(device),
                                owner ? claimed_by(*owner) : store::Condition::item_absent()});
    if (owner && !ours)
      writes.push_back(
          store::Delete{keys::device(owner->user_id, owner->device_id), absent_or_holding(fields.token)});
    if (existing && existing->token != fields.token)
      writes.push_back(store::Delete{keys::push_token_claim(existing->token),
                                     store::Condition::any_of({store::Condition::item_absent(),
                                                               claimed_by({user_id, fields.device_id})})});
    writes.push_back(user_exists_check(user_id));
    try {
      commit_changes(ctx, user_id, writes);
      return {std::move(device), !existing};
    } catch (const store::ConditionFailed& failed) {
      if (failed.index() == static_cast<int>(writes.size()) - 1) throw account_deleted();
      // Another registration of this device or token won the race: read again.
    }
  }
  throw domain::conflict("the device is being registered by another request; retry");
}

DevicePage list_devices_page(ServiceContext& ctx, const std::string& user_id, const PageRequest& page) {
  cursor::Codec codec(ctx.derive_key("cursor"));
  auto items =
      read_page(*ctx.store, codec, devices_query(user_id), cursor::fingerprint({"devices", user_id}), page);
  DevicePage result;
  result.next_cursor = std::move(items.next_cursor);
  for (const auto& item : items.items) result.devices.push_back(domain::device_from_item(item));
  return result;
}

std::vector<domain::Device> list_devices(ServiceContext& ctx, const std::string& user_id) {
  std::vector<domain::Device> devices;
  for (const auto& item : ctx.store->query(devices_query(user_id)).items)
    devices.push_back(domain::device_from_item(item));
  return devices;
}

void delete_device(ServiceContext& ctx, const std::string& user_id, std::string_view device_id) {
  if (!domain::is_device_id(device_id)) throw domain::not_found("device not found");
  const auto device_key = keys::device(user_id, device_id);
  for (int attempt = 0; attempt < kMaxWriteAttempts; ++attempt) {
    auto item = ctx.store->get(device_key);
    if (!item) throw domain::not_found("device not found");
    auto token = json_string(*item, "token");
    auto owner = read_claim(ctx, token);
    std::vector<store::WriteOp> writes{
        store::Delete{device_key, store::Condition::equals("token", json::string(token))}};
    if (owner && owner->user_id == user_id && owner->device_id == device_id)
      writes.push_back(store::Delete{keys::push_token_claim(token), claimed_by(*owner)});
    try {
      commit_changes(ctx, user_id, writes);
      return;
    } catch (const store::ConditionFailed&) {
    }
  }
  throw domain::conflict("the device is being changed by another request; retry");
}

bool remove_device_by_token(ServiceContext& ctx, std::string_view token) {
  for (int attempt = 0; attempt < kMaxWriteAttempts; ++attempt) {
    auto owner = read_claim(ctx, token);
    if (!owner) return false;
    try {
      commit_changes(
          ctx, owner->user_id,
          {store::Delete{keys::push_token_claim(token), claimed_by(*owner)},
           store::Delete{keys::device(owner->user_id, owner->device_id), absent_or_holding(token)}});
      return true;
    } catch (const store::ConditionFailed&) {
    }
  }
  return false;
}

void delete_all_devices(ServiceContext& ctx, const std::string& user_id) {
  for (const auto& device : list_devices(ctx, user_id)) {
    try {
      delete_device(ctx, user_id, device.device_id);
    } catch (const domain::Error& error) {
      if (error.failure() != domain::Failure::NotFound) throw;  // deleted meanwhile: nothing left to do
    }
  }
}

void register_device_hooks(ServiceContext& ctx) {
  ctx.hooks.account_deleted.push_back(
      [&ctx](const std::string& user_id) { delete_all_devices(ctx, user_id); });
}

}  // namespace kefir::services
