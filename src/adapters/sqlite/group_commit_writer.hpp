#pragma once
// The single writer of a SQLite store. Callers queue an operation and wait; the writer thread takes
// everything queued (and what is queued while it runs), runs the operations inside one BEGIN
// IMMEDIATE..COMMIT and commits once, so a whole group of concurrent writes costs one fsync. An operation
// checks its conditions before its first write: one that throws then (a failed condition) has changed
// nothing, and only its caller gets the exception; one that throws after writing, or a failing commit, fails
// every caller of the group.
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "adapters/sqlite/partition_versions.hpp"
#include "adapters/sqlite/sqlite_connection.hpp"
#include "adapters/sqlite/wal_checkpointer.hpp"

namespace kefir::store::sqlite {

class GroupCommitWriter {
 public:
  using Operation = std::function<void(Connection&)>;
  // Housekeeping run in its own transaction every `period`; it returns true when it has more to do, which
  // brings the next run forward to the moment no write is waiting.
  using Housekeeping = std::function<bool(Connection&)>;
  // Called on the writer thread after each commit that changed something, before its callers return, with
  // the partitions it wrote (PartitionVersions::committed).
  using AfterCommit = std::function<void(const WrittenPartitions&)>;

  // `checkpoints`: a connection of its own for copying the WAL back into the database (WalCheckpointer).
  GroupCommitWriter(std::unique_ptr<Connection> db, std::unique_ptr<Connection> checkpoints,
                    Housekeeping housekeeping, std::chrono::milliseconds period, AfterCommit after_commit);
  // Commits what is still queued, then checkpoints and closes the connection.
  ~GroupCommitWriter();
  GroupCommitWriter(const GroupCommitWriter&) = delete;
  GroupCommitWriter& operator=(const GroupCommitWriter&) = delete;

  // Returns once the operation is durably committed; rethrows what the operation (or the commit) threw. A
  // caller on a fiber gives its thread back meanwhile (util/suspension.hpp). `written`: the partitions the
  // operation may write.
  void run(Operation operation, WrittenPartitions written);

 private:
  // Called once, on the writer thread, with what the operation or its commit threw (null: committed).
  using Completion = std::function<void(std::exception_ptr)>;
  struct Request {
    Operation operation;
    WrittenPartitions written;
    Completion done;
  };

  void loop();
  // Moves queued requests into `group` (up to the group's limit); false when none was added.
  bool take_queued(std::vector<Request>& group);
  // Runs the queued requests, and those queued meanwhile, in one transaction; `group` holds them.
  void commit_group(std::vector<Request>& group);
  // What the group's operations that did not fail wrote.
  static WrittenPartitions written_by(const std::vector<Request>& group,
                                      const std::vector<std::exception_ptr>& outcomes);
  bool run_housekeeping();  // true when it has more to do
  void step(const std::string& sql);

  std::unique_ptr<Connection> db_;
  std::unique_ptr<WalCheckpointer> checkpointer_;
  Housekeeping housekeeping_;
  std::chrono::milliseconds period_;
  AfterCommit after_commit_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Request> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace kefir::store::sqlite
