#include "adapters/sqlite/sqlite_item_store.hpp"

#include <chrono>
#include <thread>

#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <filesystem>

#include "adapters/sqlite/group_commit_writer.hpp"
#include "adapters/sqlite/item_rules.hpp"
#include "adapters/sqlite/item_table.hpp"
#include "adapters/sqlite/partition_versions.hpp"
#include "adapters/sqlite/reader_pool.hpp"
#include "adapters/sqlite/sqlite_connection.hpp"
#include "adapters/sqlite/store_lock.hpp"
#include "adapters/sqlite/wal_change_probe.hpp"

namespace kefir::store {
namespace {

namespace fs = std::filesystem;
using sqlite::Connection;

constexpr std::chrono::seconds kPurgePeriod{60};
// Below this much free space writes are about to fail: a WAL checkpoint alone copies up to 1,000 pages
// (SQLite's default auto-checkpoint, 4 MiB) into the database file.
constexpr std::uint64_t kReadyMinFreeBytes = 8u << 20;
constexpr std::size_t kPurgeBatch = 1000;

void ensure_parent_directory(const std::string& path) {
  auto parent = fs::path(path).parent_path();
  if (parent.empty()) return;
  std::error_code error;
  fs::create_directories(parent, error);
  if (error) {
    throw StoreUnavailable("SQLite store " + path + ": cannot create directory " + parent.string() + " (" +
                           error.message() + ")");
  }
}

// Makes a rename or a new file in `directory` durable.
void sync_directory(const fs::path& directory) {
  int fd = ::open(directory.empty() ? "." : directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

std::unique_ptr<Connection> open_writer(const std::string& path) {
  auto db = std::make_unique<Connection>(path, Connection::Mode::create);
  // Switching a new database to WAL needs it to itself for a moment, and SQLite answers the old mode instead
  // of waiting when another process (a second server or Lambda function starting on the same DATA_DIR) holds
  // it.
  bool wal = false;
  for (int attempt = 0; attempt < 50 && !wal; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    try {
      wal = db->scalar("PRAGMA journal_mode=WAL") == "wal";
    } catch (const StoreUnavailable&) {
      if (attempt == 49) throw;  // busy until the end
    }
  }
  if (!wal) throw StoreUnavailable("SQLite store " + path + ": cannot switch to WAL journaling");
  // FULL makes every commit fsync the WAL: an acknowledged write survives a crash or a power loss. The cache
  // holds a large group's dirty pages (a reminder burst commits thousands of rows at once; a smaller cache
  // spills them to the WAL mid-transaction): it grows only as pages are used.
  db->execute("PRAGMA synchronous=FULL; PRAGMA cache_size=-65536; PRAGMA journal_size_limit=67108864;");
  sqlite::create_schema(*db);
  return db;
}

std::unique_ptr<Connection> open_reader(const std::string& path) {
  auto db = std::make_unique<Connection>(path, Connection::Mode::existing);
  // Small caches: there may be dozens of reading threads, and the OS page cache serves them all.
  db->execute("PRAGMA query_only=1; PRAGMA cache_size=-512;");
  return db;
}

// The current item as conditions see it (absent when expired), checked against `condition`.
std::optional<Item> checked_current(Connection& db, const Key& key, const std::optional<Condition>& condition,
                                    int index, std::int64_t now) {
  auto current = sqlite::find_item(db, key, now);
  sqlite::require(condition, current ? &*current : nullptr, index);
  return current;
}

// An UPDATE of a row read as current (its unchanged index entries stay); otherwise the row is new, or an
// expired one still in the table, and replaces whatever is there.
void save_row(Connection& db, const sqlite::Row& row, bool current) {
  if (current) {
    sqlite::rewrite_row(db, row);
  } else {
    sqlite::write_row(db, row);
  }
}

struct UpdatedItem {
  Item item;
  bool current;  // it replaces the current item (an UPDATE of its row)
};

UpdatedItem checked_update(Connection& db, const Key& key, const Update& update,
                           const std::optional<Condition>& condition, int index, std::int64_t now) {
  auto current = checked_current(db, key, condition, index, now);
  return {sqlite::updated_item(key, current ? &*current : nullptr, update), current.has_value()};
}

Item apply_update(Connection& db, const Key& key, const Update& update,
                  const std::optional<Condition>& condition, int index, std::int64_t now) {
  auto updated = checked_update(db, key, update, condition, index, now);
  save_row(db, sqlite::row_of(updated.item), updated.current);
  return std::move(updated.item);
}

// A write of a transaction, made once every condition of the transaction held.
struct PendingWrite {
  std::variant<sqlite::Row, Key> target;  // the row to save, or the key of the row to delete
  bool current = false;                   // the row exists (see save_row)
};

std::optional<Item> apply_delete(Connection& db, const Key& key, const std::optional<Condition>& condition,
                                 int index, std::int64_t now) {
  auto current = checked_current(db, key, condition, index, now);
  sqlite::delete_item(db, key);
  return current;
}

// `condition` checked where the current item itself is not needed. Most conditions of the service's writes
// ask only whether an item exists (a batch before its event, a user before a write): its row answers, and the
// item is not parsed into a DOM (about 17k instructions of a durable event write).
void check_condition(Connection& db, const Key& key, const std::optional<Condition>& condition, int index,
                     std::int64_t now) {
  if (!condition) return;
  if (!sqlite::about_presence_only(*condition)) {
    checked_current(db, key, condition, index, now);
    return;
  }
  if (sqlite::item_present(db, key, now) != (condition->op == Condition::Op::exists))
    throw ConditionFailed(index);
}

void apply_put(Connection& db, const sqlite::Row& row, const std::optional<Condition>& condition, int index,
               std::int64_t now) {
  check_condition(db, {row.pk, row.sk}, condition, index, now);
  sqlite::write_row(db, row);
}

}  // namespace

SqliteItemStore::SqliteItemStore(std::string db_path, const Clock& clock)
    : path_(std::move(db_path)), clock_(clock) {
  ensure_parent_directory(path_);
  lock_ = std::make_unique<sqlite::StoreLock>(path_, sqlite::StoreLock::Mode::shared);
  auto writer_connection = open_writer(path_);
  changes_ = std::make_shared<sqlite::WalChangeProbe>(open_reader(path_));
  versions_ = std::make_shared<sqlite::PartitionVersions>(changes_, *writer_connection);
  readers_ = std::make_shared<sqlite::ReaderPool>([path = path_] { return open_reader(path); });
  writer_ = std::make_unique<sqlite::GroupCommitWriter>(
      std::move(writer_connection), std::make_unique<Connection>(path_, Connection::Mode::existing),
      [this](Connection& db) {
        return sqlite::purge_expired_items(db, now_seconds(), kPurgeBatch) == kPurgeBatch;
      },
      kPurgePeriod,
      [versions = versions_](const sqlite::WrittenPartitions& written) { versions->committed(written); });
}

SqliteItemStore::~SqliteItemStore() {
  // Readers close first so that the writer's final checkpoint can empty the WAL (the probe closes with the
  // writer's last use of it).
  versions_.reset();
  changes_.reset();
  readers_.reset();
  writer_.reset();
}

std::int64_t SqliteItemStore::now_seconds() const {
  return epoch_seconds(clock_.now());
}

std::optional<Item> SqliteItemStore::get(const Key& key) {
  auto db = readers_->connection();
  return sqlite::find_item(*db, key, now_seconds());
}

std::optional<std::string> SqliteItemStore::get_document(const Key& key) {
  auto db = readers_->connection();
  return sqlite::find_document(*db, key, now_seconds());
}

void SqliteItemStore::put(const Item& item, const std::optional<Condition>& condition) {
  sqlite::validate_item(item);
  const sqlite::Row row = sqlite::row_of(item);
  writer_->run([&](Connection& db) { apply_put(db, row, condition, -1, now_seconds()); },
               std::vector<sqlite::WrittenRange>{sqlite::written_range(row.pk, row.sk)});
}

Item SqliteItemStore::update(const Key& key, const Update& update,
                             const std::optional<Condition>& condition) {
  sqlite::validate_key(key);
  sqlite::validate_update(update);
  Item result;
  writer_->run([&](Connection& db) { result = apply_update(db, key, update, condition, -1, now_seconds()); },
               std::vector<sqlite::WrittenRange>{sqlite::written_range(key.pk, key.sk)});
  return result;
}

std::optional<Item> SqliteItemStore::remove(const Key& key, const std::optional<Condition>& condition) {
  sqlite::validate_key(key);
  std::optional<Item> removed;
  writer_->run([&](Connection& db) { removed = apply_delete(db, key, condition, -1, now_seconds()); },
               std::vector<sqlite::WrittenRange>{sqlite::written_range(key.pk, key.sk)});
  return removed;
}

QueryPage SqliteItemStore::query(const Query& query) {
  auto db = readers_->connection();
  return sqlite::query_items(*db, query, now_seconds());
}

DocumentPage SqliteItemStore::query_documents(const Query& query) {
  auto db = readers_->connection();
  return sqlite::query_documents(*db, query, now_seconds());
}

void SqliteItemStore::transact_write(const std::vector<WriteOp>& operations) {
  transact_append(operations, {});
}

// The single writer numbers each entry inside the transaction, so appends to one log never race.
std::vector<std::uint64_t> SqliteItemStore::transact_append(const std::vector<WriteOp>& operations,
                                                            const std::vector<LogAppend>& appends) {
  sqlite::validate_transaction(operations, appends);
  std::vector<std::optional<sqlite::Row>> rows(operations.size());
  for (std::size_t i = 0; i < operations.size(); ++i) {
    if (const auto* put = std::get_if<Put>(&operations[i])) rows[i] = sqlite::row_of(put->item);
  }
  std::vector<sqlite::WrittenRange> ranges;  // what the transaction may write; a Check writes nothing
  for (std::size_t i = 0; i < operations.size(); ++i) {
    if (rows[i]) {
      ranges.push_back(sqlite::written_range(rows[i]->pk, rows[i]->sk));
    } else if (const auto* update = std::get_if<UpdateItem>(&operations[i])) {
      ranges.push_back(sqlite::written_range(update->key.pk, update->key.sk));
    } else if (const auto* erase = std::get_if<Delete>(&operations[i])) {
      ranges.push_back(sqlite::written_range(erase->key.pk, erase->key.sk));
    }
  }
  for (const auto& append : appends) {
    ranges.push_back(sqlite::written_range(append.counter.pk, append.counter.sk));
    ranges.push_back(sqlite::written_range(json_string(append.entry, "PK"), append.sort_prefix));
  }
  std::vector<std::uint64_t> numbers(appends.size());
  writer_->run(
      [&](Connection& db) {
        const std::int64_t now = now_seconds();
        // Every condition is checked before the first write, so a failed one leaves nothing to undo (the
        // writer runs operations without a savepoint). The keys are distinct: no check depends on another's
        // write.
        std::vector<PendingWrite> writes;
        writes.reserve(operations.size() + 2 * appends.size());
        for (std::size_t i = 0; i < operations.size(); ++i) {
          const int index = static_cast<int>(i);
          if (const auto* put = std::get_if<Put>(&operations[i])) {
            check_condition(db, {rows[i]->pk, rows[i]->sk}, put->condition, index, now);
            writes.push_back({std::move(*rows[i])});
          } else if (const auto* update = std::get_if<UpdateItem>(&operations[i])) {
            auto updated = checked_update(db, update->key, update->update, update->condition, index, now);
            writes.push_back({sqlite::row_of(updated.item), updated.current});
          } else if (const auto* erase = std::get_if<Delete>(&operations[i])) {
            check_condition(db, erase->key, erase->condition, index, now);
            writes.push_back({erase->key});
          } else {
            const auto& check = std::get<Check>(operations[i]);
            check_condition(db, check.key, check.condition, index, now);
          }
        }
        for (std::size_t i = 0; i < appends.size(); ++i) {
          const auto& append = appends[i];
          auto counter = sqlite::find_item(db, append.counter, now);
          const auto number =
              static_cast<std::int64_t>(counter ? json_int(*counter, "seq").value_or(0) : 0) + 1;
          auto entry = append.entry;
          entry["SK"] = log_sort_key(append.sort_prefix, static_cast<std::uint64_t>(number));
          entry["seq"] = number;
          writes.push_back({sqlite::row_of(entry)});
          writes.push_back(
              {sqlite::row_of({{"PK", append.counter.pk}, {"SK", append.counter.sk}, {"seq", number}}),
               counter.has_value()});
          numbers[i] = static_cast<std::uint64_t>(number);
        }
        for (const auto& write : writes) {
          if (const auto* row = std::get_if<sqlite::Row>(&write.target)) {
            save_row(db, *row, write.current);
          } else {
            sqlite::delete_item(db, std::get<Key>(write.target));
          }
        }
      },
      std::move(ranges));
  return numbers;
}

bool SqliteItemStore::ready() {
  if (sqlite::damage_seen(path_)) return false;
  auto directory = fs::path(path_).parent_path();
  struct statvfs space {};
  if (::statvfs(directory.empty() ? "." : directory.c_str(), &space) != 0) return false;
  if (static_cast<std::uint64_t>(space.f_bavail) * space.f_frsize < kReadyMinFreeBytes) return false;
  try {
    auto db = readers_->connection();
    auto& statement = db->prepared("SELECT 1");
    sqlite::ResetOnExit reset(statement);
    return statement.step();
  } catch (const StoreError&) {
    return false;
  }
}

std::optional<std::uint64_t> SqliteItemStore::data_version() {
  return changes_->version();
}

std::optional<std::uint64_t> SqliteItemStore::partition_version(std::string_view partition,
                                                                std::string_view sort_kind) {
  return versions_->version(partition, sort_kind);
}

std::size_t SqliteItemStore::purge_expired() {
  std::size_t purged = 0;
  writer_->run(
      [&](Connection& db) {
        const std::int64_t now = now_seconds();
        purged = 0;
        for (std::size_t batch = kPurgeBatch; batch == kPurgeBatch; purged += batch) {
          batch = sqlite::purge_expired_items(db, now, kPurgeBatch);
        }
      },
      std::nullopt);
  return purged;
}

void SqliteItemStore::backup_to(const std::string& destination_path) {
  ensure_parent_directory(destination_path);
  const std::string partial = destination_path + ".partial";
  std::error_code ignored;
  fs::remove(partial, ignored);
  {
    // Its own read connection: one backup step holds a single read transaction, a consistent snapshot, while
    // the WAL lets the writer go on.
    Connection source(path_, Connection::Mode::existing);
    Connection target(partial, Connection::Mode::create);
    sqlite3_backup* backup = sqlite3_backup_init(target.handle(), "main", source.handle(), "main");
    if (!backup) target.fail(sqlite3_errcode(target.handle()), "starting a backup to " + destination_path);
    int code = sqlite3_backup_step(backup, -1);
    sqlite3_backup_finish(backup);
    if (code != SQLITE_DONE) {
      fs::remove(partial, ignored);
      sqlite::throw_unavailable(path_, "backing up to " + destination_path, code, sqlite3_errstr(code));
    }
  }
  std::error_code error;
  fs::rename(partial, destination_path, error);
  if (error) {
    throw StoreUnavailable("SQLite store " + path_ + ": cannot move the backup to " + destination_path +
                           " (" + error.message() + ")");
  }
  sync_directory(fs::path(destination_path).parent_path());
}

void restore_sqlite_store(const std::string& backup_path, const std::string& db_path) {
  if (!fs::is_regular_file(backup_path)) {
    throw StoreUnavailable("cannot restore from " + backup_path + ": no such file");
  }
  ensure_parent_directory(db_path);
  sqlite::StoreLock lock(db_path, sqlite::StoreLock::Mode::exclusive);

  // The backup is checked as a copy next to the database, so the final step is one rename.
  const std::string staged = db_path + ".restoring";
  auto remove_with_sidecars = [](const std::string& path) {
    std::error_code ignored;
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(path + suffix, ignored);
  };
  remove_with_sidecars(staged);
  std::error_code error;
  fs::copy_file(backup_path, staged, fs::copy_options::overwrite_existing, error);
  if (error) {
    throw StoreUnavailable("cannot restore from " + backup_path + ": copying to " + staged + " failed (" +
                           error.message() + ")");
  }
  try {
    Connection check(staged, Connection::Mode::existing);
    std::string verdict = check.scalar("PRAGMA integrity_check");
    if (verdict != "ok") throw StoreUnavailable("the integrity check reports: " + verdict);
    if (check.scalar("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'items'") != "1") {
      throw StoreUnavailable("it holds no items table");
    }
  } catch (const StoreUnavailable& problem) {
    remove_with_sidecars(staged);
    throw StoreUnavailable("cannot restore from " + backup_path +
                           ": not a usable Kefir store backup: " + problem.what());
  }
  // A WAL left by the old database would be replayed into the new one: it goes first.
  for (const char* suffix : {"-wal", "-shm", "-journal"}) {
    fs::remove(db_path + suffix, error);
    if (error) {
      throw StoreUnavailable("cannot restore " + db_path + ": removing " + db_path + suffix + " failed (" +
                             error.message() + ")");
    }
  }
  fs::rename(staged, db_path, error);
  if (error) {
    throw StoreUnavailable("cannot restore " + db_path + ": replacing it failed (" + error.message() + ")");
  }
  sync_directory(fs::path(db_path).parent_path());
}

}  // namespace kefir::store
