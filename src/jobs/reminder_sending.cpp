// Delivering claimed reminders through the channels: Expo for phones (100 messages to a request) and Web Push
// for browsers (one request each), with what each answer means for the claim.
#include <algorithm>
#include <future>

#include "jobs/reminder_pass.hpp"
#include "ops/metrics.hpp"
#include "services/auth_service.hpp"
#include "services/device_service.hpp"
#include "util/crypto.hpp"
#include "util/log.hpp"

namespace kefir::jobs {
namespace {

using reminder_pass::kDeviceNotRegistered;
using reminder_pass::kMessageRateExceeded;
using reminders::Reminder;

constexpr std::string_view kTitle = "Kefir reminder";
// Browsers get one request each; a unit sends this many at once, so slow push services do not add up to the
// claims' lease.
constexpr std::size_t kWebPushesAtOnce = 8;

json::object message_data(const Reminder& r) {
  return {{"batchId", r.batch_id}, {"reminderId", r.reminder_id}, {"type", r.type}};
}

push::Message message_for(const Reminder& r, const domain::Device& device) {
  return {device.token, std::string(kTitle), r.message, message_data(r)};
}

// What the web app's service worker shows: the same title, body and data as the Expo message.
std::string web_push_payload(const Reminder& r) {
  return json::serialize(json::object{{"title", kTitle}, {"body", r.message}, {"data", message_data(r)}});
}

}  // namespace

std::shared_ptr<const ReminderProcessor::Recipients> ReminderProcessor::recipients(
    Pass& pass, const std::string& user_id) {
  {
    std::lock_guard lock(pass.mutex);
    if (auto found = pass.recipients.find(user_id); found != pass.recipients.end()) return found->second;
  }
  auto loaded = std::make_shared<Recipients>();
  if (auto profile = services::read_user_profile(*ctx_.store, user_id))
    loaded->notifications_enabled = profile->preferences.notifications_enabled;
  if (loaded->notifications_enabled) loaded->devices = services::list_devices(ctx_, user_id);
  std::lock_guard lock(pass.mutex);
  return pass.recipients.emplace(user_id, std::move(loaded)).first->second;
}

void ReminderProcessor::forget_device(Pass& pass, const Claim& claim, const domain::Device& device,
                                      std::string_view why) {
  {
    std::lock_guard lock(pass.mutex);
    if (!pass.removed_tokens.insert(device.token).second) return;
  }
  if (services::remove_device_by_token(ctx_, device.token)) {
    log::info("push address no longer valid; device removed",
              {{"userId", claim.reminder.user_id}, {"deviceId", device.device_id}, {"reason", why}});
  }
}

void ReminderProcessor::send_claims(Pass& pass, std::vector<Claim>& claims) {
  std::vector<DeviceSlot> expo_slots;
  std::vector<DeviceSlot> web_slots;
  std::vector<std::shared_ptr<const Recipients>> held;  // keeps the devices the slots point to alive
  for (std::size_t i = 0; i < claims.size(); ++i) {
    auto& claim = claims[i];
    auto recipients_of_user = recipients(pass, claim.reminder.user_id);
    held.push_back(recipients_of_user);
    if (!recipients_of_user->notifications_enabled) {
      claim.fail("notifications_disabled", "notifications_disabled");
      continue;
    }
    std::vector<const domain::Device*> expo_devices;
    bool any = false;
    for (const auto& device : recipients_of_user->devices) {
      const auto& only = claim.reminder.resend_to;
      if (!only.empty() && std::find(only.begin(), only.end(), device.device_id) == only.end()) continue;
      any = true;
      if (device.subscription) {
        web_slots.push_back({i, &device});
      } else {
        expo_devices.push_back(&device);
      }
    }
    if (!any) {
      claim.fail("no_devices", "no_devices");
      continue;
    }
    // A reminder's Expo messages travel in one request, so one request's fate is theirs.
    if (expo_slots.size() + expo_devices.size() > sender_->max_messages_per_request()) {
      send_expo_request(pass, claims, expo_slots);
      expo_slots.clear();
    }
    for (const auto* device : expo_devices) expo_slots.push_back({i, device});
  }
  send_expo_request(pass, claims, expo_slots);
  send_web_pushes(pass, claims, web_slots);
  for (auto& claim : claims)
    if (claim.result == Claim::Result::unsent) claim.settle();
}

void ReminderProcessor::send_expo_request(Pass& pass, std::vector<Claim>& claims,
                                          const std::vector<DeviceSlot>& slots) {
  if (slots.empty()) return;
  std::vector<push::Message> messages;
  messages.reserve(slots.size());
  for (const auto& slot : slots) messages.push_back(message_for(claims[slot.claim].reminder, *slot.device));
  auto result = sender_->send(messages);
  if (result.outcome == push::SendResult::Outcome::accepted) {
    for (std::size_t k = 0; k < slots.size(); ++k) {
      auto& claim = claims[slots[k].claim];
      const auto& ticket = result.tickets[k];
      if (ticket.ok) {
        claim.tickets.push_back({ticket.id, slots[k].device->device_id, slots[k].device->token});
        continue;
      }
      claim.ticket_errors.push_back(ticket.error);
      metrics_.push_error(ticket.error);
      if (ticket.error == kDeviceNotRegistered) forget_device(pass, claim, *slots[k].device, ticket.error);
    }
    return;
  }
  metrics_.push_error(result.error.starts_with("network") ? "network" : result.error);
  log::warn("push request failed", {{"error", result.error}, {"messages", messages.size()}});
  for (const auto& slot : slots) {
    auto& claim = claims[slot.claim];
    if (result.outcome == push::SendResult::Outcome::retryable) {
      claim.needs_retry(slot.device->device_id, result.error);
    } else if (!claim.rejected) {
      claim.rejected = result.error;
    }
  }
}

void ReminderProcessor::send_web_pushes(Pass& pass, std::vector<Claim>& claims,
                                        const std::vector<DeviceSlot>& slots) {
  for (std::size_t at = 0; at < slots.size(); at += kWebPushesAtOnce) {
    const auto end = std::min(slots.size(), at + kWebPushesAtOnce);
    std::vector<std::future<push::WebPushResult>> answers;
    for (auto k = at; k < end; ++k) {
      answers.push_back(std::async(std::launch::async, [this, &claims, slot = slots[k]] {
        return send_web_push(claims[slot.claim].reminder, *slot.device);
      }));
    }
    for (auto k = at; k < end; ++k)
      record_web_push(pass, claims[slots[k].claim], *slots[k].device, answers[k - at].get());
  }
}

void ReminderProcessor::Claim::settle() {
  if (!retry_devices.empty()) {
    // Devices that accepted are not sent to again: the retry goes to the others only.
    if (delivered()) resend_to = retry_devices;
    retry(retry_error);
  } else if (delivered()) {
    result = Result::sent;
  } else if (std::find(ticket_errors.begin(), ticket_errors.end(), kMessageRateExceeded) !=
             ticket_errors.end()) {
    retry(std::string(kMessageRateExceeded));
  } else if (rejected) {
    fail("push_rejected: " + *rejected, "push_rejected");
  } else if (!ticket_errors.empty()) {
    fail("tickets_failed: " + ticket_errors.front(), "tickets_failed");
  } else if (!web_errors.empty()) {
    fail("web_push_failed: " + web_errors.front(), "web_push_failed");
  }
}

push::WebPushResult ReminderProcessor::send_web_push(const Reminder& reminder, const domain::Device& device) {
  const auto& subscription = *device.subscription;
  push::WebPushSubscription target{subscription.endpoint, {}, {}};
  if (!crypto::base64url_decode(subscription.p256dh, target.p256dh) ||
      !crypto::base64url_decode(subscription.auth, target.auth))  // registration validated them: not expected
    return {push::WebPushResult::Outcome::rejected, "unusable_subscription"};
  return web_sender_->send(target, web_push_payload(reminder));
}

void ReminderProcessor::record_web_push(Pass& pass, Claim& claim, const domain::Device& device,
                                        const push::WebPushResult& result) {
  using Outcome = push::WebPushResult::Outcome;
  if (result.outcome == Outcome::accepted) {
    ++claim.web_delivered;
    metrics_.web_push_sent();
    return;
  }
  const bool network = result.error.starts_with("network");
  metrics_.web_push_error(network ? "network" : result.error);
  switch (result.outcome) {
    case Outcome::gone:
      claim.web_errors.push_back(result.error);
      forget_device(pass, claim, device, result.error);
      break;
    case Outcome::retryable:
      log::warn("web push failed; will retry", {{"deviceId", device.device_id}, {"error", result.error}});
      claim.needs_retry(device.device_id, result.error);
      break;
    case Outcome::rejected:
      log::warn("web push refused", {{"deviceId", device.device_id}, {"error", result.error}});
      claim.web_errors.push_back(result.error);
      if (!claim.rejected) claim.rejected = result.error;
      break;
    case Outcome::accepted:
      break;
  }
}

}  // namespace kefir::jobs
