// The WAL-gathering VFS (adapters/sqlite/wal_gathering_vfs.hpp) keeps a transaction's frames in memory until
// its commit frame: every commit must be in the file when SQLite publishes it, whatever the sync setting, a
// transaction that spills, rolls back or outgrows the buffer must leave the WAL as the default VFS would, and
// a writer killed at any moment must lose nothing it saw committed.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <random>
#include <string>

#include "adapters/sqlite/sqlite_connection.hpp"
#include "adapters/sqlite/wal_gathering_vfs.hpp"
#include "support/test_env.hpp"

namespace kefir::store::sqlite {
namespace {

// A connection through SQLite's default VFS: it sees only what is in the files.
class PlainConnection {
 public:
  explicit PlainConnection(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK)
      throw std::runtime_error("cannot open " + path);
    sqlite3_busy_timeout(db_, 5000);
  }
  ~PlainConnection() { sqlite3_close(db_); }
  PlainConnection(const PlainConnection&) = delete;
  PlainConnection& operator=(const PlainConnection&) = delete;

  std::string scalar(const std::string& sql) {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &statement, nullptr) != SQLITE_OK)
      return std::string("error: ") + sqlite3_errmsg(db_);
    std::string value;
    int code = sqlite3_step(statement);
    if (code == SQLITE_ROW)
      value = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
    else if (code != SQLITE_DONE)
      value = std::string("error: ") + sqlite3_errmsg(db_);
    sqlite3_finalize(statement);
    return value;
  }

 private:
  sqlite3* db_ = nullptr;
};

const std::string kSchema = "CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL);";

std::string row_value(int key, std::size_t size) {
  return std::string(size, static_cast<char>('a' + key % 26));
}

TEST(WalGatheringVfs, EveryCommitIsInTheFileWhenItIsPublishedEvenWithoutSync) {
  test::TempDir dir;
  const auto path = (dir.path() / "visible.db").string();
  Connection writer(path, Connection::Mode::create);
  writer.execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF; " + kSchema);
  PlainConnection reader(path);
  std::mt19937 random(7);
  std::int64_t expected_bytes = 0;
  for (int transaction = 0; transaction < 60; ++transaction) {
    writer.execute("BEGIN");
    for (int i = 0; i < 1 + static_cast<int>(random() % 40); ++i) {
      const int key = static_cast<int>(random() % 3000);
      const auto value = row_value(key, 100 + random() % 2000);
      auto& insert = writer.prepared("INSERT OR REPLACE INTO t (k, v) VALUES (?1, ?2)");
      insert.bind(1, std::int64_t{key}).bind(2, value).run();
      insert.reset();
    }
    writer.execute("COMMIT");
    expected_bytes = std::stoll(writer.scalar("SELECT total(length(v)) FROM t"));
    // The plain connection reads the WAL's file, not the writer's memory.
    ASSERT_EQ(reader.scalar("SELECT total(length(v)) FROM t"), std::to_string(expected_bytes) + ".0")
        << "after transaction " << transaction;
  }
  EXPECT_EQ(reader.scalar("PRAGMA integrity_check"), "ok");
  EXPECT_GT(expected_bytes, 100000);
}

