// The tracked page cache (adapters/sqlite/tracked_page_cache.hpp) must discard what SQLite's own cache does
// on a truncate: a page left behind would come back as stale content once the file grows past it again.
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <random>
#include <string>

#include "adapters/sqlite/sqlite_connection.hpp"
#include "adapters/sqlite/tracked_page_cache.hpp"
#include "support/test_env.hpp"

namespace kefir::store::sqlite {
namespace {

using Rows = std::map<std::string, std::string>;

Rows contents(Connection& db) {
  Rows rows;
  auto& all = db.prepared("SELECT k, v FROM t ORDER BY k");
  ResetOnExit reset(all);
  while (all.step()) rows.emplace(all.text(0), all.text(1));
  return rows;
}

// Random rows of 200-600 bytes, so that leaves split and merge all the time (splits are what rekey pages
// through the far-away temporary number); every fifth transaction rolls back, which truncates the pages it
// added from the cache, and a VACUUM halfway shrinks the file below pages the cache holds.
Rows churn(Connection& db, std::mt19937& random) {
  Rows expected;
  auto& insert = db.prepared("INSERT OR REPLACE INTO t (k, v) VALUES (?1, ?2)");
  auto& erase = db.prepared("DELETE FROM t WHERE k = ?1");
  for (int round = 0; round < 240; ++round) {
    const bool commit = round % 5 != 4;
    std::map<std::string, std::optional<std::string>> changes;
    db.execute("BEGIN");
    for (int i = 0; i < 60; ++i) {
      const std::string key = std::to_string(random() % 6000);
      if (random() % 4 == 0) {
        erase.bind(1, key).run();
        erase.reset();
        changes[key] = std::nullopt;
      } else {
        const std::string value(200 + random() % 400, static_cast<char>('a' + random() % 26));
        insert.bind(1, key).bind(2, value).run();
        insert.reset();
        changes[key] = value;
      }
    }
    db.execute(commit ? "COMMIT" : "ROLLBACK");
    if (commit) {
      for (auto& [key, value] : changes) {
        if (value)
          expected[key] = *value;
        else
          expected.erase(key);
      }
    }
    if (round == 150) db.execute("DELETE FROM t WHERE k LIKE '1%'; VACUUM;");
    if (round == 150) std::erase_if(expected, [](const auto& row) { return row.first.starts_with('1'); });
  }
  return expected;
}

TEST(TrackedPageCache, ChurnRollbacksAndAVacuumLeaveEveryRowAsCommitted) {
  ASSERT_TRUE(install_tracked_page_cache())
      << "SQLite initialized before this test binary's first connection";
  test::TempDir dir;
  std::mt19937 random(2026);
  for (const std::string cache : {"-256", "-65536"}) {  // evicting all the time, and holding everything
    const auto path = (dir.path() / ("churn" + cache + ".db")).string();
    Rows expected;
    {
      Connection db(path, Connection::Mode::create);
      db.execute("PRAGMA journal_mode=WAL; PRAGMA cache_size=" + cache +
                 "; CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT NOT NULL) WITHOUT ROWID;");
      expected = churn(db, random);
      EXPECT_EQ(db.scalar("PRAGMA integrity_check"), "ok") << cache;
      EXPECT_EQ(contents(db), expected) << cache;
      EXPECT_GT(expected.size(), 1000u);
    }
    Connection reopened(path, Connection::Mode::existing);
    EXPECT_EQ(contents(reopened), expected) << cache;
  }
}

// The same contract as SQLite's own cache, driven directly: a truncate drops every page from its limit up,
// also one a split rekeyed to the far-away temporary number, and keeps the rest.
TEST(TrackedPageCache, TruncateDropsEveryPageFromItsLimitUpAndKeepsTheRest) {
  ASSERT_TRUE(install_tracked_page_cache());
  Connection initializes(":memory:", Connection::Mode::create);
  const auto& methods = tracked_page_cache_methods();
  constexpr unsigned kFarAway = 262145;  // the lock-byte page with 4 KiB pages
  sqlite3_pcache* cache = methods.xCreate(4096, 64, 1);
  ASSERT_NE(cache, nullptr);
  methods.xCachesize(cache, 1000);
  for (unsigned key = 1; key <= 100; ++key) {
    sqlite3_pcache_page* page = methods.xFetch(cache, key, 2);
    ASSERT_NE(page, nullptr) << key;
    methods.xUnpin(cache, page, 0);
  }
  auto present = [&](unsigned key) {
    sqlite3_pcache_page* page = methods.xFetch(cache, key, 0);
    if (page) methods.xUnpin(cache, page, 0);
    return page != nullptr;
  };
  auto rekey = [&](unsigned from, unsigned to) {
    sqlite3_pcache_page* page = methods.xFetch(cache, from, 0);
    ASSERT_NE(page, nullptr) << from;
    methods.xRekey(cache, page, from, to);
    methods.xUnpin(cache, page, 0);
  };
  rekey(40, kFarAway);  // a split's swap: through the temporary number and back
  rekey(kFarAway, 40);
  rekey(10, kFarAway);  // and one left there

  methods.xTruncate(cache, 51);
  EXPECT_EQ(methods.xPagecount(cache), 49);
  for (unsigned key = 1; key <= 100; ++key) EXPECT_EQ(present(key), key < 51 && key != 10) << key;
  EXPECT_FALSE(present(kFarAway));

  sqlite3_pcache_page* pinned = methods.xFetch(cache, 30, 0);
  ASSERT_NE(pinned, nullptr);
  methods.xTruncate(cache, 30);  // pinned or not, as SQLite's own does
  EXPECT_FALSE(present(30));
  EXPECT_TRUE(present(29));
  EXPECT_EQ(methods.xPagecount(cache), 28);
  methods.xDestroy(cache);
}

}  // namespace
}  // namespace kefir::store::sqlite
