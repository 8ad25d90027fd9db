#pragma once
// What the reminder processor's steps share (jobs/reminder_processor.hpp): the state of a pass, a claimed
// reminder on its way through sending and recording, and the due index's keys. Internal to src/jobs.
#include <functional>
#include <map>
#include <set>
#include <unordered_map>

#include "domain/change_log.hpp"
#include "jobs/reminder_processor.hpp"
#include "util/ids.hpp"

namespace kefir::jobs {

struct ReminderProcessor::Recipients {
  bool notifications_enabled = true;
  std::vector<domain::Device> devices;
};

struct ReminderProcessor::Claim {
  enum class Result { unsent, sent, retry, failed };
  reminders::Reminder reminder;  // as claimed: status sending, attempts counting this one
  Result result = Result::unsent;
  std::string reason;        // failureReason, or the error a retry follows
  std::string metric_label;  // the failure's bounded name for the metrics
  std::vector<reminders::Ticket> tickets;
  std::vector<std::string> ticket_errors;
  std::size_t web_delivered = 0;
  std::vector<std::string> web_errors;     // answers that will not change: gone or refused
  std::vector<std::string> retry_devices;  // devices whose push service asked to try again later
  std::string retry_error;                 // the first such answer
  std::optional<std::string> rejected;     // a push service refused the request itself
  std::vector<std::string> resend_to;      // a retry that only these devices still need

  bool delivered() const { return !tickets.empty() || web_delivered > 0; }
  void fail(std::string why, std::string label) {
    result = Result::failed;
    reason = std::move(why);
    metric_label = std::move(label);
  }
  void retry(std::string why) {
    result = Result::retry;
    reason = std::move(why);
  }
  void needs_retry(const std::string& device_id, const std::string& error) {
    retry_devices.push_back(device_id);
    if (retry_error.empty()) retry_error = error;
  }
  // The result once every channel answered: sent, retried (only for the devices that still need it) or
  // failed with the reason that matters most.
  void settle();
};

// A device a claimed reminder goes to, in one request of its channel.
struct ReminderProcessor::DeviceSlot {
  std::size_t claim;  // index in the unit's claims
  const domain::Device* device;
};

struct ReminderProcessor::Pass {
  std::string owner = uuid_v4();  // the lease owner: claims of this pass
  TimePoint deadline;
  std::mutex mutex;  // guards the fields below
  std::unordered_map<std::string, std::shared_ptr<const Recipients>> recipients;
  std::set<std::string> removed_tokens;
  PassSummary summary;
  // Reminders this round marked sent or failed, by user: logged to the change feed after the round.
  std::map<std::string, std::vector<changes::Record>> outcomes;
};

struct ReminderProcessor::PendingReceipt {
  std::string ticket_id;
  std::string user_id;
  std::string reminder_id;
  std::string device_id;
  std::string token;
  TimePoint sent_at;
  TimePoint due;
};

namespace reminder_pass {

inline constexpr std::string_view kDeviceNotRegistered = "DeviceNotRegistered";
inline constexpr std::string_view kMessageRateExceeded = "MessageRateExceeded";

// Every shard of the due index, named by keys::due_shard itself so the two can never disagree.
const std::vector<std::string>& due_shards();
// Due keys sort as "<time>#<id>" with fixed-width times: everything due at or before `now` sorts below this.
std::string due_bound(TimePoint now);

std::string text(std::string_view name);
json::array device_id_array(const std::vector<std::string>& device_ids);
void leave_due_index(store::Update& update);
void drop_lease(store::Update& update);
// A single write of a reminder (not one of a round's outcomes), committed with its change-log entry.
void update_reminder(ServiceContext& ctx, store::Key key, store::Update update, store::Condition condition);

// Runs `write(begin, end)` for every slice of [0, count) that fits one store transaction, all at once: a
// durable commit takes milliseconds, and a unit's slices queued together share one group commit instead of
// waiting for one another.
void write_in_transactions(std::size_t count, const std::function<void(std::size_t, std::size_t)>& write);

}  // namespace reminder_pass
}  // namespace kefir::jobs
