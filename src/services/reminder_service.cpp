#include "services/reminder_service.hpp"

#include <algorithm>
#include <functional>

#include "domain/batch.hpp"
#include "domain/errors.hpp"
#include "domain/event.hpp"
#include "domain/keys.hpp"
#include "domain/quiet_hours.hpp"
#include "services/auth_service.hpp"
#include "services/batch_service.hpp"
#include "services/bulk_delete.hpp"
#include "services/change_log.hpp"

namespace kefir::services {
namespace {

using reminders::Reminder;
using reminders::Status;
namespace attr = reminders::attr;

// Each attempt re-reads; losing this often to concurrent writers of the same reminder ends in 409.
constexpr int kMaxWriteAttempts = 8;
// The calibration looks at the user's most recent batches only: brewing habits change.
constexpr std::size_t kCalibrationBatches = 50;
// A re-computed time this close to the scheduled one is not worth a write.
constexpr seconds kRetimeTolerance{30};

store::Query user_reminders_query(const std::string& user_id) {
  store::Query query;
  query.partition = keys::user_pk(user_id);
  query.sort = {store::SortOp::begins_with, std::string(keys::kReminderPrefix), {}};
  return query;
}

std::vector<Reminder> load_user_reminders(ServiceContext& ctx, const std::string& user_id,
                                          const std::function<bool(const Reminder&)>& keep) {
  std::vector<Reminder> out;
  auto query = user_reminders_query(user_id);
  while (true) {
    auto page = ctx.store->query(query);
    for (const auto& item : page.items) {
      auto reminder = reminders::from_item(item);
      if (keep(reminder)) out.push_back(std::move(reminder));
    }
    if (!page.last_key) break;
    query.start_after = std::move(page.last_key);
  }
  std::sort(out.begin(), out.end(), [](const Reminder& a, const Reminder& b) {
    return std::tie(a.scheduled_time, a.reminder_id) < std::tie(b.scheduled_time, b.reminder_id);
  });
  return out;
}

bool counts_as_pending(const Reminder& r) {
  return r.awaiting_delivery() && !r.completed;
}

void wake_processor(ServiceContext& ctx, TimePoint due) {
  if (ctx.reminder_scheduled) ctx.reminder_scheduled(due);
}

fermentation::Kind kind_of(const domain::Batch& batch) {
  return batch.kind == "milk" ? fermentation::Kind::milk : fermentation::Kind::water;
}

double hours_between(TimePoint from, TimePoint to) {
  return std::chrono::duration<double, std::ratio<3600>>(to - from).count();
}

// When a bottled batch left its second fermentation: its first move to the fridge (or to "ready").
std::optional<TimePoint> second_fermentation_end(ServiceContext& ctx, const domain::Batch& batch) {
  store::Query query;
  query.partition = keys::events_pk(batch.batch_id);
  query.sort = {store::SortOp::begins_with, std::string(keys::kEventPrefix), {}};
  for (const auto& item : ctx.store->query(query).items) {
    auto event = domain::event_from_item(item);
    if (event.type != domain::kEventStatusChange || event.timestamp <= *batch.stage2_start_date) continue;
    auto to = json_string(event.metadata, "to");
    if (to == "in_fridge" || to == "ready") return event.timestamp;
  }
  return std::nullopt;
}

// The user's own record for the calibration: how long their recent batches took in `stage`.
std::vector<fermentation::FinishedStage> finished_stages(ServiceContext& ctx, const std::string& user_id,
                                                         const std::string& current_batch_id,
                                                         fermentation::Stage stage,
                                                         double default_temperature) {
  store::Query query;
  query.partition = keys::user_pk(user_id);
  query.sort = {store::SortOp::begins_with, std::string(keys::kBatchPrefix), {}};
  query.forward = false;  // UUIDv7 ids: newest first
  query.limit = kCalibrationBatches + 1;
  std::vector<fermentation::FinishedStage> out;
  for (const auto& item : ctx.store->query(query).items) {
    auto batch = domain::batch_from_item(item);
    if (batch.batch_id == current_batch_id || !batch.stage2_start_date) continue;
    const double temperature = batch.temperature_c.value_or(default_temperature);
    if (stage == fermentation::Stage::first) {
      out.push_back(
          {kind_of(batch), stage, temperature, hours_between(batch.start_date, *batch.stage2_start_date)});
    } else if (batch.status != domain::kStatusActive) {
      if (auto end = second_fermentation_end(ctx, batch))
        out.push_back({kind_of(batch), stage, temperature, hours_between(*batch.stage2_start_date, *end)});
    }
  }
  return out;
}

// What decides when the user's reminders are delivered. Quiet hours are a wall-clock window, so they wait for
// the user's time zone: until one is chosen (the web app offers the browser's), reminders go at their time.
struct DeliveryPreferences {
  std::shared_ptr<const tz::TimeZone> zone;  // null until the user chose one
  reminders::QuietHours quiet{.enabled = false};
  std::int64_t version = 0;  // the profile's preferencesVersion they were read at

