// A reminder written at the same moment as the user changes time zone or quiet hours: the write decided its
// delivery time from the preferences it read, so it must not commit once they changed (issue 20). HTTP cannot
// aim at the gap between that read and the write, so the use cases run on the real SQLite store behind a
// store that lets the competing PATCH /me commit right before the reminder's transaction.
#include <gtest/gtest.h>

#include <functional>
#include <utility>

#include "adapters/fs/zoneinfo.hpp"
#include "adapters/sqlite/sqlite_item_store.hpp"
#include "domain/batch.hpp"
#include "services/auth_service.hpp"
#include "services/batch_service.hpp"
#include "services/context.hpp"
#include "services/reminder_service.hpp"
#include "support/auth_helpers.hpp"
#include "support/test_env.hpp"

namespace kefir::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

// Forwards to the real store; runs `before_next_transaction` once, right before the next transaction.
class InterleavingStore final : public store::ItemStore {
 public:
  explicit InterleavingStore(std::unique_ptr<store::ItemStore> inner) : inner_(std::move(inner)) {}

  std::function<void()> before_next_transaction;

  std::optional<store::Item> get(const store::Key& key) override { return inner_->get(key); }
  void put(const store::Item& item, const std::optional<store::Condition>& condition) override {
    inner_->put(item, condition);
  }
  store::Item update(const store::Key& key, const store::Update& update,
                     const std::optional<store::Condition>& condition) override {
    return inner_->update(key, update, condition);
  }
  std::optional<store::Item> remove(const store::Key& key,
                                    const std::optional<store::Condition>& condition) override {
    return inner_->remove(key, condition);
  }
  store::QueryPage query(const store::Query& query) override { return inner_->query(query); }
  void transact_write(const std::vector<store::WriteOp>& operations) override {
    interleave();
    inner_->transact_write(operations);
  }
  std::vector<std::uint64_t> transact_append(const std::vector<store::WriteOp>& operations,
                                             const std::vector<store::LogAppend>& appends) override {
    interleave();
    return inner_->transact_append(operations, appends);
  }
  bool ready() override { return inner_->ready(); }
  std::optional<std::uint64_t> data_version() override { return inner_->data_version(); }

 private:
  void interleave() {
    if (auto competing = std::exchange(before_next_transaction, {})) competing();
  }

  std::unique_ptr<store::ItemStore> inner_;
};

class ReminderPreferencesRace : public ::testing::Test {
 protected:
  // 2027-01-15T08:00:00Z: Paris is at UTC+1, its quiet hours 22:00-08:00 are 21:00-07:00 UTC.
  ReminderPreferencesRace() {
    auto clock = std::make_unique<ManualClock>(*parse_rfc3339("2027-01-15T08:00:00Z"));
    ctx_.config = load_config({{"DATA_DIR", dir_.str()}});
    ctx_.store = std::make_unique<InterleavingStore>(
        std::make_unique<store::SqliteItemStore>((dir_.path() / "kefir.db").string(), *clock));
    store_ = static_cast<InterleavingStore*>(ctx_.store.get());
    ctx_.clock = std::move(clock);
    ctx_.zones = std::make_unique<tz::SystemZoneDatabase>();
    auth_ = std::make_unique<services::AuthService>(ctx_);
    user_id_ = auth_->find_or_create_user(unique_email("race")).user_id;
    services::ProfileChanges paris;
    paris.timezone = "Europe/Paris";
    auth_->update_profile(user_id_, paris);
    auto fields = domain::read_batch_fields(
        json::parse(
            R"({"name":"Race","kind":"milk","stage":"stage1_open","startDate":"2027-01-15T07:00:00Z"})")
            .as_object(),
        domain::BatchBody::create);
    batch_id_ = services::create_batch(ctx_, user_id_, fields).batch_id;
  }

