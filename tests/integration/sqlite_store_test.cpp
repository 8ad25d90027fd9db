// What only the SQLite store has: its file layout, failures of the file itself, the TTL purge, backup and
// restore. The item semantics are covered by tests/conformance.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <thread>

#include "adapters/sqlite/sqlite_item_store.hpp"
#include "integration/sqlite_writer_process.hpp"
#include "support/test_env.hpp"

namespace kefir::test {
namespace {

namespace fs = std::filesystem;
using store::Condition;
using store::Item;
using store::Put;
using store::Query;
using store::SqliteItemStore;
using store::StoreUnavailable;
using store::Update;
using store::UpdateItem;

// Reads the file with plain SQLite, independently of the adapter.
std::vector<std::vector<std::string>> raw_rows(const fs::path& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  std::vector<std::vector<std::string>> rows;
  while (statement && sqlite3_step(statement) == SQLITE_ROW) {
    std::vector<std::string> row;
    for (int i = 0; i < sqlite3_column_count(statement); ++i) {
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement, i));
      row.push_back(text ? text : "NULL");
    }
    rows.push_back(std::move(row));
  }
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return rows;
}

void write_file(const fs::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
}

// Items of one partition, each pair written by a transaction together with a counter of the pairs.
void write_pair(store::ItemStore& store, const std::string& id) {
  store.transact_write({
      Put{{{"PK", "PAIR#" + id}, {"SK", "A"}, {"GSI1PK", "PAIRS"}, {"GSI1SK", id + "#A"}},
          Condition::item_absent()},
      Put{{{"PK", "PAIR#" + id}, {"SK", "B"}, {"GSI1PK", "PAIRS"}, {"GSI1SK", id + "#B"}},
          Condition::item_absent()},
      UpdateItem{{"COUNTER", "PAIRS"}, Update{{}, {}, {{"pairs", 1}}}, std::nullopt},
  });
}

class SqliteStore : public ::testing::Test {
 protected:
  fs::path path(const std::string& name) const { return dir_.path() / name; }

  TempDir dir_;
  SystemClock clock_;
};

TEST_F(SqliteStore, FileLayoutIsTheDocumentedTable) {
  const auto db = path("kefir.db");
  {
    SqliteItemStore store(db.string(), clock_);
    store.put(
        {{"PK", "USER#u1"}, {"SK", "BATCH#b1"}, {"GSI1PK", "BATCH#b1"}, {"GSI1SK", "BATCH"}, {"name", "x"}});
    store.put({{"PK", "OTP#a@example.com"}, {"SK", "CHALLENGE"}, {"TTL", 1893456000}});
  }
  EXPECT_EQ(
      raw_rows(db, "SELECT PK, SK, GSI1PK, GSI1SK, TTL, json_extract(data, '$.name') FROM items ORDER BY PK"),
      (std::vector<std::vector<std::string>>{
          {"OTP#a@example.com", "CHALLENGE", "NULL", "NULL", "1893456000", "NULL"},
          {"USER#u1", "BATCH#b1", "BATCH#b1", "BATCH", "NULL", "x"}}));
  EXPECT_EQ(raw_rows(db, "PRAGMA journal_mode"), (std::vector<std::vector<std::string>>{{"wal"}}));
  auto indexes = raw_rows(db, "SELECT sql FROM sqlite_schema WHERE name = 'items_gsi1'");
  ASSERT_EQ(indexes.size(), 1u);
  EXPECT_NE(indexes[0][0].find("(GSI1PK, GSI1SK, PK, SK) WHERE GSI1PK IS NOT NULL"), std::string::npos);
  EXPECT_FALSE(fs::exists(db.string() + "-wal")) << "closing checkpoints the WAL into the database";
}

TEST_F(SqliteStore, DataSurvivesReopening) {
  const auto db = path("kefir.db").string();
  const Item stored{{"PK", "USER#u1"}, {"SK", "PROFILE"}, {"email", "a@example.com"}};
  { SqliteItemStore(db, clock_).put(stored); }
  SqliteItemStore reopened(db, clock_);
  EXPECT_EQ(reopened.get({"USER#u1", "PROFILE"}), stored);
}

