#include "jobs/reminder_processor.hpp"

#include <algorithm>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <set>
#include <unordered_map>

#include "adapters/expo/expo_push_sender.hpp"
#include "adapters/webpush/vapid_web_push_sender.hpp"
#include "domain/device.hpp"
#include "domain/keys.hpp"
#include "ops/metrics.hpp"
#include "services/auth_service.hpp"
#include "services/change_log.hpp"
#include "services/device_service.hpp"
#include "util/crypto.hpp"
#include "util/ids.hpp"
#include "util/log.hpp"

namespace kefir::jobs {
namespace {

using reminders::Reminder;
using reminders::Status;
using store::Condition;
namespace attr = reminders::attr;

constexpr std::string_view kTitle = "Kefir reminder";
constexpr std::size_t kScanPage = 500;
constexpr std::chrono::hours kReceiptLifetime{24};  // Expo keeps receipts this long
constexpr seconds kReceiptRetry{60};                // after a failed receipts call
constexpr seconds kErrorPause{5};                   // after a pass that failed as a whole
constexpr seconds kIdleFloor{1};                    // a pass that claimed nothing waits at least this long
// Browsers get one request each; a unit sends this many at once, so slow push services do not add up to the
// claims' lease.
constexpr std::size_t kWebPushesAtOnce = 8;
constexpr std::string_view kDeviceNotRegistered = "DeviceNotRegistered";
constexpr std::string_view kMessageRateExceeded = "MessageRateExceeded";

// Every shard of the due index, named by keys::due_shard itself so the two can never disagree.
const std::vector<std::string>& due_shards() {
  static const std::vector<std::string> shards = [] {
    std::set<std::string> names;
    for (int i = 0; names.size() < static_cast<std::size_t>(keys::kDueShards); ++i)
      names.insert(keys::due_shard(std::to_string(i)));
    return std::vector<std::string>(names.begin(), names.end());
  }();
  return shards;
}

// Due keys sort as "<time>#<id>" with fixed-width times: everything due at or before `now` sorts below this.
std::string due_bound(TimePoint now) {
  return format_rfc3339(now + milliseconds(1));
}

std::optional<TimePoint> time_of_due_key(std::string_view key) {
  return parse_rfc3339(key.substr(0, key.find('#')));
}

std::string text(std::string_view name) {
  return std::string(name);
}

// Whether the scan's copy of a reminder may be claimed now; claim_condition() is the same rule as a store
// condition, so a claim made on a stale copy fails instead of sending it.
bool claimable(const store::Item& item, TimePoint now) {
  if (json_bool(item, attr::completed) || json_string(item, attr::gsi1sk) >= due_bound(now)) return false;
  auto status = json_string(item, attr::status);
  if (status == json::string(reminders::to_string(Status::pending))) return true;
  return status == reminders::to_string(Status::sending) &&
         json_int(item, attr::lease_until).value_or(0) < epoch_millis(now);
}

Condition claim_condition(const store::Item& item, TimePoint now) {
  return Condition::all_of({
      Condition::equals(text(attr::updated_at),
                        json::string(json_string(item, attr::updated_at))),  // unchanged since read
      Condition::equals(text(attr::completed), false),
      Condition::less(text(attr::gsi1sk), json::string(due_bound(now))),
      Condition::any_of(
          {Condition::equals(text(attr::status), json::string(reminders::to_string(Status::pending))),
           Condition::all_of({
               Condition::equals(text(attr::status), json::string(reminders::to_string(Status::sending))),
               Condition::less(text(attr::lease_until), epoch_millis(now)),
           })}),
  });
}

json::array device_id_array(const std::vector<std::string>& device_ids) {
  json::array out;
  for (const auto& id : device_ids) out.push_back(json::value(id));
  return out;
}

void leave_due_index(store::Update& update) {
  update.remove.emplace_back(attr::gsi1pk);
  update.remove.emplace_back(attr::gsi1sk);
}

void drop_lease(store::Update& update) {
  update.remove.emplace_back(attr::lease_until);
  update.remove.emplace_back(attr::lease_owner);
}

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

// A queue of work units between the scanning thread and the workers; bounded so a large backlog is read as it
// is worked off rather than all at once.
class UnitQueue {
 public:
  explicit UnitQueue(std::size_t capacity) : capacity_(capacity) {}

