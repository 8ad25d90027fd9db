#include "adapters/sqlite/group_commit_writer.hpp"

#include <vector>

#include "ports/item_store.hpp"
#include "util/log.hpp"
#include "util/suspension.hpp"

namespace kefir::store::sqlite {
namespace {

// Bounds a group's latency: the writes of one group wait for all of them to execute.
constexpr std::size_t kMaxGroup = 512;
// WAL pages (4 KiB) that start a background checkpoint: SQLite's default is 1000; a longer WAL lets a
// checkpoint copy a page rewritten by many commits once. Past the limit the writer checkpoints itself; it
// matches journal_size_limit (64 MiB), the size the WAL file is cut back to when it restarts.
constexpr int kCheckpointPages = 8192;
constexpr int kCheckpointLimitPages = 16384;

}  // namespace

GroupCommitWriter::GroupCommitWriter(std::unique_ptr<Connection> db, std::unique_ptr<Connection> checkpoints,
                                     Housekeeping housekeeping, std::chrono::milliseconds period,
                                     AfterCommit after_commit)
    : db_(std::move(db)),
      checkpointer_(std::make_unique<WalCheckpointer>(*db_, std::move(checkpoints), kCheckpointPages,
                                                      kCheckpointLimitPages)),
      housekeeping_(std::move(housekeeping)),
      period_(period),
      after_commit_(std::move(after_commit)),
      thread_([this] { loop(); }) {}

GroupCommitWriter::~GroupCommitWriter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
  checkpointer_.reset();
  try {
    db_->execute("PRAGMA wal_checkpoint(TRUNCATE)");
  } catch (const StoreError& error) {
    log::warn("sqlite checkpoint at close failed", {{"error", error.what()}});
  }
}

void GroupCommitWriter::run(Operation operation, WrittenPartitions written) {
  std::exception_ptr failure;
  // On a fiber the thread serves other requests until the commit; the operation and `failure` live on the
  // fiber's stack, which stays put meanwhile.
  suspension::wait([&](suspension::Resume resume) {
    Completion done = [&failure, resume = std::move(resume)](std::exception_ptr outcome) {
      failure = std::move(outcome);
      resume();
    };
    std::unique_lock lock(mutex_);
    if (stopping_) {
      lock.unlock();
      done(std::make_exception_ptr(StoreUnavailable("SQLite store " + db_->path() + " is closed")));
      return;
    }
    queue_.push_back({std::move(operation), std::move(written), std::move(done)});
    lock.unlock();
    wake_.notify_one();
  });
  if (failure) std::rethrow_exception(failure);
}

void GroupCommitWriter::loop() {
  auto next_housekeeping = std::chrono::steady_clock::now() + period_;
  std::vector<Request> group;
  while (true) {
    bool queued = false;
    {
      std::unique_lock lock(mutex_);
      wake_.wait_until(lock, next_housekeeping, [&] { return !queue_.empty() || stopping_; });
      if (queue_.empty() && stopping_) return;
      queued = !queue_.empty();
    }
    if (queued) {
      commit_group(group);
      group.clear();
    }
    if (std::chrono::steady_clock::now() >= next_housekeeping) {
      bool more = run_housekeeping();
      next_housekeeping = std::chrono::steady_clock::now() + (more ? std::chrono::milliseconds(0) : period_);
    }
  }
}

WrittenPartitions GroupCommitWriter::written_by(const std::vector<Request>& group,
                                                const std::vector<std::exception_ptr>& outcomes) {
  std::vector<WrittenRange> partitions;
  for (std::size_t i = 0; i < group.size(); ++i) {
    if (outcomes[i]) continue;  // failed before writing anything
    if (!group[i].written) return std::nullopt;
    partitions.insert(partitions.end(), group[i].written->begin(), group[i].written->end());
  }
  return partitions;
}

bool GroupCommitWriter::take_queued(std::vector<Request>& group) {
  std::lock_guard lock(mutex_);
  const auto before = group.size();
  while (!queue_.empty() && group.size() < kMaxGroup) {
    group.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  return group.size() > before;
}

void GroupCommitWriter::commit_group(std::vector<Request>& group) {
  take_queued(group);  // first: a BEGIN that fails fails them
  std::vector<std::exception_ptr> outcomes;
  try {
    step("BEGIN IMMEDIATE");
    // Writes queued while the group runs join it rather than wait a whole commit (an fsync) for the next one.
    do {
      for (std::size_t i = outcomes.size(); i < group.size(); ++i) {
        outcomes.emplace_back();
        const auto written = db_->total_changes();
        try {
          group[i].operation(*db_);
        } catch (const StoreUnavailable&) {
          throw;
        } catch (...) {
          // Operations check before they write (no savepoint per operation: it copied every page an
          // operation touched). One that failed after writing cannot be undone alone: its group fails.
          if (db_->total_changes() != written) throw;
          outcomes[i] = std::current_exception();
        }
      }
    } while (take_queued(group));
    step("COMMIT");
  } catch (...) {
    auto failure = std::current_exception();
    if (db_->in_transaction()) {
      try {
        step("ROLLBACK");
      } catch (const StoreError& error) {
        log::warn("sqlite rollback failed", {{"error", error.what()}});
      }
    }
    for (auto& request : group) request.done(failure);
    return;
  }
  after_commit_(written_by(group, outcomes));
  for (std::size_t i = 0; i < group.size(); ++i) group[i].done(outcomes[i]);
}

bool GroupCommitWriter::run_housekeeping() {
  const auto changes_before = db_->total_changes();
  bool more = false;
  try {
    step("BEGIN IMMEDIATE");
    more = housekeeping_(*db_);
    step("COMMIT");
  } catch (const StoreError& error) {
    log::warn("sqlite housekeeping failed", {{"file", db_->path()}, {"error", error.what()}});
    if (db_->in_transaction()) {
      try {
        step("ROLLBACK");
      } catch (const StoreError&) {
        // The connection is unusable; the next write reports it to its caller.
      }
    }
    return false;
  }
  if (db_->total_changes() != changes_before) after_commit_(std::nullopt);  // what it purged: unknown
  return more;
}

void GroupCommitWriter::step(const std::string& sql) {
  Statement& statement = db_->prepared(sql);
  ResetOnExit reset(statement);
  statement.run();
}

}  // namespace kefir::store::sqlite
