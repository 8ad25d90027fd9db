#pragma once
// A reminder (SPEC §5): its stored item, its JSON, its state rules and the validation of the bodies that
// create or change one. The item carries delivery bookkeeping (lease, tickets) that clients never see.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ports/item_store.hpp"
#include "util/json.hpp"
#include "util/time.hpp"

namespace kefir::reminders {

enum class Status { pending, sending, sent, failed, cancelled };
std::string_view to_string(Status status);
std::optional<Status> parse_status(std::string_view text);

inline constexpr std::size_t kMaxPerConfirm = 10;
inline constexpr hours kMaxAhead{24 * 60};
inline constexpr std::size_t kMaxPendingPerUser = 500;
inline constexpr std::size_t kMaxMessageChars = 200;
inline constexpr std::size_t kMaxTypeChars = 50;
inline constexpr std::string_view kDefaultType = "custom";

// Item attribute names the processor's conditions and updates refer to.
namespace attr {
inline constexpr std::string_view status = "status";
inline constexpr std::string_view completed = "completed";
inline constexpr std::string_view scheduled_time = "scheduledTime";
inline constexpr std::string_view deliver_at = "deliverAt";
inline constexpr std::string_view attempts = "attempts";
inline constexpr std::string_view lease_until = "leaseUntil";  // epoch milliseconds
inline constexpr std::string_view lease_owner = "leaseOwner";
inline constexpr std::string_view sent_at = "sentAt";
inline constexpr std::string_view failure_reason = "failureReason";
inline constexpr std::string_view last_error = "lastError";
inline constexpr std::string_view tickets = "tickets";
inline constexpr std::string_view receipt_error = "receiptError";
inline constexpr std::string_view resend_to = "resendTo";
inline constexpr std::string_view resent = "resent";
inline constexpr std::string_view updated_at = "updatedAt";
inline constexpr std::string_view completed_at = "completedAt";
inline constexpr std::string_view message = "message";
inline constexpr std::string_view pinned = "pinned";
inline constexpr std::string_view model_fraction = "modelFraction";
inline constexpr std::string_view gsi1pk = "GSI1PK";
inline constexpr std::string_view gsi1sk = "GSI1SK";
}  // namespace attr

// A push ticket Expo returned for one device: what the receipts pass needs to find the device again.
struct Ticket {
  std::string id;
  std::string device_id;
  std::string token;
};

struct Reminder {
  std::string reminder_id;
  std::string batch_id;
  std::string batch_name;
  std::string user_id;
  std::string type;
  std::string message;
  TimePoint scheduled_time;             // as the user set it
  std::optional<TimePoint> deliver_at;  // when quiet hours move it (delivery_time()); else scheduled_time
  Status status = Status::pending;
  bool completed = false;
  std::optional<TimePoint> completed_at;
  std::optional<TimePoint> sent_at;
  std::int64_t attempts = 0;
  std::string failure_reason;
  std::string receipt_error;
  TimePoint created_at;
  TimePoint updated_at;
  // Delivery bookkeeping.
  std::vector<Ticket> tickets;
  std::vector<std::string> resend_to;  // a receipt asked for one resend to these devices only
  bool resent = false;
  // Set at confirm time for the suggestions that follow the fermentation (the share of the stage they mark):
  // measured temperatures re-time them, unless the user pinned the reminder.
  std::optional<double> model_fraction;
  bool pinned = false;

  bool awaiting_delivery() const { return status == Status::pending || status == Status::sending; }
  TimePoint delivery() const { return deliver_at.value_or(scheduled_time); }
};

// Whether measured temperatures re-time the reminder now: a suggestion that follows the fermentation, waiting
// for its time, not pinned, never sent to any device (a sent one never moves, even while it waits for a
// resend).
bool follows_fermentation(const Reminder& reminder);
// Whether it follows the fermentation now or may later: one being sent may come back to wait, a pinned one
// may be unpinned.
bool may_follow_fermentation(const Reminder& reminder);

// The re-timing hint of a batch (keys::retime_hint) says "no reminder to re-time" once a reading found none
// that follows the fermentation or may later, so that the next readings do not read the user's reminders
// again. No hint means "not known": a batch from before the hint, or one whose reminders changed, is looked
// at. Confirming a reminder that may follow writes `mark_retime_hint` in the same transaction: it clears the
// "none" and bumps the generation, so a reading that looked before the confirmation cannot then set "none"
// (`set_nothing_to_retime` holds on the generation it read).
inline constexpr std::string_view kRetimeHintGeneration = "generation";
inline constexpr std::string_view kRetimeHintNone = "nothingToRetime";
store::UpdateItem mark_retime_hint(std::string_view batch_id);
bool nothing_to_retime(const std::optional<store::Item>& hint);
store::UpdateItem set_nothing_to_retime(std::string_view batch_id,
                                        const std::optional<store::Item>& hint_read);

json::array to_json(const std::vector<Ticket>& tickets);

// GSI1 (the due index) is present only while the reminder awaits delivery; its sort key is when the reminder
// can next be claimed (delivery time, retry time, or lease expiry).
store::Item to_item(const Reminder& reminder);
Reminder from_item(const store::Item& item);
json::object to_json(const Reminder& reminder);
json::array to_json(const std::vector<Reminder>& reminders);

// Fields of the due index for a reminder that can be claimed from `due`.
json::object due_index(std::string_view reminder_id, TimePoint due);

struct NewReminder {
  TimePoint scheduled_time;
  std::string message;
  std::string type;
};
// POST .../reminders/confirm: 1-10 reminders, each in the future and at most 60 days ahead. Throws
// VALIDATION_ERROR naming every bad field ("reminders[2].scheduledTime").
std::vector<NewReminder> parse_confirm(const json::object& body, TimePoint now);

struct ReminderPatch {
  std::optional<TimePoint> scheduled_time;
  std::optional<std::string> message;
  std::optional<bool> pinned;
  // Set by the measured model, not the user: a pinned reminder is left where it is.
  bool from_model = false;
};
// PATCH /me/reminders/{id}: the same limits as confirm.
ReminderPatch parse_patch(const json::object& body, TimePoint now);

}  // namespace kefir::reminders