  void push(std::vector<store::Item> unit) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return units_.size() < capacity_; });
    units_.push_back(std::move(unit));
    changed_.notify_all();
  }
  std::optional<std::vector<store::Item>> pop() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return !units_.empty() || closed_; });
    if (units_.empty()) return std::nullopt;
    auto unit = std::move(units_.front());
    units_.pop_front();
    changed_.notify_all();
    return unit;
  }
  void close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    changed_.notify_all();
  }

 private:
  std::size_t capacity_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::vector<store::Item>> units_;
  bool closed_ = false;
};

// Runs `write(begin, end)` for every slice of [0, count) that fits one store transaction, all at once: a
// durable commit takes milliseconds, and a unit's slices queued together share one group commit instead of
// waiting for one another.
void write_in_transactions(std::size_t count, const std::function<void(std::size_t, std::size_t)>& write) {
  std::vector<std::future<void>> others;
  for (std::size_t at = store::kMaxTransactionItems; at < count; at += store::kMaxTransactionItems) {
    others.push_back(
        std::async(std::launch::async, write, at, std::min(count, at + store::kMaxTransactionItems)));
  }
  std::exception_ptr failure;
  try {
    write(0, std::min(count, store::kMaxTransactionItems));
  } catch (...) {
    failure = std::current_exception();
  }
  for (auto& other : others) {
    try {
      other.get();
    } catch (...) {
      if (!failure) failure = std::current_exception();
    }
  }
  if (failure) std::rethrow_exception(failure);
}

}  // namespace

struct ReminderProcessor::Recipients {
  bool notifications_enabled = true;
  std::vector<domain::Device> devices;
};

struct ReminderProcessor::Claim {
  enum class Result { unsent, sent, retry, failed };
  Reminder reminder;  // as claimed: status sending, attempts counting this one
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
};

namespace {

// The reminders a round marked sent or failed, in the change feed: one entry per user, after the round (an
// entry per reminder, each in its own transaction, slowed delivery down too much).
void log_outcomes(AppContext& ctx, std::map<std::string, std::vector<changes::Record>>& outcomes) {
  try {
    services::log_committed_changes(ctx, outcomes);
  } catch (const std::exception& error) {
    log::error("logging reminder outcomes to the change feed failed; clients see them in a full pull",
               {{"error", error.what()}});
  }
  outcomes.clear();
}

}  // namespace

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

ReminderProcessor::ReminderProcessor(AppContext& ctx, std::shared_ptr<push::PushSender> sender,
                                     std::shared_ptr<push::WebPushSender> web_sender,
                                     ReminderProcessorOptions options)
    : ctx_(ctx),
      sender_(std::move(sender)),
      web_sender_(std::move(web_sender)),
      options_(options),
      random_(std::random_device{}()) {
  ctx_.reminder_scheduled = [this](TimePoint due) { notify_due(due); };
}

ReminderProcessor::~ReminderProcessor() {
  stop();
  ctx_.reminder_scheduled = nullptr;
}

void ReminderProcessor::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { loop(); });
}

void ReminderProcessor::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ReminderProcessor::notify_due(TimePoint due) {
  {
    std::lock_guard lock(mutex_);
    if (wake_at_ && *wake_at_ <= due) return;
    wake_at_ = due;
  }
  wake_.notify_all();
}

void ReminderProcessor::loop() {
  while (true) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      wake_at_.reset();
    }
    const TimePoint started = ctx_.now();
    TimePoint next = started + options_.interval;
    try {
      auto summary = run_once(started + options_.interval);
      if (summary.next_due) next = std::min(next, *summary.next_due);
      if (auto receipts = next_receipt_time()) next = std::min(next, *receipts);
      // Whatever is still due could not be claimed (another processor's lease, a lagging index): no spinning.
      if (summary.claimed == 0) next = std::max(next, ctx_.now() + kIdleFloor);
    } catch (const std::exception& error) {
      log::error("reminder pass failed", {{"error", error.what()}});
      next = ctx_.now() + kErrorPause;
    }
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      const TimePoint target = wake_at_ ? std::min(next, *wake_at_) : next;
      if (ctx_.now() >= target) break;
      wake_.wait_until(lock, target);
    }
  }
}

PassSummary ReminderProcessor::run_once(TimePoint deadline) {
  Pass pass;
  pass.deadline = deadline;
  const auto started = std::chrono::steady_clock::now();
  while (ctx_.now() < deadline && deliver_round(pass, deadline) > 0) {
  }
  check_receipts(ctx_.now());
  pass.summary.next_due = next_due_key();
  if (pass.summary.claimed > 0) {
    log::info(
        "reminders processed",
        {{"claimed", pass.summary.claimed},
         {"sent", pass.summary.sent},
         {"failed", pass.summary.failed},
         {"retried", pass.summary.retried},
         {"released", pass.summary.released},
         {"durationMs",
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count()}});
  }
  return pass.summary;
}