TEST_F(SqliteStore, MissingDirectoriesAreCreated) {
  const auto db = path("a/b/c/kefir.db").string();
  SqliteItemStore store(db, clock_);
  store.put({{"PK", "P"}, {"SK", "S"}});
  EXPECT_TRUE(fs::exists(db));
  EXPECT_TRUE(store.ready());
}

TEST_F(SqliteStore, NotADatabaseIsStoreUnavailable) {
  const auto db = path("kefir.db");
  std::string garbage;
  for (int i = 0; i < 2000; ++i) garbage += "this is not a database ";
  write_file(db, garbage);
  try {
    SqliteItemStore store(db.string(), clock_);
    FAIL() << "opening a file that is not a database should fail";
  } catch (const StoreUnavailable& error) {
    EXPECT_NE(std::string(error.what()).find(db.string()), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("corrupt"), std::string::npos) << error.what();
  }
}

TEST_F(SqliteStore, CorruptPagesAreStoreUnavailable) {
  const auto db = path("kefir.db");
  {
    SqliteItemStore store(db.string(), clock_);
    const std::string filler(500, 'f');
    for (int batch = 0; batch < 80; ++batch) {
      std::vector<store::WriteOp> puts;
      for (int i = 0; i < 25; ++i) {
        puts.push_back(Put{{{"PK", "USER#u1"},
                            {"SK", "EVENT#" + std::to_string(100000 + batch * 25 + i)},
                            {"filler", filler}},
                           std::nullopt});
      }
      store.transact_write(puts);
    }
  }
  // Overwrite everything after the first pages (the schema survives, the items' pages do not).
  const auto size = fs::file_size(db);
  ASSERT_GT(size, 64u * 4096u);
  {
    std::fstream file(db, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(8 * 4096);
    file << std::string(size - 8 * 4096, '\xab');
  }
  auto use = [&] {
    SqliteItemStore store(db.string(), clock_);
    Query query;
    query.partition = "USER#u1";
    store.query(query);
  };
  EXPECT_THROW(use(), StoreUnavailable);
}

TEST_F(SqliteStore, UnusableLocationIsStoreUnavailable) {
  write_file(path("plain-file"), "x");
  try {
    SqliteItemStore store(path("plain-file/kefir.db").string(), clock_);
    FAIL() << "a database under a regular file cannot exist";
  } catch (const StoreUnavailable& error) {
    EXPECT_NE(std::string(error.what()).find("plain-file/kefir.db"), std::string::npos) << error.what();
  }
}

TEST_F(SqliteStore, UnwritableDirectoryIsStoreUnavailable) {
  if (::geteuid() == 0) GTEST_SKIP() << "root writes through directory permissions";
  const auto locked = path("locked");
  fs::create_directories(locked);
  fs::permissions(locked, fs::perms::owner_read | fs::perms::owner_exec);
  EXPECT_THROW(SqliteItemStore((locked / "kefir.db").string(), clock_), StoreUnavailable);
  fs::permissions(locked, fs::perms::owner_all);
}

TEST_F(SqliteStore, WriteLockedBeyondTheBusyTimeoutIsStoreUnavailable) {
  const auto db = path("kefir.db");
  SqliteItemStore store(db.string(), clock_);
  store.put({{"PK", "P"}, {"SK", "before"}});
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  try {
    store.put({{"PK", "P"}, {"SK", "blocked"}});
    ADD_FAILURE() << "the write should have timed out";
  } catch (const StoreUnavailable& error) {
    EXPECT_NE(std::string(error.what()).find("locked"), std::string::npos) << error.what();
  }
  EXPECT_TRUE(store.get({"P", "before"}).has_value()) << "reads go on while another connection writes";
  sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(other);
  store.put({{"PK", "P"}, {"SK", "after"}});
  EXPECT_TRUE(store.get({"P", "after"}).has_value());
}

TEST_F(SqliteStore, DataVersionChangesWithEveryCommitOfAnyConnectionAndOnlyThen) {
  const auto db = path("kefir.db");
  SqliteItemStore store(db.string(), clock_);
  auto before = store.data_version();
  ASSERT_TRUE(before);
  store.get({"USER#u1", "BATCH#b1"});
  store.query(Query{.partition = "USER#u1"});
  EXPECT_EQ(store.data_version(), before) << "reads commit nothing";

  store.put({{"PK", "USER#u1"}, {"SK", "BATCH#b1"}, {"name", "x"}});
  auto after_put = store.data_version();
  EXPECT_NE(after_put, before);
  store.update({"USER#u1", "BATCH#b1"}, Update{{{"name", "y"}}, {}, {}});
  auto after_update = store.data_version();
  EXPECT_NE(after_update, after_put);
  EXPECT_NE(after_update, before);

  // Another connection, as another process would write: plain SQLite on the same file.
  raw_rows(db, "INSERT INTO items (PK, SK, data) VALUES ('USER#u2', 'BATCH#b2', '{}')");
  EXPECT_NE(store.data_version(), after_update);
}

TEST_F(SqliteStore, DataVersionSeesCommitsOfAnotherProcess) {
  const auto db = path("kefir.db");
  SqliteItemStore store(db.string(), clock_);
  auto before = store.data_version();
  StoreWriterProcess writer(db.string(), 1);
  ASSERT_TRUE(writer.wait_for_acknowledged(1, std::chrono::seconds(20)));
  EXPECT_NE(store.data_version(), before);
  writer.kill_and_collect();
}

// Kept list pages last while their partition's version does: this store's writes change only the partitions
// they write (each kind of write, a transaction and an append too), another connection's commit changes every
// one, and while a commit is not yet accounted for there is no version to keep a page at.
TEST_F(SqliteStore, PartitionVersionsChangeWithTheirOwnWritesAndWithEveryOtherConnectionsCommit) {
  const auto db = path("kefir.db");
  SqliteItemStore store(db.string(), clock_);
  auto version = [&](std::string_view partition) {
    auto answer = store.partition_version(partition, "");
    EXPECT_TRUE(answer) << partition;
    return answer.value_or(0);
  };
  auto alice = version("USER#alice");
  auto bob = version("USER#bob");

  auto expect_only_alice_changes = [&](const std::string& what, const auto& write) {
    write();
    EXPECT_NE(version("USER#alice"), alice) << what;
    EXPECT_EQ(version("USER#bob"), bob) << what;
    alice = version("USER#alice");
  };
  expect_only_alice_changes("put", [&] { store.put({{"PK", "USER#alice"}, {"SK", "BATCH#1"}, {"n", 1}}); });
  expect_only_alice_changes("update", [&] {
    store.update({"USER#alice", "BATCH#1"}, Update{{{"n", 2}}, {}, {}});
  });
  expect_only_alice_changes("transaction", [&] {
    store.transact_write({Put{{{"PK", "USER#alice"}, {"SK", "BATCH#2"}}},
                          UpdateItem{{"BATCH#x", "EVENT#1"}, Update{{{"n", 1}}, {}, {}}}});
  });
  expect_only_alice_changes("append", [&] {
    store.transact_append({},
                          {store::LogAppend{{"USER#alice", "CHANGESEQ"}, {{"PK", "USER#alice"}}, "CHANGE#"}});
  });
  expect_only_alice_changes("delete", [&] { store.remove({"USER#alice", "BATCH#2"}); });
  EXPECT_NE(version("BATCH#x"), bob) << "the transaction's other partition";

  // A failed condition wrote nothing, and reads write nothing.
  store.query(Query{.partition = "USER#bob"});
  EXPECT_THROW(store.put({{"PK", "USER#bob"}, {"SK", "BATCH#9"}}, Condition::exists("n")),
               store::ConditionFailed);
  EXPECT_EQ(version("USER#bob"), bob);

  // Another connection commits: not yet accounted for, then every partition changes with the next commit.
  raw_rows(db, "INSERT INTO items (PK, SK, data) VALUES ('USER#carol', 'BATCH#3', '{}')");
  EXPECT_FALSE(store.partition_version("USER#bob", ""));
  store.put({{"PK", "USER#dave"}, {"SK", "BATCH#4"}});
  EXPECT_NE(version("USER#bob"), bob);
  EXPECT_NE(version("USER#alice"), alice);
}

// A list of one kind of item (a user's batches) is kept while the partition's other kinds change (the change
// log an event write appends to): its version moves only with writes of its kind.
TEST_F(SqliteStore, AKindsVersionChangesOnlyWithWritesOfThatKind) {
  SqliteItemStore store(path("kefir.db").string(), clock_);
  auto version = [&](std::string_view partition, std::string_view kind) {
    auto answer = store.partition_version(partition, kind);
    EXPECT_TRUE(answer) << partition << " " << kind;
    return answer.value_or(0);
  };
  auto batches = version("USER#alice", "BATCH#");
  auto partition = version("USER#alice", "");
  auto changes = version("USER#alice", "CHANGE#");

  store.transact_append({Put{{{"PK", "BATCH#1"}, {"SK", "EVENT#2026#e1"}}}},
                        {store::LogAppend{{"USER#alice", "CHANGESEQ"}, {{"PK", "USER#alice"}}, "CHANGE#"}});
  EXPECT_EQ(version("USER#alice", "BATCH#"), batches) << "an event and its change-log entry";
  EXPECT_NE(version("USER#alice", "CHANGE#"), changes);
  EXPECT_NE(version("USER#alice", ""), partition);
  EXPECT_EQ(version("USER#alice", "BATCH#1"), version("USER#alice", "")) << "not a kind: the whole partition";
  EXPECT_EQ(version("USER#alice", "CHANGESEQ"), version("USER#alice", ""))
      << "not a kind: the whole partition";

  for (const auto& [what, write] : std::vector<std::pair<std::string, std::function<void()>>>{
           {"put",
            [&] {
              store.put({{"PK", "USER#alice"}, {"SK", "BATCH#1"}, {"n", 1}});
            }},
           {"update",
            [&] {
              store.update({"USER#alice", "BATCH#1"}, Update{{{"n", 2}}, {}, {}});
            }},
           {"transaction",
            [&] {
              store.transact_write({UpdateItem{{"USER#alice", "BATCH#1"}, Update{{{"n", 3}}, {}, {}}}});
            }},
           {"delete", [&] {
              store.remove({"USER#alice", "BATCH#1"});
            }}}) {
    changes = version("USER#alice", "CHANGE#");
    write();
    EXPECT_NE(version("USER#alice", "BATCH#"), batches) << what;
    EXPECT_EQ(version("USER#alice", "CHANGE#"), changes) << what;
    batches = version("USER#alice", "BATCH#");
  }
}

// SQLite's own automatic checkpoint is off (the store checkpoints in the background, and on the writer past
// a limit): the WAL must still be copied back and restarted while writes go on.
TEST_F(SqliteStore, WalStaysBoundedUnderWritesThatNeverPause) {
  const auto db = path("kefir.db");
  SqliteItemStore store(db.string(), clock_);
  const std::string payload(64 * 1024, 'x');
  // 4 writers, 400 writes of 64 KiB each, back to back: 100 MiB through the WAL.
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < 400; ++i) {
        store.put({{"PK", "BULK#" + std::to_string(i % 50)},
                   {"SK", std::to_string(w) + "-" + std::to_string(i)},
                   {"payload", payload}});
      }
    });
  }
  for (auto& writer : writers) writer.join();
  const auto wal_bytes = fs::file_size(db.string() + "-wal");
  EXPECT_LT(wal_bytes, 72u << 20) << "the WAL is checkpointed and restarted, cut back to 64 MiB";
  EXPECT_EQ(raw_rows(db, "SELECT count(*) FROM items")[0][0], "1600");
}

