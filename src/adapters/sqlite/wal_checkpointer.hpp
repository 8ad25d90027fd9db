#pragma once
// Copies the WAL back into the database file on a thread and connection of its own, so the writer never
// stops for it. SQLite's automatic checkpoint runs inside the commit that crosses its threshold: under a
// steady stream of writes every few hundred commits one of them (and every write queued behind it) waited
// for thousands of pages to be copied. Here the writer's commit hook only signals; the checkpoint is PASSIVE
// (it never blocks the writer or readers) and the writer restarts the WAL from its beginning once a
// checkpoint has caught up. Under writes that never pause, a background checkpoint may never catch up: past
// `limit_pages` the writer checkpoints itself after its commit, as SQLite would, so the WAL stays bounded.
#include <sqlite3.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "adapters/sqlite/sqlite_connection.hpp"

namespace kefir::store::sqlite {

class WalCheckpointer {
 public:
  // Installs itself as `writer`'s WAL hook (which also turns SQLite's automatic checkpoint off); checkpoints
  // with `own` once the WAL holds `threshold_pages` pages, and on the writer past `limit_pages`.
  WalCheckpointer(Connection& writer, std::unique_ptr<Connection> own, int threshold_pages, int limit_pages);
  ~WalCheckpointer();  // waits for a checkpoint in progress, then removes the hook
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

 private:
  static int on_commit(void* self, sqlite3* db, const char* schema, int wal_pages);
  void loop();

  Connection& writer_;
  std::unique_ptr<Connection> own_;
  const int threshold_pages_;
  const int limit_pages_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool wanted_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace kefir::store::sqlite
