// Claims make delivery exactly-once whatever the number of processors: two `kefir serve` on one SQLite file
// share a backlog without sending anything twice, and a processor killed after claiming loses only its lease.
#include <gtest/gtest.h>

#include <csignal>
#include <map>

#include "adapters/sqlite/sqlite_item_store.hpp"
#include "domain/keys.hpp"
#include "reminder_seeding.hpp"
#include "support/fake_expo.hpp"
#include "support/server_process.hpp"
#include "support/test_env.hpp"

namespace kefir::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TimePoint now() {
  return std::chrono::time_point_cast<milliseconds>(std::chrono::system_clock::now());
}

ServerConfig processor_config(const TempDir& data, const FakeExpo& fake) {
  ServerConfig config;
  config.env = {{"DATA_DIR", data.str()}, {"EXPO_PUSH_URL", fake.push_url()}, {"EXPO_RATE", "0"}};
  return config;
}

std::map<std::string, int> once_each(const std::vector<std::string>& ids) {
  std::map<std::string, int> out;
  for (const auto& id : ids) out[id] = 1;
  return out;
}

std::size_t count_status(store::ItemStore& store, const SeededBacklog& seeded, const std::string& status) {
  std::size_t count = 0;
  for (const auto& user : seeded.user_ids)
    for (const auto& s : reminder_statuses(store, user)) count += s == status ? 1 : 0;
  return count;
}

TEST(ReminderExactlyOnce, TwoServersOnOneStoreDeliverTenThousandRemindersOnceEach) {
  TempDir data;
  FakeExpo fake;
  SystemClock clock;
  SeededBacklog seeded;
  {
    store::SqliteItemStore store(data.str() + "/kefir.db", clock);
    seeded =
        seed_reminder_backlog(store, {.users = 1000, .reminders_per_user = 10, .due = now() - minutes(1)});
  }
  ASSERT_EQ(seeded.reminder_ids.size(), 10000u);

  ServerProcess first(processor_config(data, fake));
  ServerProcess second(processor_config(data, fake));
  ASSERT_TRUE(fake.wait_for_accepted(10000, seconds(180))) << fake.accepted().size() << " delivered";
  // Anything sent twice would arrive about now: give it the time.
  std::this_thread::sleep_for(seconds(2));
  EXPECT_EQ(fake.accepted().size(), 10000u);
  EXPECT_EQ(fake.accepted_by_reminder(), once_each(seeded.reminder_ids));

  auto claimed_by = [](const ServerProcess& server) {
    std::size_t claimed = 0;
    for (const auto& line : server.stdout_lines()) {
      auto parsed = boost::json::parse(line);
      if (parsed.at("msg") == "reminders processed") claimed += parsed.at("claimed").to_number<std::size_t>();
    }
    return claimed;
  };
  EXPECT_EQ(first.terminate(), 0) << first.stderr_text();
  EXPECT_EQ(second.terminate(), 0) << second.stderr_text();
  const auto by_first = claimed_by(first);
  const auto by_second = claimed_by(second);
  std::cout << "claimed by the first server: " << by_first << ", by the second: " << by_second << "\n";
  EXPECT_EQ(by_first + by_second, 10000u);  // no reminder claimed twice either

  store::SqliteItemStore store(data.str() + "/kefir.db", clock);
  EXPECT_EQ(count_status(store, seeded, "sent"), 10000u);
}

TEST(ReminderExactlyOnce, AClaimOfAKilledProcessorIsDeliveredAfterItsLease) {
  TempDir data;
  FakeExpo fake;
  SystemClock clock;
  SeededBacklog seeded;
  {
    store::SqliteItemStore store(data.str() + "/kefir.db", clock);
    seeded = seed_reminder_backlog(store, {.users = 1, .reminders_per_user = 5, .due = now() - minutes(1)});
  }
  fake.hold_sends(true);
  // Each reminder's lease: the dead processor may have claimed them in more than one round.
  std::map<std::string, std::int64_t> lease_until;
  {
    ServerProcess doomed(processor_config(data, fake));
    ASSERT_TRUE(fake.wait_for_received(5, seconds(15)));  // claimed, and stuck sending
    doomed.signal(SIGKILL);
    doomed.wait_exit();
  }
  {
    store::SqliteItemStore store(data.str() + "/kefir.db", clock);
    EXPECT_EQ(count_status(store, seeded, "sending"), 5u);
    store::Query query;
    query.partition = keys::user_pk(seeded.user_ids[0]);
    query.sort = {store::SortOp::begins_with, std::string(keys::kReminderPrefix), {}};
    for (const auto& item : store.query(query).items)
      lease_until[json_string(item, "reminderId")] = json_int(item, "leaseUntil").value_or(0);
  }
  ASSERT_EQ(lease_until.size(), 5u);
  fake.hold_sends(false);  // the dead processor's request is answered to nobody

  ServerProcess survivor(processor_config(data, fake));
  ASSERT_TRUE(fake.wait_for_accepted(5, seconds(90)));
  EXPECT_EQ(fake.accepted_by_reminder(), once_each(seeded.reminder_ids));
  for (const auto& message : fake.accepted()) {
    auto lease = lease_until.at(message.data("reminderId"));
    EXPECT_GT(lease, 0);
    EXPECT_GE(message.received_at, std::chrono::system_clock::time_point(milliseconds(lease)));
  }
  survivor.terminate();
  store::SqliteItemStore store(data.str() + "/kefir.db", clock);
  EXPECT_EQ(count_status(store, seeded, "sent"), 5u);
}

}  // namespace
}  // namespace kefir::test
