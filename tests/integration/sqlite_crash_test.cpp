// Durability: a process writing transactions is killed with SIGKILL; every transaction it had acknowledged is
// in the database afterwards, and no transaction is there by halves.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <thread>

#include "adapters/sqlite/sqlite_item_store.hpp"
#include "integration/sqlite_writer_process.hpp"
#include "support/test_env.hpp"

namespace kefir::test {
namespace {

constexpr int kWriterThreads = 8;

TEST(SqliteCrash, AcknowledgedTransactionsSurviveKill9) {
  TempDir dir;
  const std::string db_path = (dir.path() / "kefir.db").string();
  std::vector<std::string> acknowledged;
  {
    StoreWriterProcess writer(db_path, kWriterThreads);
    ASSERT_TRUE(writer.wait_for_acknowledged(1, std::chrono::seconds(30))) << "the writer never acknowledged";
    std::this_thread::sleep_for(std::chrono::seconds(1));
    acknowledged = writer.kill_and_collect();
  }
  ASSERT_FALSE(acknowledged.empty());

  SystemClock clock;
  store::SqliteItemStore store(db_path, clock);
  for (const auto& id : acknowledged) {
    EXPECT_TRUE(store.get({"TXN#" + id, "A"}).has_value()) << "acknowledged " << id << " lost its item A";
    EXPECT_TRUE(store.get({"TXN#" + id, "B"}).has_value()) << "acknowledged " << id << " lost its item B";
  }

  // Transactions in flight at the kill may or may not be there, but never half.
  std::map<std::string, std::set<std::string>> found;
  for (int t = 0; t < kWriterThreads; ++t) {
    store::Query query;
    query.on_gsi1 = true;
    query.partition = "WRITES#" + std::to_string(t);
    for (const auto& item : store.query(query).items) {
      found[json_string(item, "PK")].insert(json_string(item, "SK"));
    }
  }
  EXPECT_GE(found.size(), acknowledged.size());
  for (const auto& [pk, sort_keys] : found) {
    EXPECT_EQ(sort_keys, (std::set<std::string>{"A", "B"})) << pk << " was written by halves";
  }
}

}  // namespace
}  // namespace kefir::test