std::size_t ReminderProcessor::deliver_round(Pass& pass, TimePoint deadline) {
  const std::size_t claimed_before = pass.summary.claimed;
  UnitQueue queue(2 * options_.workers);
  std::vector<std::thread> workers;
  auto start_workers = [&] {
    for (std::size_t i = 0; i < options_.workers; ++i) {
      workers.emplace_back([&] {
        while (auto unit = queue.pop()) process_unit(pass, std::move(*unit));
      });
    }
  };
  std::size_t offset;
  {
    std::lock_guard lock(mutex_);
    offset = random_() % due_shards().size();  // processors sharing the store start on different shards
  }
  try {
    const TimePoint now = ctx_.now();
    for (std::size_t k = 0; k < due_shards().size(); ++k) {
      store::Query query;
      query.on_gsi1 = true;
      query.partition = due_shards()[(offset + k) % due_shards().size()];
      query.sort = {store::SortOp::less, due_bound(now), {}};
      query.limit = kScanPage;
      while (!stopping_ && ctx_.now() < deadline) {
        auto page = ctx_.store->query(query);
        for (std::size_t at = 0; at < page.items.size(); at += options_.unit_size) {
          auto end = std::min(page.items.size(), at + options_.unit_size);
          if (workers.empty()) start_workers();
          queue.push({std::make_move_iterator(page.items.begin() + static_cast<std::ptrdiff_t>(at)),
                      std::make_move_iterator(page.items.begin() + static_cast<std::ptrdiff_t>(end))});
        }
        if (!page.last_key) break;
        query.start_after = std::move(page.last_key);
      }
    }
  } catch (...) {
    queue.close();
    for (auto& worker : workers) worker.join();
    log_outcomes(ctx_, pass.outcomes);
    throw;
  }
  queue.close();
  for (auto& worker : workers) worker.join();
  log_outcomes(ctx_, pass.outcomes);
  return pass.summary.claimed - claimed_before;
}

void ReminderProcessor::process_unit(Pass& pass, std::vector<store::Item> candidates) {
  std::vector<Claim> claims;
  try {
    claims = claim(pass, std::move(candidates));
    if (claims.empty()) return;
    if (!stopping_ && ctx_.now() < pass.deadline) send_claims(pass, claims);
  } catch (const std::exception& error) {
    log::error("reminder delivery failed", {{"error", error.what()}});
  }
  try {
    record(pass, claims);  // unsent claims are released
  } catch (const std::exception& error) {
    log::error("recording reminder outcomes failed; their leases will expire", {{"error", error.what()}});
  }
}

std::vector<ReminderProcessor::Claim> ReminderProcessor::claim(Pass& pass,
                                                               std::vector<store::Item> candidates) {
  constexpr int kTransactionAttempts = 4;
  const TimePoint now = ctx_.now();
  const TimePoint lease_end = now + options_.lease;
  std::vector<Claim> claims;
  std::mutex claims_mutex;
  write_in_transactions(candidates.size(), [&](std::size_t at, std::size_t end) {
    std::vector<store::Item> chunk;
    for (auto i = at; i < end; ++i)
      if (claimable(candidates[i], now)) chunk.push_back(std::move(candidates[i]));
    for (int attempt = 0; attempt < kTransactionAttempts && !chunk.empty(); ++attempt) {
      std::vector<store::WriteOp> writes;
      writes.reserve(chunk.size());
      for (const auto& item : chunk) {
        const auto id = json_string(item, "reminderId");
        store::Update update;
        update.set[attr::status] = reminders::to_string(Status::sending);
        update.set[attr::lease_until] = epoch_millis(lease_end);
        update.set[attr::lease_owner] = pass.owner;
        update.set[attr::gsi1sk] = keys::due_gsi1sk(format_rfc3339(lease_end), id);  // claimable again after
        update.set[attr::updated_at] = format_rfc3339(now);
        update.add.emplace_back(attr::attempts, 1);
        writes.emplace_back(
            store::UpdateItem{store::key_of(item), std::move(update), claim_condition(item, now)});
      }
      try {
        ctx_.store->transact_write(writes);
      } catch (const store::ConditionFailed&) {
        // Someone else claimed or changed one of them: read them again and retry with what is still
        // claimable.
        std::vector<store::Item> fresh;
        for (const auto& item : chunk) {
          auto current = ctx_.store->get(store::key_of(item));
          if (!current) continue;
          if (claimable(*current, now)) {
            fresh.push_back(std::move(*current));
          } else {
            fix_stale_entry(*current, now);
          }
        }
        chunk = std::move(fresh);
        continue;
      }
      std::lock_guard lock(claims_mutex);
      for (auto& item : chunk) {
        Claim claim;
        claim.reminder = reminders::from_item(item);
        claim.reminder.status = Status::sending;
        claim.reminder.attempts += 1;
        claims.push_back(std::move(claim));
      }
      break;
    }
  });
  std::lock_guard lock(pass.mutex);
  pass.summary.claimed += claims.size();
  return claims;
}

