#include "adapters/sqlite/sqlite_connection.hpp"

#include <mutex>
#include <set>

#include "adapters/sqlite/tracked_page_cache.hpp"
#include "adapters/sqlite/wal_gathering_vfs.hpp"
#include "ports/item_store.hpp"

namespace kefir::store::sqlite {
namespace {

constexpr int kBusyTimeoutMs = 5000;

std::string_view likely_cause(int code) {
  switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return "the database is locked by another connection or process";
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return "the file is corrupt or not a SQLite database";
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return "the file or its directory cannot be opened or written";
    case SQLITE_FULL:
      return "the disk is full";
    case SQLITE_IOERR:
      return "an I/O error occurred";
    case SQLITE_NOMEM:
      return "out of memory";
    default:
      return {};
  }
}

// Memory statistics put a process-wide mutex around every SQLite allocation, which readers on many threads
// would all contend for. Only possible before SQLite initializes, i.e. before the first connection opens.
void disable_memory_statistics() {
  static std::once_flag once;
  std::call_once(once, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
}

std::mutex damaged_mutex;
std::set<std::string, std::less<>> damaged_paths;

bool is_damage(int code) {
  return (code & 0xff) == SQLITE_CORRUPT || (code & 0xff) == SQLITE_NOTADB;
}

}  // namespace

bool damage_seen(const std::string& path) {
  std::lock_guard lock(damaged_mutex);
  return damaged_paths.contains(path);
}

void throw_unavailable(const std::string& path, std::string_view action, int code, std::string_view detail) {
  if (is_damage(code)) {
    std::lock_guard lock(damaged_mutex);
    damaged_paths.insert(path);
  }
  std::string message = "SQLite store " + path + ": " + std::string(action) + " failed";
  if (auto cause = likely_cause(code); !cause.empty()) message += ", " + std::string(cause);
  if (!detail.empty()) message += " (" + std::string(detail) + ")";
  throw StoreUnavailable(message);
}

Statement::Statement(Connection& connection, std::string_view sql) : connection_(connection) {
  int code = sqlite3_prepare_v3(connection.handle(), sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &statement_, nullptr);
  if (code != SQLITE_OK) connection.fail(code, "preparing \"" + std::string(sql) + "\"");
}

Statement::~Statement() {
  sqlite3_finalize(statement_);
}

Statement& Statement::bind(int index, std::string_view text) {
  int code = sqlite3_bind_text64(statement_, index, text.data(), text.size(), SQLITE_STATIC, SQLITE_UTF8);
  if (code != SQLITE_OK) connection_.fail(code, "binding a parameter");
  return *this;
}

Statement& Statement::bind(int index, std::int64_t value) {
  int code = sqlite3_bind_int64(statement_, index, value);
  if (code != SQLITE_OK) connection_.fail(code, "binding a parameter");
  return *this;
}

Statement& Statement::bind_null(int index) {
  int code = sqlite3_bind_null(statement_, index);
  if (code != SQLITE_OK) connection_.fail(code, "binding a parameter");
  return *this;
}

bool Statement::step() {
  int code = sqlite3_step(statement_);
  if (code == SQLITE_ROW) return true;
  if (code == SQLITE_DONE) return false;
  connection_.fail(code, "executing \"" + std::string(sqlite3_sql(statement_)) + "\"");
}

void Statement::run() {
  while (step()) {
  }
}

std::string_view Statement::text(int column) const {
  const auto* bytes = reinterpret_cast<const char*>(sqlite3_column_text(statement_, column));
  if (!bytes) return {};
  return {bytes, static_cast<std::size_t>(sqlite3_column_bytes(statement_, column))};
}

std::int64_t Statement::integer(int column) const {
  return sqlite3_column_int64(statement_, column);
}

bool Statement::is_null(int column) const {
  return sqlite3_column_type(statement_, column) == SQLITE_NULL;
}

void Statement::reset() {
  sqlite3_reset(statement_);
  sqlite3_clear_bindings(statement_);
}

Connection::Connection(std::string path, Mode mode) : path_(std::move(path)) {
  disable_memory_statistics();
  install_tracked_page_cache();
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (mode == Mode::create ? SQLITE_OPEN_CREATE : 0);
  int code = sqlite3_open_v2(path_.c_str(), &db_, flags, wal_gathering_vfs());
  if (code != SQLITE_OK) {
    std::string detail = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(code);
    sqlite3_close(db_);
    throw_unavailable(path_, "opening", code, detail);
  }
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, kBusyTimeoutMs);
}

Connection::~Connection() {
  statements_.clear();
  sqlite3_close(db_);
}

void Connection::execute(std::string_view sql) {
  char* error = nullptr;
  int code = sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &error);
  if (code != SQLITE_OK) {
    std::string detail = error ? error : sqlite3_errstr(code);
    sqlite3_free(error);
    throw_unavailable(path_, "executing \"" + std::string(sql) + "\"", code, detail);
  }
}

std::string Connection::scalar(std::string_view sql) {
  Statement statement(*this, sql);
  return statement.step() ? std::string(statement.text(0)) : std::string();
}

Statement& Connection::prepared(const std::string& sql) {
  auto& slot = statements_[sql];
  if (!slot) slot = std::make_unique<Statement>(*this, sql);
  return *slot;
}

void Connection::fail(int code, std::string_view action) const {
  throw_unavailable(path_, action, code, sqlite3_errmsg(db_));
}

}  // namespace kefir::store::sqlite