// Concurrent writes are committed in groups (one fsync each, the writes queued while a group runs joining
// it): a transaction whose condition fails writes nothing, and only its caller hears of it.
TEST_F(SqliteStore, ConcurrentTransactionsThatFailWriteNothingInTheirGroup) {
  const auto db = path("kefir.db");
  SqliteItemStore store(db.string(), clock_);
  store.put({{"PK", "TAKEN"}, {"SK", "x"}});
  constexpr int kWriters = 16, kWrites = 40;
  std::atomic<int> refused{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < kWrites; ++i) {
        const auto id = std::to_string(w) + "-" + std::to_string(i);
        if (i % 2 == 0) {
          write_pair(store, id);
          continue;
        }
        try {
          // Both writes or neither: the second one's condition fails.
          store.transact_write({Put{{{"PK", "PAIR#" + id}, {"SK", "A"}}, Condition::item_absent()},
                                Put{{{"PK", "TAKEN"}, {"SK", "x"}}, Condition::item_absent()}});
        } catch (const store::ConditionFailed& failed) {
          EXPECT_EQ(failed.index(), 1);
          ++refused;
        }
      }
    });
  }
  for (auto& writer : writers) writer.join();
  EXPECT_EQ(refused, kWriters * kWrites / 2);
  EXPECT_EQ(raw_rows(db, "SELECT count(*) FROM items WHERE PK LIKE 'PAIR#%'")[0][0],
            std::to_string(kWriters * kWrites));
  EXPECT_EQ(json_int(*store.get({"COUNTER", "PAIRS"}), "pairs").value_or(0), kWriters * kWrites / 2);
}