// A reminder that sits in the due index but will never be claimable (completed while it was being sent, or
// left there by an interrupted writer) leaves the index, so no processor keeps finding it.
void ReminderProcessor::fix_stale_entry(const store::Item& item, TimePoint now) {
  auto gsi1sk = json_string(item, attr::gsi1sk);
  if (gsi1sk.empty() || gsi1sk >= due_bound(now)) return;
  auto status = reminders::parse_status(json_string(item, attr::status)).value_or(Status::pending);
  const bool completed = json_bool(item, attr::completed);
  const bool awaiting = status == Status::pending || status == Status::sending;
  if (awaiting && !completed) return;  // claimable by the next pass, or leased with a stale index read
  store::Update update;
  if (status == Status::sending) update.set[attr::status] = reminders::to_string(Status::pending);
  update.set[attr::updated_at] = format_rfc3339(now);
  leave_due_index(update);
  drop_lease(update);
  try {
    ctx_.store->update(
        store::key_of(item), update,
        Condition::equals(text(attr::updated_at), json::string(json_string(item, attr::updated_at))));
  } catch (const store::ConditionFailed&) {
    // Changed meanwhile: the next pass looks again.
  }
}

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
  struct Slot {
    std::size_t claim;
    const domain::Device* device;
  };
  std::vector<push::Message> messages;
  std::vector<Slot> slots;
  std::vector<Slot> web_slots;
  std::vector<std::shared_ptr<const Recipients>> held;  // keeps the devices the slots point to alive

  auto flush = [&] {
    if (messages.empty()) return;
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
        ops::metrics().push_error(ticket.error);
        if (ticket.error == kDeviceNotRegistered) forget_device(pass, claim, *slots[k].device, ticket.error);
      }
    } else {
      ops::metrics().push_error(result.error.starts_with("network") ? "network" : result.error);
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
    messages.clear();
    slots.clear();
  };

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
    if (messages.size() + expo_devices.size() > sender_->max_messages_per_request()) flush();
    for (const auto* device : expo_devices) {
      messages.push_back(message_for(claim.reminder, *device));
      slots.push_back({i, device});
    }
  }
  flush();

  for (std::size_t at = 0; at < web_slots.size(); at += kWebPushesAtOnce) {
    const auto end = std::min(web_slots.size(), at + kWebPushesAtOnce);
    std::vector<std::future<push::WebPushResult>> answers;
    for (auto k = at; k < end; ++k) {
      answers.push_back(std::async(std::launch::async, [this, &claims, slot = web_slots[k]] {
        return send_web_push(claims[slot.claim].reminder, *slot.device);
      }));
    }
    for (auto k = at; k < end; ++k)
      record_web_push(pass, claims[web_slots[k].claim], *web_slots[k].device, answers[k - at].get());
  }

  for (auto& claim : claims) {
    if (claim.result != Claim::Result::unsent) continue;
    if (!claim.retry_devices.empty()) {
      // Devices that accepted are not sent to again: the retry goes to the others only.
      if (claim.delivered()) claim.resend_to = claim.retry_devices;
      claim.retry(claim.retry_error);
    } else if (claim.delivered()) {
      claim.result = Claim::Result::sent;
    } else if (std::find(claim.ticket_errors.begin(), claim.ticket_errors.end(), kMessageRateExceeded) !=
               claim.ticket_errors.end()) {
      claim.retry(std::string(kMessageRateExceeded));
    } else if (claim.rejected) {
      claim.fail("push_rejected: " + *claim.rejected, "push_rejected");
    } else if (!claim.ticket_errors.empty()) {
      claim.fail("tickets_failed: " + claim.ticket_errors.front(), "tickets_failed");
    } else if (!claim.web_errors.empty()) {
      claim.fail("web_push_failed: " + claim.web_errors.front(), "web_push_failed");
    }
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
    ops::metrics().web_push_sent();
    return;
  }
  const bool network = result.error.starts_with("network");
  ops::metrics().web_push_error(network ? "network" : result.error);
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

