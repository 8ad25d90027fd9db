#include "adapters/sqlite/wal_checkpointer.hpp"

#include "ports/item_store.hpp"
#include "util/log.hpp"

namespace kefir::store::sqlite {

WalCheckpointer::WalCheckpointer(Connection& writer, std::unique_ptr<Connection> own, int threshold_pages,
                                 int limit_pages)
    : writer_(writer),
      own_(std::move(own)),
      threshold_pages_(threshold_pages),
      limit_pages_(limit_pages),
      thread_([this] { loop(); }) {
  sqlite3_wal_hook(writer_.handle(), &WalCheckpointer::on_commit, this);
}

WalCheckpointer::~WalCheckpointer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
  sqlite3_wal_hook(writer_.handle(), nullptr, nullptr);
}

int WalCheckpointer::on_commit(void* self, sqlite3* db, const char* schema, int wal_pages) {
  auto& checkpointer = *static_cast<WalCheckpointer*>(self);
  if (wal_pages >= checkpointer.limit_pages_) {
    // Between this writer's commits nothing else writes: this one catches up, and the next write restarts
    // the WAL. A failure (busy readers) is retried after the next commit.
    sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    return SQLITE_OK;
  }
  if (wal_pages >= checkpointer.threshold_pages_) {
    {
      std::lock_guard lock(checkpointer.mutex_);
      checkpointer.wanted_ = true;
    }
    checkpointer.wake_.notify_one();
  }
  return SQLITE_OK;
}

void WalCheckpointer::loop() {
  while (true) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return wanted_ || stopping_; });
      if (stopping_) return;
      wanted_ = false;
    }
    try {
      own_->scalar("PRAGMA wal_checkpoint(PASSIVE)");
    } catch (const StoreError& error) {
      log::warn("sqlite checkpoint failed", {{"file", own_->path()}, {"error", error.what()}});
    }
  }
}

}  // namespace kefir::store::sqlite