  // What PATCH /me {"preferences":{"quietHours":{"enabled":false}}} does, committed before the next
  // transaction of the use case under test.
  void turn_quiet_hours_off_before_next_write() {
    store_->before_next_transaction = [this] {
      services::ProfileChanges off;
      off.quiet_hours_enabled = false;
      auth_->update_profile(user_id_, off);
      services::retime_pending_reminders(ctx_, user_id_);
    };
  }

  reminders::Reminder stored_reminder(const std::string& reminder_id) {
    for (auto& reminder : services::user_reminders(ctx_, user_id_, true))
      if (reminder.reminder_id == reminder_id) return reminder;
    ADD_FAILURE() << "no reminder " << reminder_id;
    return {};
  }

  reminders::Reminder confirm(TimePoint scheduled) {
    return services::confirm_reminders(ctx_, user_id_, batch_id_, {{scheduled, "Taste it", "custom"}}).at(0);
  }

  TempDir dir_;
  ServiceContext ctx_;
  InterleavingStore* store_ = nullptr;
  std::unique_ptr<services::AuthService> auth_;
  std::string user_id_;
  std::string batch_id_;
  const TimePoint late_evening = *parse_rfc3339("2027-01-15T22:00:00Z");  // 23:00 in Paris: quiet
  const TimePoint quiet_hours_end = *parse_rfc3339("2027-01-16T07:00:00Z");
};

TEST_F(ReminderPreferencesRace, BaselineQuietHoursMoveALateEveningReminder) {
  EXPECT_EQ(format_rfc3339(confirm(late_evening).delivery()), format_rfc3339(quiet_hours_end));
}

TEST_F(ReminderPreferencesRace, ConfirmDuringAQuietHoursChangeDeliversByTheNewPreferences) {
  turn_quiet_hours_off_before_next_write();
  const auto created = confirm(late_evening);
  EXPECT_FALSE(store_->before_next_transaction) << "the competing change ran";
  EXPECT_EQ(format_rfc3339(created.delivery()), format_rfc3339(late_evening));
  EXPECT_EQ(format_rfc3339(stored_reminder(created.reminder_id).delivery()), format_rfc3339(late_evening));
}

TEST_F(ReminderPreferencesRace, SnoozeDuringAQuietHoursChangeDeliversByTheNewPreferences) {
  const auto created = confirm(*parse_rfc3339("2027-01-15T12:00:00Z"));
  reminders::ReminderPatch snooze;
  snooze.scheduled_time = late_evening;
  turn_quiet_hours_off_before_next_write();
  const auto snoozed = services::reschedule_reminder(ctx_, user_id_, created.reminder_id, snooze);
  EXPECT_FALSE(store_->before_next_transaction) << "the competing change ran";
  EXPECT_EQ(format_rfc3339(snoozed.delivery()), format_rfc3339(late_evening));
  EXPECT_EQ(format_rfc3339(stored_reminder(created.reminder_id).delivery()), format_rfc3339(late_evening));
}

TEST_F(ReminderPreferencesRace, AnOlderPreferencesChangeStopsReTimingOnceANewerOneLanded) {
  const auto created = confirm(late_evening);
  // The first PATCH turned quiet hours off and read its preferences; a second turns them on again and
  // re-times before the first one writes. The first must not write its now stale time.
  services::ProfileChanges off;
  off.quiet_hours_enabled = false;
  auth_->update_profile(user_id_, off);
  store_->before_next_transaction = [this] {
    services::ProfileChanges on;
    on.quiet_hours_enabled = true;
    auth_->update_profile(user_id_, on);
    services::retime_pending_reminders(ctx_, user_id_);
  };
  services::retime_pending_reminders(ctx_, user_id_);
  EXPECT_FALSE(store_->before_next_transaction) << "the competing change ran";
  EXPECT_EQ(format_rfc3339(stored_reminder(created.reminder_id).delivery()), format_rfc3339(quiet_hours_end));
}

}  // namespace
}  // namespace kefir::test
