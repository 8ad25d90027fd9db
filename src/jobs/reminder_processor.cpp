#include "jobs/reminder_processor.hpp"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>

#include "jobs/reminder_pass.hpp"
#include "services/change_log.hpp"
#include "util/log.hpp"

namespace kefir::jobs {
namespace {

using reminder_pass::due_bound;
using reminder_pass::due_shards;
namespace attr = reminders::attr;

constexpr std::size_t kScanPage = 500;
constexpr seconds kErrorPause{5};  // after a pass that failed as a whole
constexpr seconds kIdleFloor{1};   // a pass that claimed nothing waits at least this long

std::optional<TimePoint> time_of_due_key(std::string_view key) {
  return parse_rfc3339(key.substr(0, key.find('#')));
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

// The reminders a round marked sent or failed, in the change feed: one entry per user, after the round.
// Entries committed with the outcomes, in each outcome transaction, write an entry and a counter per reminder
// when a user has one due at a time: the 100,000-reminder benchmark went from 8.3-8.9 s to 13-15 s. The price
// of this way: a client may read an outcome a moment before the feed has it, and a crash in between leaves
// that change to the client's next full pull.
void log_outcomes(ServiceContext& ctx, std::map<std::string, std::vector<changes::Record>>& outcomes) {
  try {
    services::log_committed_changes(ctx, outcomes);
  } catch (const std::exception& error) {
    log::error("logging reminder outcomes to the change feed failed; clients see them in a full pull",
               {{"error", error.what()}});
  }
  outcomes.clear();
}

}  // namespace

ReminderProcessor::ReminderProcessor(ServiceContext& ctx, std::shared_ptr<push::PushSender> sender,
                                     std::shared_ptr<push::WebPushSender> web_sender,
                                     ops::ServiceMetrics& metrics, ReminderProcessorOptions options)
    : ctx_(ctx),
      sender_(std::move(sender)),
      web_sender_(std::move(web_sender)),
      metrics_(metrics),
      options_(options),
      random_(std::random_device{}()),
      job_("reminder pass", options_.interval, *ctx_.clock, [this] { return scheduled_pass(); }) {
  ctx_.reminder_scheduled = [this](TimePoint due) { notify_due(due); };
}

ReminderProcessor::~ReminderProcessor() {
  stop();
  ctx_.reminder_scheduled = nullptr;
}

void ReminderProcessor::start() {
  stopping_ = false;
  job_.start();
}

void ReminderProcessor::stop() {
  stopping_ = true;
  job_.stop();
}

void ReminderProcessor::notify_due(TimePoint due) {
  job_.wake_at(due);
}

TimePoint ReminderProcessor::scheduled_pass() {
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
  return next;
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

}  // namespace kefir::jobs
