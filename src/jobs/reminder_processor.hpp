#pragma once
// Delivers due reminders through the push ports (SPEC §5): Expo for phones, Web Push for browsers.
//
// Due work is the sparse GSI1 index: a reminder is in one of 16 "DUE#" shards while pending or sending, with
// the time it can next be claimed as sort key (its scheduled time, a retry time, or its lease expiry), so a
// pass reads only what is due, never the table. Each reminder is claimed with a conditional write (pending,
// or sending with an expired lease, to sending with a 60 s lease naming this pass), so any number of
// processors — several `kefir serve`, overlapping Lambda invocations — send it once; a processor that dies
// after claiming loses the lease, and the reminder goes out after it expires.
//
// A pass claims in transactions of 25 from several workers (the SQLite store commits concurrent writes
// together), sends each user's devices 100 messages to a request, and records the outcome: sent with its
// ticket ids; retried with exponential backoff and jitter on 429, 5xx and network errors (the reminder goes
// back to pending with a later due key); failed after 5 attempts, or at once for users without devices or
// with notifications off. DeviceNotRegistered removes the device. Browsers get one Web Push request each, in
// the same pass: 404/410 removes the device, 429/5xx/network errors retry like an Expo request's, and a
// reminder some devices accepted is retried for the others only (resendTo), so nobody gets it twice.
// Receipts are read EXPO_RECEIPT_DELAY after sending by the process that sent (they are a cleanup: a lost
// check only delays removing a dead device).
//
// The work is split by step: reminder_processor.cpp runs the passes, reminder_claims.cpp claims due
// reminders, reminder_sending.cpp delivers them through the channels, reminder_outcomes.cpp records what
// happened and reminder_receipts.cpp reads the receipts; reminder_pass.hpp is what they share.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "domain/device.hpp"
#include "domain/reminder.hpp"
#include "jobs/background_job.hpp"
#include "jobs/periodic_job.hpp"
#include "ops/metrics.hpp"
#include "ports/push_sender.hpp"
#include "ports/web_push_sender.hpp"
#include "services/context.hpp"

namespace kefir::jobs {

struct ReminderProcessorOptions {
  std::chrono::seconds interval{300};       // REMINDER_INTERVAL: the sweep that catches everything
  std::chrono::seconds receipt_delay{900};  // EXPO_RECEIPT_DELAY
  std::chrono::seconds lease{60};
  std::int64_t max_attempts = 5;
  milliseconds first_retry{1000};  // doubles per attempt, with jitter
  std::size_t workers = 64;        // concurrent claim/send/record units (sends are capped by the sender)
  std::size_t unit_size = 100;     // reminders a worker claims and sends together
};

struct PassSummary {
  std::size_t claimed = 0;
  std::size_t sent = 0;
  std::size_t failed = 0;
  std::size_t retried = 0;
  std::size_t released = 0;           // claims given back unsent (stopping, deadline)
  std::optional<TimePoint> next_due;  // earliest due key left in the index
};

class ReminderProcessor final : public BackgroundJob {
 public:
  ReminderProcessor(ServiceContext& ctx, std::shared_ptr<push::PushSender> sender,
                    std::shared_ptr<push::WebPushSender> web_sender, ops::ServiceMetrics& metrics,
                    ReminderProcessorOptions options = {});
  ~ReminderProcessor() override;
  ReminderProcessor(const ReminderProcessor&) = delete;
  ReminderProcessor& operator=(const ReminderProcessor&) = delete;

  // Standalone: a periodic job that runs passes at the next due time (told by notify_due) and every interval.
  void start() override;
  // Ends the thread; claims not yet sent are released (back to pending) before it returns.
  void stop() override;

  // One pass (also what a scheduled Lambda invocation runs): delivers everything due until none is left or
  // `deadline` passes, then reads the receipts that are due.
  PassSummary run_once(TimePoint deadline);

  // A reminder became due at `due` (created or rescheduled in this process).
  void notify_due(TimePoint due);

 private:
  struct Claim;
  struct Pass;
  struct Recipients;
  struct DeviceSlot;
  struct PendingReceipt;

  // The standalone job's pass: run_once, then when the next one is due.
  TimePoint scheduled_pass();
  std::size_t deliver_round(Pass& pass, TimePoint deadline);
  void process_unit(Pass& pass, std::vector<store::Item> candidates);

  std::vector<Claim> claim(Pass& pass, std::vector<store::Item> candidates);
  void fix_stale_entry(const store::Item& item, TimePoint now);

  std::shared_ptr<const Recipients> recipients(Pass& pass, const std::string& user_id);
  void send_claims(Pass& pass, std::vector<Claim>& claims);
  // One Expo request carrying a message per slot.
  void send_expo_request(Pass& pass, std::vector<Claim>& claims, const std::vector<DeviceSlot>& slots);
  void send_web_pushes(Pass& pass, std::vector<Claim>& claims, const std::vector<DeviceSlot>& slots);
  push::WebPushResult send_web_push(const reminders::Reminder& reminder, const domain::Device& device);
  void record_web_push(Pass& pass, Claim& claim, const domain::Device& device,
                       const push::WebPushResult& result);
  void forget_device(Pass& pass, const Claim& claim, const domain::Device& device, std::string_view why);

  void record(Pass& pass, std::vector<Claim>& claims);
  store::Update outcome_update(Claim& claim, TimePoint now);
  // Which of the writes were made (the others are no longer this pass's claims).
  std::vector<char> write_outcomes(const std::vector<store::UpdateItem>& writes,
                                   const std::vector<Claim>& claims);
  void count_outcomes(Pass& pass, const std::vector<Claim>& claims, const std::vector<char>& written,
                      TimePoint now);

  void check_receipts(TimePoint now);
  void handle_receipt(const PendingReceipt& pending, const push::Receipt& receipt, TimePoint now);
  std::optional<TimePoint> next_due_key();
  std::optional<TimePoint> next_receipt_time();
  milliseconds retry_delay(std::int64_t attempts);

  ServiceContext& ctx_;
  std::shared_ptr<push::PushSender> sender_;
  std::shared_ptr<push::WebPushSender> web_sender_;
  ops::ServiceMetrics& metrics_;
  ReminderProcessorOptions options_;

  std::atomic<bool> stopping_{false};  // workers read it without the mutex
  std::mutex mutex_;                   // guards the fields below
  std::vector<PendingReceipt> receipts_;
  std::mt19937_64 random_;

  PeriodicJob job_;  // last: stopped before the rest goes
};

}  // namespace kefir::jobs
