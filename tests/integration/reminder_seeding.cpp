#include "reminder_seeding.hpp"

#include "domain/device.hpp"
#include "domain/keys.hpp"
#include "domain/reminder.hpp"
#include "support/store_seeding.hpp"
#include "util/ids.hpp"

namespace kefir::test {
namespace {

constexpr unsigned kWriterThreads = 32;

}  // namespace

SeededBacklog seed_reminder_backlog(store::ItemStore& store, const ReminderBacklog& backlog) {
  SeededBacklog seeded;
  std::vector<store::Item> items;
  const TimePoint created = backlog.due - minutes(10);
  for (std::size_t u = 0; u < backlog.users; ++u) {
    const std::string user_id = "seed-" + uuid_v4();
    seeded.user_ids.push_back(user_id);
    for (std::size_t d = 0; d < backlog.devices_per_user; ++d) {
      domain::Device device;
      device.user_id = user_id;
      device.device_id = "phone-" + std::to_string(d);
      device.platform = "ios";
      device.token = "ExponentPushToken[" + user_id + "-" + std::to_string(d) + "]";
      device.created_at = created;
      device.updated_at = created;
      items.push_back(domain::to_item(device));
      items.push_back(domain::push_token_claim_item(device));
      seeded.tokens.push_back(device.token);
    }
    for (std::size_t r = 0; r < backlog.reminders_per_user; ++r) {
      reminders::Reminder reminder;
      reminder.reminder_id = uuid_v4();
      reminder.batch_id = uuid_v4();
      reminder.batch_name = "Backlog batch";
      reminder.user_id = user_id;
      reminder.type = "midpoint_check";
      reminder.message = "Reminder " + std::to_string(r) + " of " + user_id;
      reminder.scheduled_time = backlog.due;
      reminder.created_at = created;
      reminder.updated_at = created;
      items.push_back(reminders::to_item(reminder));
      seeded.reminder_ids.push_back(reminder.reminder_id);
    }
  }

  put_in_transactions(store, items, kWriterThreads);
  return seeded;
}

std::vector<std::string> reminder_statuses(store::ItemStore& store, const std::string& user_id) {
  store::Query query;
  query.partition = keys::user_pk(user_id);
  query.sort = {store::SortOp::begins_with, std::string(keys::kReminderPrefix), {}};
  std::vector<std::string> out;
  for (const auto& item : store.query(query).items) out.push_back(json_string(item, "status"));
  return out;
}

}  // namespace kefir::test
