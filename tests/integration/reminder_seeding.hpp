#pragma once
// Due reminders written straight into a store, as a large backlog would sit there (the exactly-once tests and
// the reminders benchmark): users with registered devices and reminders already due.
#include <cstddef>
#include <string>
#include <vector>

#include "ports/item_store.hpp"
#include "util/time.hpp"

namespace kefir::test {

struct ReminderBacklog {
  std::size_t users = 1;
  std::size_t reminders_per_user = 1;
  std::size_t devices_per_user = 1;
  TimePoint due;  // every reminder's scheduledTime
};

struct SeededBacklog {
  std::vector<std::string> user_ids;
  std::vector<std::string> reminder_ids;
  std::vector<std::string> tokens;  // every device's push token
};

// Writes devices (with their push-token claims) and pending reminders in transactions of 25, from several
// threads so that the store can commit them together.
SeededBacklog seed_reminder_backlog(store::ItemStore& store, const ReminderBacklog& backlog);

// The stored status of every reminder of the user.
std::vector<std::string> reminder_statuses(store::ItemStore& store, const std::string& user_id);

}  // namespace kefir::test