TEST_F(SqliteStore, PurgeDeletesExpiredRows) {
  const auto db = path("kefir.db");
  SqliteItemStore store(db.string(), clock_);
  const auto now = epoch_seconds(clock_.now());
  for (int i = 0; i < 3; ++i)
    store.put({{"PK", "OTP#" + std::to_string(i)}, {"SK", "CHALLENGE"}, {"TTL", now - 1}});
  store.put({{"PK", "OTP#live"}, {"SK", "CHALLENGE"}, {"TTL", now + 600}});
  store.put({{"PK", "USER#u1"}, {"SK", "PROFILE"}});
  EXPECT_EQ(raw_rows(db, "SELECT count(*) FROM items"), (std::vector<std::vector<std::string>>{{"5"}}));
  EXPECT_EQ(store.purge_expired(), 3u);
  EXPECT_EQ(raw_rows(db, "SELECT PK FROM items ORDER BY PK"),
            (std::vector<std::vector<std::string>>{{"OTP#live"}, {"USER#u1"}}));
}

TEST_F(SqliteStore, BackupDuringWritesRestoresAConsistentStore) {
  const auto live = path("live/kefir.db").string();
  const auto backup = path("backups/kefir-backup.db").string();
  std::atomic<bool> stop{false};
  std::atomic<int> written{0};
  {
    SqliteItemStore store(live, clock_);
    std::vector<std::thread> writers;
    for (int t = 0; t < 4; ++t) {
      writers.emplace_back([&, t] {
        for (int i = 0; !stop; ++i) {
          write_pair(store, std::to_string(t) + "-" + std::to_string(i));
          ++written;
        }
      });
    }
    while (written < 200) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    store.backup_to(backup);
    const int after_backup = written;
    while (written < after_backup + 200) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    stop = true;
    for (auto& writer : writers) writer.join();
  }

  const auto restored_path = path("restored/kefir.db").string();
  store::restore_sqlite_store(backup, restored_path);
  SqliteItemStore restored(restored_path, clock_);
  Query query;
  query.on_gsi1 = true;
  query.partition = "PAIRS";
  std::map<std::string, int> halves;
  for (const auto& item : restored.query(query).items) ++halves[json_string(item, "PK")];
  for (const auto& [pk, count] : halves) EXPECT_EQ(count, 2) << pk;
  const auto counter = restored.get({"COUNTER", "PAIRS"});
  ASSERT_TRUE(counter.has_value());
  EXPECT_EQ(json_int(*counter, "pairs"), static_cast<std::int64_t>(halves.size()));
  EXPECT_GE(halves.size(), 200u);
  EXPECT_LT(halves.size(), static_cast<std::size_t>(written.load()))
      << "the backup is a snapshot, not the end";
}