// A cache of a few pages makes SQLite spill frames in the middle of transactions (and read them back),
// multi-megabyte transactions overflow the 128 KiB buffer many times over, and rolled-back transactions leave
// frames that the next one overwrites.
TEST(WalGatheringVfs, SpillsRollbacksAndLargeTransactionsLeaveTheWalAsCommitted) {
  test::TempDir dir;
  const auto path = (dir.path() / "spills.db").string();
  std::mt19937 random(2026);
  std::map<int, std::size_t> expected;  // key -> value size
  {
    Connection writer(path, Connection::Mode::create);
    writer.execute("PRAGMA journal_mode=WAL; PRAGMA cache_size=8; PRAGMA wal_autocheckpoint=0; " + kSchema);
    for (int transaction = 0; transaction < 40; ++transaction) {
      const bool large = transaction % 10 == 3;
      const bool commit = transaction % 4 != 1;
      std::map<int, std::size_t> changes;
      writer.execute("BEGIN");
      for (int i = 0; i < (large ? 1500 : 50); ++i) {
        const int key = static_cast<int>(random() % 5000);
        const std::size_t size = 200 + random() % 3000;
        auto& insert = writer.prepared("INSERT OR REPLACE INTO t (k, v) VALUES (?1, ?2)");
        insert.bind(1, std::int64_t{key}).bind(2, row_value(key, size)).run();
        insert.reset();
        changes[key] = size;
      }
      writer.execute(commit ? "COMMIT" : "ROLLBACK");
      if (commit)
        for (auto [key, size] : changes) expected[key] = size;
    }
    PlainConnection reader(path);
    EXPECT_EQ(reader.scalar("PRAGMA integrity_check"), "ok");
    EXPECT_EQ(reader.scalar("SELECT count(*) FROM t"), std::to_string(expected.size()));
  }
  // Closed: the last connection checkpointed the WAL into the database file.
  PlainConnection reopened(path);
  EXPECT_EQ(reopened.scalar("PRAGMA integrity_check"), "ok");
  std::int64_t total = 0;
  for (auto [key, size] : expected) total += static_cast<std::int64_t>(size);
  EXPECT_EQ(reopened.scalar("SELECT total(length(v)) FROM t"), std::to_string(total) + ".0");
  EXPECT_EQ(reopened.scalar("SELECT count(*) FROM t WHERE substr(v, 1, 1) <> char(97 + k % 26)"), "0");
}

// A writer process commits numbered transactions with synchronous=FULL and reports each after its COMMIT
// returns; it is killed at a random moment, frames of its next transaction in memory. The database must open
// intact with every reported transaction in it.
TEST(WalGatheringVfs, AKilledWriterLosesNoTransactionItSawCommitted) {
  test::TempDir dir;
  const auto path = (dir.path() / "killed.db").string();
  {
    Connection create(path, Connection::Mode::create);
    create.execute("PRAGMA journal_mode=WAL; " + kSchema);
  }
  for (int attempt = 0; attempt < 3; ++attempt) {
    int reports[2];
    ASSERT_EQ(pipe(reports), 0);
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      close(reports[0]);
      try {
        Connection writer(path, Connection::Mode::existing);
        writer.execute("PRAGMA synchronous=FULL; PRAGMA cache_size=16");
        const int first = std::stoi(writer.scalar("SELECT coalesce(max(k), 0) + 1 FROM t"));
        for (int key = first;; ++key) {
          writer.execute("BEGIN");
          auto& insert = writer.prepared("INSERT INTO t (k, v) VALUES (?1, ?2)");
          for (int row = 0; row < 20; ++row) {  // the transaction's rows: key*100 .. key*100+19
            insert.bind(1, std::int64_t{key} * 100 + row).bind(2, row_value(key, 1500)).run();
            insert.reset();
          }
          writer.execute("COMMIT");
          if (write(reports[1], &key, sizeof key) != sizeof key) _exit(2);
        }
      } catch (...) {
        _exit(1);
      }
    }
    close(reports[1]);
    int last_reported = 0;
    const int stop_after = 30 + attempt * 25;
    for (int received = 0; received < stop_after; ++received)
      ASSERT_EQ(read(reports[0], &last_reported, sizeof last_reported), static_cast<ssize_t>(sizeof(int)));
    kill(child, SIGKILL);
    int status = 0;
    waitpid(child, &status, 0);
    close(reports[0]);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the writer stopped on its own: " << status;

    PlainConnection after(path);
    EXPECT_EQ(after.scalar("PRAGMA integrity_check"), "ok") << attempt;
    const int committed = std::stoi(after.scalar("SELECT coalesce(max(k) / 100, 0) FROM t"));
    EXPECT_GE(committed, last_reported) << attempt;
    // Transactions are whole: every one in the file has its 20 rows.
    EXPECT_EQ(after.scalar("SELECT count(*) FROM t"),
              std::to_string(std::stoi(after.scalar("SELECT count(DISTINCT k / 100) FROM t")) * 20))
        << attempt;
  }
}

}  // namespace
}  // namespace kefir::store::sqlite