  TimePoint deliver_at(TimePoint scheduled) const {
    return zone ? reminders::delivery_time(scheduled, *zone, quiet) : scheduled;
  }
};

DeliveryPreferences delivery_preferences(const tz::ZoneDatabase& zones,
                                         const std::optional<UserProfile>& profile) {
  DeliveryPreferences preferences;
  if (profile) preferences.version = profile->preferences_version;
  if (!profile || !profile->preferences.timezone) return preferences;
  preferences.zone = zones.find(*profile->preferences.timezone);
  // A zone the database no longer has (tzdata dropped a name): UTC rather than no quiet hours.
  if (!preferences.zone) preferences.zone = std::make_shared<const tz::TimeZone>(tz::TimeZone::utc());
  preferences.quiet = profile->preferences.quiet_hours;
  return preferences;
}

DeliveryPreferences delivery_preferences(ServiceContext& ctx, const std::string& user_id) {
  return delivery_preferences(*ctx.zones, read_user_profile(*ctx.store, user_id));
}

reminders::Reminder require_reminder_item(std::optional<store::Item> item) {
  if (!item) throw domain::not_found("reminder not found");
  return reminders::from_item(*item);
}

// The state a decision was made on: a write conditioned on it fails if anyone changed the reminder meanwhile.
store::Condition still(const Reminder& r) {
  auto pinned = r.pinned ? store::Condition::equals(std::string(attr::pinned), true)
                         : store::Condition::not_exists(std::string(attr::pinned));
  return store::Condition::all_of(
      {store::Condition::equals(std::string(attr::status), json::string(reminders::to_string(r.status))),
       store::Condition::equals(std::string(attr::completed), r.completed), std::move(pinned)});
}

struct Change {
  store::Update update;
  std::optional<TimePoint> wake_at;  // the reminder became due at this time
  // Set when the change's delivery time came from the preferences read at this version.
  std::optional<std::int64_t> preferences_version;
};
// Decides from the current reminder: a change, nothing to do (nullopt), or a domain::Error (conflict).
using Decide = std::function<std::optional<Change>(const Reminder&, TimePoint now)>;

Reminder change_reminder(ServiceContext& ctx, const std::string& user_id, std::string_view reminder_id,
                         const Decide& decide) {
  if (!is_uuid(reminder_id)) throw domain::not_found("reminder not found");
  const auto key = keys::reminder(user_id, reminder_id);
  for (int attempt = 0; attempt < kMaxWriteAttempts; ++attempt) {
    auto current = require_reminder_item(ctx.store->get(key));
    const TimePoint now = ctx.now();
    auto change = decide(current, now);
    if (!change) return current;
    change->update.set[attr::updated_at] = format_rfc3339(now);
    std::vector<store::WriteOp> writes{store::UpdateItem{key, change->update, still(current)}};
    if (change->preferences_version)
      writes.emplace_back(delivery_preferences_unchanged(user_id, *change->preferences_version));
    try {
      commit_changes(ctx, user_id, writes);
    } catch (const store::ConditionFailed&) {
      continue;
    }
    if (change->wake_at) wake_processor(ctx, *change->wake_at);
    return require_reminder_item(ctx.store->get(key));
  }
  throw domain::conflict("the reminder is being changed by another request; retry");
}

void leave_due_index(store::Update& update) {
  update.remove.emplace_back(attr::gsi1pk);
  update.remove.emplace_back(attr::gsi1sk);
}

void cancel_batch_reminders(ServiceContext& ctx, const std::string& user_id, const std::string& batch_id) {
  auto pending = load_user_reminders(
      ctx, user_id, [&](const Reminder& r) { return r.batch_id == batch_id && r.status == Status::pending; });
  for (const auto& reminder : pending) {
    store::Update update;
    update.set[attr::status] = reminders::to_string(Status::cancelled);
    update.set[attr::updated_at] = format_rfc3339(ctx.now());
    leave_due_index(update);
    try {
      commit_changes(ctx, user_id,
                     {store::UpdateItem{keys::reminder(user_id, reminder.reminder_id), update,
                                        store::Condition::equals(std::string(attr::status), "pending")}});
    } catch (const store::ConditionFailed&) {
      // Claimed for delivery or changed meanwhile: its new state stands.
    }
  }
}

void delete_batch_reminders(ServiceContext& ctx, const std::string& user_id, const std::string& batch_id) {
  std::vector<store::Key> keys;
  for (const auto& r :
       load_user_reminders(ctx, user_id, [&](const Reminder& r) { return r.batch_id == batch_id; }))
    keys.push_back(keys::reminder(user_id, r.reminder_id));
  delete_keys(*ctx.store, keys);
}

// nullopt when the time zone or quiet hours changed after they were read (nothing written then).
std::optional<std::vector<Reminder>> try_confirm_reminders(
    ServiceContext& ctx, const std::string& user_id, const domain::Batch& batch,
    const std::vector<reminders::NewReminder>& wanted) {
  const TimePoint now = ctx.now();
  const auto delivery = delivery_preferences(ctx, user_id);
  std::vector<Reminder> created;
  std::vector<store::WriteOp> writes;
  for (const auto& item : wanted) {
    Reminder r;
    r.reminder_id = uuid_v4();
    r.batch_id = batch.batch_id;
    r.batch_name = batch.name;
    r.user_id = user_id;
    r.type = item.type;
    r.message = item.message;
    r.scheduled_time = item.scheduled_time;
    r.deliver_at = delivery.deliver_at(item.scheduled_time);
    r.model_fraction = fermentation::model_fraction(item.type);
    r.created_at = now;
    r.updated_at = now;
    writes.emplace_back(store::Put{reminders::to_item(r), store::Condition::item_absent()});
    created.push_back(std::move(r));
  }
  if (std::any_of(created.begin(), created.end(), reminders::may_follow_fermentation))
    writes.emplace_back(reminders::mark_retime_hint(batch.batch_id));
  const int batch_check = static_cast<int>(writes.size());
  writes.emplace_back(store::Check{keys::batch(user_id, batch.batch_id), batch_not_archived()});
  const int preferences_check = static_cast<int>(writes.size());
  writes.emplace_back(delivery_preferences_unchanged(user_id, delivery.version));
  try {
    commit_changes(ctx, user_id, writes);
  } catch (const store::ConditionFailed& failed) {
    if (failed.index() == preferences_check) return std::nullopt;
    if (failed.index() == batch_check) {
      if (!find_batch(ctx, user_id, batch.batch_id)) throw domain::not_found("batch not found");
      throw domain::conflict("the batch is archived");
    }
    throw;
  }
  return created;
}

}  // namespace

FermentationInputs fermentation_inputs(ServiceContext& ctx, const std::string& user_id,
                                       const domain::Batch& batch) {
  const auto profile = read_user_profile(*ctx.store, user_id);
  const double default_temperature =
      profile ? profile->preferences.default_temperature_c : fermentation::kReferenceTemperatureC;

  fermentation::BatchSnapshot snapshot;
  snapshot.kind = kind_of(batch);
  snapshot.temperature_c = batch.temperature_c.value_or(default_temperature);
  if (batch.stage == domain::kStageBottled) {
    snapshot.stage = fermentation::Stage::second;
    snapshot.stage_started = batch.stage2_start_date.value_or(batch.start_date);
    if (batch.stage2_target_duration_hours)
      snapshot.target_hours = static_cast<double>(*batch.stage2_target_duration_hours);
  } else {
    snapshot.stage = fermentation::Stage::first;
    snapshot.stage_started = batch.start_date;
    if (batch.target_duration_hours)
      snapshot.target_hours = static_cast<double>(*batch.target_duration_hours);
  }
  // An explicit target makes the history irrelevant: no need to read it.
  std::vector<fermentation::FinishedStage> history;
  if (!snapshot.target_hours)
    history = finished_stages(ctx, user_id, batch.batch_id, snapshot.stage, default_temperature);
  return {snapshot, std::move(history)};
}

std::vector<ReminderSuggestion> reminder_suggestions(ServiceContext& ctx, const std::string& user_id,
                                                     std::string_view batch_id) {
  auto batch = get_batch(ctx, user_id, batch_id);
  if (batch.archived() || batch.status == "in_fridge") return {};
  auto inputs = fermentation_inputs(ctx, user_id, batch);
  const auto delivery = delivery_preferences(ctx, user_id);
  const TimePoint now = ctx.now();
  std::vector<ReminderSuggestion> out;
  for (auto& suggestion : fermentation::suggest(inputs.snapshot, inputs.history, now)) {
    const TimePoint deliver_at = delivery.deliver_at(suggestion.suggested_time);
    // A time of day means nothing in a zone the user has not chosen.
    if (delivery.zone) {
      suggestion.description =
          reminders::delivery_note(suggestion.suggested_time, deliver_at, now, *delivery.zone) + " " +
          suggestion.description;
    }
    out.push_back({std::move(suggestion), deliver_at});
  }
  return out;
}

std::vector<Reminder> confirm_reminders(ServiceContext& ctx, const std::string& user_id,
                                        std::string_view batch_id,
                                        const std::vector<reminders::NewReminder>& wanted) {
  auto batch = get_batch(ctx, user_id, batch_id);
  if (batch.archived()) throw domain::conflict("the batch is archived");
  const auto pending = load_user_reminders(ctx, user_id, counts_as_pending).size();
  if (pending + wanted.size() > reminders::kMaxPendingPerUser) {
    throw domain::conflict("at most " + std::to_string(reminders::kMaxPendingPerUser) +
                           " pending reminders per user (" + std::to_string(pending) + " now)");
  }

  for (int attempt = 0; attempt < kMaxWriteAttempts; ++attempt) {
    auto confirmed = try_confirm_reminders(ctx, user_id, batch, wanted);
    if (!confirmed) continue;  // the time zone or quiet hours changed meanwhile: decide again
    auto& created = *confirmed;
    std::sort(created.begin(), created.end(),
              [](const Reminder& a, const Reminder& b) { return a.scheduled_time < b.scheduled_time; });
    wake_processor(ctx,
                   std::min_element(created.begin(), created.end(), [](const Reminder& a, const Reminder& b) {
                     return a.delivery() < b.delivery();
                   })->delivery());
    return created;
  }
  throw domain::conflict("the time zone or quiet hours are being changed by another request; retry");
}

std::vector<Reminder> batch_reminders(ServiceContext& ctx, const std::string& user_id,
                                      std::string_view batch_id) {
  auto batch = get_batch(ctx, user_id, batch_id);
  return load_user_reminders(ctx, user_id, [&](const Reminder& r) { return r.batch_id == batch.batch_id; });
}

std::vector<Reminder> user_reminders(ServiceContext& ctx, const std::string& user_id, bool include_all) {
  return load_user_reminders(
      ctx, user_id, [include_all](const Reminder& r) { return include_all || counts_as_pending(r); });
}

Reminder reschedule_reminder(ServiceContext& ctx, const std::string& user_id, std::string_view reminder_id,
                             const reminders::ReminderPatch& patch) {
  return change_reminder(
      ctx, user_id, reminder_id, [&](const Reminder& current, TimePoint) -> std::optional<Change> {
        if (current.status != Status::pending || current.completed) {
          throw domain::conflict(
              "only a pending reminder can be changed; this one is " +
              std::string(current.completed ? "completed" : reminders::to_string(current.status)));
        }
        if (patch.from_model && current.pinned) return std::nullopt;
        if (!patch.scheduled_time && !patch.message && !patch.pinned) return std::nullopt;
        Change change;
        if (patch.message) change.update.set[attr::message] = *patch.message;
        if (patch.pinned == true) change.update.set[attr::pinned] = true;
        if (patch.pinned == false) change.update.remove.emplace_back(attr::pinned);
        if (patch.scheduled_time) {
          const auto delivery = delivery_preferences(ctx, user_id);
          const TimePoint deliver_at = delivery.deliver_at(*patch.scheduled_time);
          change.preferences_version = delivery.version;
          change.update.set[attr::scheduled_time] = format_rfc3339(*patch.scheduled_time);
          change.update.set[attr::deliver_at] = format_rfc3339(deliver_at);
          for (auto& [name, value] : reminders::due_index(current.reminder_id, deliver_at))
            change.update.set[name] = value;
          change.wake_at = deliver_at;
        }
        return change;
      });
}

Reminder complete_reminder(ServiceContext& ctx, const std::string& user_id, std::string_view reminder_id) {
  return change_reminder(ctx, user_id, reminder_id,
                         [](const Reminder& current, TimePoint now) -> std::optional<Change> {
                           if (current.completed) return std::nullopt;
                           Change change;
                           change.update.set[attr::completed] = true;
                           change.update.set[attr::completed_at] = format_rfc3339(now);
                           // A claim in flight keeps its index entry: should its processor die, the next one
                           // finds and releases it.
                           if (current.status == Status::pending) leave_due_index(change.update);
                           return change;
                         });
}

Reminder cancel_reminder(ServiceContext& ctx, const std::string& user_id, std::string_view reminder_id) {
  return change_reminder(
      ctx, user_id, reminder_id, [](const Reminder& current, TimePoint) -> std::optional<Change> {
        if (current.status == Status::cancelled) return std::nullopt;
        if (current.status != Status::pending) {
          throw domain::conflict("a reminder that is " + std::string(reminders::to_string(current.status)) +
                                 " cannot be cancelled");
        }
        Change change;
        change.update.set[attr::status] = reminders::to_string(Status::cancelled);
        leave_due_index(change.update);
        return change;
      });
}

void retime_pending_reminders(ServiceContext& ctx, const std::string& user_id) {
  const auto delivery = delivery_preferences(ctx, user_id);
  const auto waiting = load_user_reminders(
      ctx, user_id, [](const Reminder& r) { return r.status == Status::pending && !r.completed; });
  std::optional<TimePoint> earliest;
  for (const auto& reminder : waiting) {
    const TimePoint deliver_at = delivery.deliver_at(reminder.scheduled_time);
    if (deliver_at == reminder.delivery()) continue;
    store::Update update;
    update.set[attr::deliver_at] = format_rfc3339(deliver_at);
    update.set[attr::updated_at] = format_rfc3339(ctx.now());
    for (auto& [name, value] : reminders::due_index(reminder.reminder_id, deliver_at))
      update.set[name] = value;
    // Only a reminder still indexed at its delivery time: one waiting to retry keeps its backoff, one
    // claimed, completed or changed meanwhile keeps its new state.
    const auto indexed_at_delivery = store::Condition::equals(
        std::string(attr::gsi1sk),
        json::string(keys::due_gsi1sk(format_rfc3339(reminder.delivery()), reminder.reminder_id)));
    try {
      commit_changes(ctx, user_id,
                     {store::UpdateItem{keys::reminder(user_id, reminder.reminder_id), update,
                                        store::Condition::all_of({still(reminder), indexed_at_delivery})},
                      delivery_preferences_unchanged(user_id, delivery.version)});
      earliest = earliest ? std::min(*earliest, deliver_at) : deliver_at;
    } catch (const store::ConditionFailed& failed) {
      // The preferences changed again: the request that changed them re-times every reminder itself.
      if (failed.index() == 1) break;
    }
  }
  if (earliest) wake_processor(ctx, *earliest);
}

std::size_t retime_model_reminders(
    ServiceContext& ctx, const std::string& user_id, const std::string& batch_id,
    const std::function<std::optional<fermentation::ProgressCurve>()>& measured_curve) {
  const auto hint = ctx.store->get(keys::retime_hint(batch_id));
  if (reminders::nothing_to_retime(hint)) return 0;
  bool may_follow = false;
  auto following = load_user_reminders(ctx, user_id, [&](const Reminder& r) {
    if (r.batch_id != batch_id || !reminders::may_follow_fermentation(r)) return false;
    may_follow = true;
    return reminders::follows_fermentation(r);
  });
  if (!may_follow) {
    try {
      auto none = reminders::set_nothing_to_retime(batch_id, hint);
      ctx.store->update(none.key, none.update, none.condition);
    } catch (const store::ConditionFailed&) {
      // A reminder that follows the fermentation was confirmed meanwhile.
    }
    return 0;
  }
  if (following.empty()) return 0;
  const auto curve = measured_curve();
  if (!curve) return 0;
  std::size_t moved = 0;
  for (const auto& reminder : following) {
    const TimePoint target = std::max(curve->time_at_fraction(*reminder.model_fraction), ctx.now());
    if (std::chrono::abs(target - reminder.scheduled_time) < kRetimeTolerance) continue;
    reminders::ReminderPatch patch;
    patch.scheduled_time = target;
    patch.from_model = true;
    try {
      reschedule_reminder(ctx, user_id, reminder.reminder_id, patch);
      ++moved;
    } catch (const domain::Error&) {
      // Claimed for delivery, sent, pinned or gone meanwhile: it stays as it is.
    }
  }
  return moved;
}

void register_reminder_hooks(ServiceContext& ctx) {
  ctx.hooks.batch_archived.push_back([&ctx](const std::string& user_id, const std::string& batch_id) {
    cancel_batch_reminders(ctx, user_id, batch_id);
  });
  ctx.hooks.batch_deleted.push_back([&ctx](const std::string& user_id, const std::string& batch_id) {
    delete_batch_reminders(ctx, user_id, batch_id);
  });
  ctx.hooks.account_deleted.push_back(
      [&ctx](const std::string& user_id) { delete_matching(*ctx.store, user_reminders_query(user_id)); });
}

}  // namespace kefir::services