void ReminderProcessor::record(Pass& pass, std::vector<Claim>& claims) {
  const TimePoint now = ctx_.now();
  std::vector<store::UpdateItem> writes;
  writes.reserve(claims.size());
  for (auto& claim : claims) {
    auto& r = claim.reminder;
    if (claim.result == Claim::Result::retry && r.attempts >= options_.max_attempts)
      claim.fail("attempts_exhausted: " + claim.reason, "attempts_exhausted");
    store::Update update;
    update.set[attr::updated_at] = format_rfc3339(now);
    drop_lease(update);
    switch (claim.result) {
      case Claim::Result::sent:
        update.set[attr::status] = reminders::to_string(Status::sent);
        update.set[attr::sent_at] = format_rfc3339(now);
        update.set[attr::tickets] = reminders::to_json(claim.tickets);
        if (!r.resend_to.empty()) update.set[attr::resent] = true;
        update.remove.emplace_back(attr::resend_to);
        update.remove.emplace_back(attr::last_error);
        leave_due_index(update);
        break;
      case Claim::Result::retry: {
        const TimePoint again = now + retry_delay(r.attempts);
        update.set[attr::status] = reminders::to_string(Status::pending);
        update.set[attr::gsi1sk] = keys::due_gsi1sk(format_rfc3339(again), r.reminder_id);
        update.set[attr::last_error] = claim.reason;
        if (!claim.resend_to.empty()) {
          update.set[attr::resend_to] = device_id_array(claim.resend_to);
          update.set[attr::sent_at] = format_rfc3339(now);  // the other devices have it now
        }
        break;
      }
      case Claim::Result::failed:
        if (!claim.resend_to.empty()) update.set[attr::sent_at] = format_rfc3339(now);
        if (!r.resend_to.empty() || !claim.resend_to.empty()) {
          // Only a resend failed: the reminder was delivered (before, or now to other devices) and stays
          // sent.
          update.set[attr::status] = reminders::to_string(Status::sent);
          update.set[attr::resent] = true;
          update.set[attr::last_error] = claim.reason;
          update.remove.emplace_back(attr::resend_to);
        } else {
          update.set[attr::status] = reminders::to_string(Status::failed);
          update.set[attr::failure_reason] = claim.reason;
        }
        leave_due_index(update);
        break;
      case Claim::Result::unsent:
        // Given back untouched: due again at once, and this attempt does not count.
        update.set[attr::status] = reminders::to_string(Status::pending);
        update.set[attr::gsi1sk] = keys::due_gsi1sk(format_rfc3339(r.delivery()), r.reminder_id);
        update.add.emplace_back(attr::attempts, -1);
        break;
    }
    const Condition ours = Condition::all_of({
        Condition::equals(text(attr::status), json::string(reminders::to_string(Status::sending))),
        Condition::equals(text(attr::lease_owner), json::string(pass.owner)),
    });
    writes.push_back({keys::reminder(r.user_id, r.reminder_id), std::move(update), ours});
  }

  // Not vector<bool>: slices written at once set their own elements.
  std::vector<char> written(writes.size(), false);
  write_in_transactions(writes.size(), [&](std::size_t at, std::size_t end) {
    try {
      ctx_.store->transact_write(
          std::vector<store::WriteOp>(writes.begin() + static_cast<std::ptrdiff_t>(at),
                                      writes.begin() + static_cast<std::ptrdiff_t>(end)));
      std::fill(written.begin() + static_cast<std::ptrdiff_t>(at),
                written.begin() + static_cast<std::ptrdiff_t>(end), true);
    } catch (const store::ConditionFailed&) {
      // One of them is no longer ours (deleted, or our lease lapsed and another processor took it): the rest
      // are written one by one.
      for (auto i = at; i < end; ++i) {
        try {
          ctx_.store->update(writes[i].key, writes[i].update, writes[i].condition);
          written[i] = true;
        } catch (const store::ConditionFailed&) {
          log::warn("reminder outcome not recorded: no longer ours",
                    {{"reminderId", claims[i].reminder.reminder_id}});
        }
      }
    }
  });

  PassSummary counts;
  std::vector<PendingReceipt> receipts;
  for (std::size_t i = 0; i < claims.size(); ++i) {
    if (!written[i]) continue;
    const auto& claim = claims[i];
    switch (claim.result) {
      case Claim::Result::sent:
        ++counts.sent;
        for (const auto& ticket : claim.tickets) {
          receipts.push_back({ticket.id, claim.reminder.user_id, claim.reminder.reminder_id, ticket.device_id,
                              ticket.token, now, now + options_.receipt_delay});
        }
        break;
      case Claim::Result::retry:
        ++counts.retried;
        ops::metrics().reminder_retried();
        break;
      case Claim::Result::failed:
        ++counts.failed;
        ops::metrics().reminder_failed(claim.metric_label);
        break;
      case Claim::Result::unsent:
        ++counts.released;
        break;
    }
  }
  if (counts.sent > 0) ops::metrics().reminder_sent(counts.sent);
  {
    std::lock_guard lock(mutex_);
    for (auto& receipt : receipts) receipts_.push_back(std::move(receipt));
  }
  std::lock_guard lock(pass.mutex);
  pass.summary.sent += counts.sent;
  pass.summary.failed += counts.failed;
  pass.summary.retried += counts.retried;
  pass.summary.released += counts.released;
  for (std::size_t i = 0; i < claims.size(); ++i) {
    const auto& claim = claims[i];
    if (!written[i] || (claim.result != Claim::Result::sent && claim.result != Claim::Result::failed))
      continue;
    const auto& r = claim.reminder;
    pass.outcomes[r.user_id].push_back({changes::Kind::reminder, r.reminder_id, "",
                                        keys::reminder(r.user_id, r.reminder_id), changes::Op::update});
  }
}

