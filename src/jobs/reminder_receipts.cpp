// Expo's push receipts, read EXPO_RECEIPT_DELAY after sending by the process that sent: a device no longer
// registered is removed, MessageRateExceeded resends once to the devices refused, other errors are noted on
// the reminder.
#include <algorithm>

#include "domain/keys.hpp"
#include "jobs/reminder_pass.hpp"
#include "ops/metrics.hpp"
#include "services/device_service.hpp"
#include "util/log.hpp"

namespace kefir::jobs {
namespace {

using reminder_pass::device_id_array;
using reminder_pass::kDeviceNotRegistered;
using reminder_pass::kMessageRateExceeded;
using reminder_pass::text;
using reminder_pass::update_reminder;
using reminders::Status;
using store::Condition;
namespace attr = reminders::attr;

constexpr std::chrono::hours kReceiptLifetime{24};  // Expo keeps receipts this long
constexpr seconds kReceiptRetry{60};                // after a failed receipts call

}  // namespace

std::optional<TimePoint> ReminderProcessor::next_receipt_time() {
  std::lock_guard lock(mutex_);
  std::optional<TimePoint> next;
  for (const auto& receipt : receipts_)
    if (!next || receipt.due < *next) next = receipt.due;
  return next;
}

void ReminderProcessor::check_receipts(TimePoint now) {
  std::vector<PendingReceipt> due;
  {
    std::lock_guard lock(mutex_);
    auto split = std::partition(receipts_.begin(), receipts_.end(),
                                [now](const PendingReceipt& receipt) { return receipt.due > now; });
    due.assign(std::make_move_iterator(split), std::make_move_iterator(receipts_.end()));
    receipts_.erase(split, receipts_.end());
  }
  std::vector<PendingReceipt> later;
  auto try_later = [&](PendingReceipt receipt, TimePoint when) {
    if (when >= receipt.sent_at + kReceiptLifetime) return;  // Expo no longer has it
    receipt.due = when;
    later.push_back(std::move(receipt));
  };
  // MessageRateExceeded: one resend per reminder, to the devices that were refused.
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> resends;

  const std::size_t per_call = sender_->max_receipt_ids_per_request();
  for (std::size_t at = 0; at < due.size(); at += per_call) {
    const auto end = std::min(due.size(), at + per_call);
    std::vector<std::string> ids;
    for (auto i = at; i < end; ++i) ids.push_back(due[i].ticket_id);
    std::map<std::string, push::Receipt> receipts;
    try {
      receipts = sender_->receipts(ids);
    } catch (const std::exception& error) {
      log::warn("reading push receipts failed", {{"error", error.what()}});
      metrics_.push_error("receipts_unavailable");
      for (auto i = at; i < end; ++i) try_later(std::move(due[i]), now + kReceiptRetry);
      continue;
    }
    for (auto i = at; i < end; ++i) {
      auto found = receipts.find(due[i].ticket_id);
      if (found == receipts.end()) {
        try_later(std::move(due[i]), now + options_.receipt_delay);  // not ready yet
      } else if (found->second.error == kMessageRateExceeded) {
        metrics_.push_error(kMessageRateExceeded);
        resends[{due[i].user_id, due[i].reminder_id}].push_back(due[i].device_id);
      } else if (!found->second.ok) {
        handle_receipt(due[i], found->second, now);
      }
    }
  }

  for (const auto& [owner, devices] : resends) {
    const auto& [user_id, reminder_id] = owner;
    const TimePoint again = now + retry_delay(1);
    store::Update update;
    update.set[attr::status] = reminders::to_string(Status::pending);
    update.set[attr::resend_to] = device_id_array(devices);
    update.set[attr::updated_at] = format_rfc3339(now);
    for (auto& [name, value] : reminders::due_index(reminder_id, again)) update.set[name] = value;
    try {
      update_reminder(
          ctx_, keys::reminder(user_id, reminder_id), std::move(update),
          Condition::all_of(
              {Condition::equals(text(attr::status), json::string(reminders::to_string(Status::sent))),
               Condition::equals(text(attr::completed), false), Condition::not_exists(text(attr::resent))}));
      notify_due(again);
    } catch (const store::ConditionFailed&) {
      // Already resent once, completed, or gone.
    }
  }
  std::lock_guard lock(mutex_);
  for (auto& receipt : later) receipts_.push_back(std::move(receipt));
}

void ReminderProcessor::handle_receipt(const PendingReceipt& pending, const push::Receipt& receipt,
                                       TimePoint now) {
  metrics_.push_error(receipt.error);
  if (receipt.error == kDeviceNotRegistered) {
    if (services::remove_device_by_token(ctx_, pending.token)) {
      log::info("push receipt: device no longer registered; removed",
                {{"userId", pending.user_id}, {"deviceId", pending.device_id}});
    }
    return;
  }
  log::warn("push receipt error", {{"reminderId", pending.reminder_id}, {"error", receipt.error}});
  store::Update update;
  update.set[attr::receipt_error] = receipt.error;
  update.set[attr::updated_at] = format_rfc3339(now);
  try {
    update_reminder(ctx_, keys::reminder(pending.user_id, pending.reminder_id), std::move(update),
                    Condition::item_exists());
  } catch (const store::ConditionFailed&) {
    // The reminder was deleted meanwhile.
  }
}

}  // namespace kefir::jobs