TEST_F(SqliteStore, RestoreReplacesTheDatabase) {
  const auto db = path("kefir.db").string();
  const auto backup = path("backup.db").string();
  {
    SqliteItemStore store(db, clock_);
    store.put({{"PK", "USER#u1"}, {"SK", "PROFILE"}, {"name", "in the backup"}});
    store.backup_to(backup);
    store.put({{"PK", "USER#u1"}, {"SK", "PROFILE"}, {"name", "after the backup"}});
    store.put({{"PK", "USER#u2"}, {"SK", "PROFILE"}});
  }
  store::restore_sqlite_store(backup, db);
  SqliteItemStore store(db, clock_);
  EXPECT_EQ(json_string(*store.get({"USER#u1", "PROFILE"}), "name"), "in the backup");
  EXPECT_FALSE(store.get({"USER#u2", "PROFILE"}).has_value());
}

TEST_F(SqliteStore, RestoreRefusesABadBackupAndKeepsTheDatabase) {
  const auto db = path("kefir.db").string();
  { SqliteItemStore(db, clock_).put({{"PK", "USER#u1"}, {"SK", "PROFILE"}}); }
  write_file(path("garbage.db"), std::string(8192, 'g'));
  EXPECT_THROW(store::restore_sqlite_store(path("garbage.db").string(), db), StoreUnavailable);
  EXPECT_THROW(store::restore_sqlite_store(path("missing.db").string(), db), StoreUnavailable);

  // A valid SQLite file that is not a store backup is refused too.
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(path("other.db").c_str(), &other), SQLITE_OK);
  sqlite3_exec(other, "CREATE TABLE t (x); INSERT INTO t VALUES (1);", nullptr, nullptr, nullptr);
  sqlite3_close(other);
  EXPECT_THROW(store::restore_sqlite_store(path("other.db").string(), db), StoreUnavailable);

  SqliteItemStore store(db, clock_);
  EXPECT_TRUE(store.get({"USER#u1", "PROFILE"}).has_value());
}