milliseconds ReminderProcessor::retry_delay(std::int64_t attempts) {
  // From about first_retry, doubling per attempt, with ±25% jitter so retries of many reminders spread out.
  const auto base = options_.first_retry * (std::int64_t{1} << std::clamp<std::int64_t>(attempts - 1, 0, 20));
  std::uniform_real_distribution<double> jitter(0.75, 1.25);
  std::lock_guard lock(mutex_);
  return milliseconds(static_cast<std::int64_t>(static_cast<double>(base.count()) * jitter(random_)));
}

std::optional<TimePoint> ReminderProcessor::next_due_key() {
  std::optional<TimePoint> next;
  for (const auto& shard : due_shards()) {
    store::Query query;
    query.on_gsi1 = true;
    query.partition = shard;
    query.limit = 1;
    auto page = ctx_.store->query(query);
    if (page.items.empty()) continue;
    auto due = time_of_due_key(json_string(page.items.front(), attr::gsi1sk));
    if (due && (!next || *due < *next)) next = due;
  }
  return next;
}

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
      ops::metrics().push_error("receipts_unavailable");
      for (auto i = at; i < end; ++i) try_later(std::move(due[i]), now + kReceiptRetry);
      continue;
    }
    for (auto i = at; i < end; ++i) {
      auto found = receipts.find(due[i].ticket_id);
      if (found == receipts.end()) {
        try_later(std::move(due[i]), now + options_.receipt_delay);  // not ready yet
      } else if (found->second.error == kMessageRateExceeded) {
        ops::metrics().push_error(kMessageRateExceeded);
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
      ctx_.store->update(
          keys::reminder(user_id, reminder_id), update,
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
  ops::metrics().push_error(receipt.error);
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
    ctx_.store->update(keys::reminder(pending.user_id, pending.reminder_id), update,
                       Condition::item_exists());
  } catch (const store::ConditionFailed&) {
    // The reminder was deleted meanwhile.
  }
}

std::unique_ptr<ReminderProcessor> make_reminder_processor(AppContext& ctx) {
  push::ExpoOptions expo;
  expo.push_url = ctx.config.expo_push_url;
  expo.access_token = ctx.config.expo_access_token;
  expo.rate = ctx.config.expo_rate;
  ReminderProcessorOptions options;
  options.interval = seconds(ctx.config.reminder_interval);
  options.receipt_delay = seconds(ctx.config.expo_receipt_delay);
  return std::make_unique<ReminderProcessor>(
      ctx, std::make_shared<push::ExpoPushSender>(expo),
      std::make_shared<push::VapidWebPushSender>(ctx.vapid, *ctx.clock), options);
}

}  // namespace kefir::jobs
