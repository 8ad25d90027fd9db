#pragma once
// Thin RAII over the SQLite C API. Every failure becomes StoreUnavailable with a message naming the database
// file, so a locked, corrupt or unwritable store is reported, never crashes the process.
#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

namespace kefir::store::sqlite {

class Connection;

class Statement {
 public:
  Statement(Connection& connection, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Binds are 1-based like SQLite's. Text is not copied: it must stay alive until the statement is reset.
  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, std::int64_t value);
  Statement& bind_null(int index);

  bool step();  // true while a row is available
  void run();   // steps to completion
  std::string_view text(int column) const;
  std::int64_t integer(int column) const;
  bool is_null(int column) const;
  // Ends the statement's read (or write) and forgets bindings; a cached statement must be reset after use.
  void reset();

 private:
  Connection& connection_;
  sqlite3_stmt* statement_ = nullptr;
};

// Resets a cached statement when the scope that used it ends, even through an exception.
class ResetOnExit {
 public:
  explicit ResetOnExit(Statement& statement) : statement_(statement) {}
  ~ResetOnExit() { statement_.reset(); }
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;

 private:
  Statement& statement_;
};

class Connection {
 public:
  enum class Mode { create, existing };
  // Opens in multi-thread mode: a connection must be used by one thread at a time.
  Connection(std::string path, Mode mode);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void execute(std::string_view sql);
  // The first column of the first row, as text ("" when there is no row).
  std::string scalar(std::string_view sql);
  // A statement prepared once per connection and reused.
  Statement& prepared(const std::string& sql);
  bool in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }
  std::int64_t changes() const { return sqlite3_changes64(db_); }
  // Rows inserted, updated or deleted through this connection since it opened.
  std::int64_t total_changes() const { return sqlite3_total_changes64(db_); }

  sqlite3* handle() const { return db_; }
  const std::string& path() const { return path_; }
  [[noreturn]] void fail(int code, std::string_view action) const;

 private:
  std::string path_;
  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, std::unique_ptr<Statement>> statements_;
};

// The message of every StoreUnavailable: what failed, on which file, and the likely cause. Remembers a
// corrupt file for damage_seen().
[[noreturn]] void throw_unavailable(const std::string& path, std::string_view action, int code,
                                    std::string_view detail);

// Whether SQLite has reported the file at `path` corrupt in this process. Damage does not heal while the
// store is open, so readiness stays false until the file is restored and the process restarted.
bool damage_seen(const std::string& path);

}  // namespace kefir::store::sqlite