TEST_F(SqliteStore, RestoreRefusesWhileAnotherProcessUsesTheDatabase) {
  const auto db = path("kefir.db").string();
  const auto backup = path("backup.db").string();
  {
    SqliteItemStore store(db, clock_);
    store.put({{"PK", "USER#u1"}, {"SK", "PROFILE"}, {"name", "backed up"}});
    store.backup_to(backup);
  }
  std::size_t acknowledged = 0;
  {
    StoreWriterProcess writer(db, 1);
    ASSERT_TRUE(writer.wait_for_acknowledged(1, std::chrono::seconds(30)));
    try {
      store::restore_sqlite_store(backup, db);
      ADD_FAILURE() << "restore must refuse while the store is in use";
    } catch (const StoreUnavailable& error) {
      EXPECT_NE(std::string(error.what()).find("in use"), std::string::npos) << error.what();
    }
    acknowledged = writer.kill_and_collect().size();
  }
  {
    SqliteItemStore store(db, clock_);
    EXPECT_TRUE(store.get({"TXN#0-0", "A"}).has_value()) << "the refused restore changed nothing";
    EXPECT_GE(acknowledged, 1u);
  }
  store::restore_sqlite_store(backup, db);
  SqliteItemStore store(db, clock_);
  EXPECT_EQ(json_string(*store.get({"USER#u1", "PROFILE"}), "name"), "backed up");
  EXPECT_FALSE(store.get({"TXN#0-0", "A"}).has_value());
}

TEST_F(SqliteStore, RestoreRefusesWhileThisProcessHasTheStoreOpen) {
  const auto db = path("kefir.db").string();
  SqliteItemStore store(db, clock_);
  store.backup_to(path("backup.db").string());
  EXPECT_THROW(store::restore_sqlite_store(path("backup.db").string(), db), StoreUnavailable);
}

}  // namespace
}  // namespace kefir::test
