#pragma once
// Which partitions (PK values) a store's commits changed, and which kinds of item in them, so that a kept
// list page of one user outlives the writes of every other user, and the user's own writes of other kinds (an
// event's change-log entry leaves the list of batches as it was): a version per partition and per kind of
// item in it that changes whenever a commit of this store writes such an item, and for all at once whenever
// another connection (another process) commits.
//
// The writer records each of its commits before its callers hear of it. A commit is told from another
// connection's by SQLite itself: the writer connection's `PRAGMA data_version` changes only when some other
// connection committed. Versions are read only while the WAL index says nothing has committed since the last
// commit recorded (WalChangeProbe); otherwise there is no version, and the caller keeps nothing.
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/sqlite/sqlite_connection.hpp"
#include "adapters/sqlite/wal_change_probe.hpp"

namespace kefir::store::sqlite {

// An item's kind: its SK up to and including the first '#' ("BATCH#", "CHANGE#"), or all of it without one.
std::string_view sort_kind_of(std::string_view sk);

// Where a write lands: its partition and the kind of the item written.
struct WrittenRange {
  std::string partition;
  std::string kind;
};
WrittenRange written_range(std::string_view pk, std::string_view sk);
// The ranges an operation writes; nullopt when it cannot tell (any partition may change).
using WrittenPartitions = std::optional<std::vector<WrittenRange>>;

class PartitionVersions {
 public:
  // `writer`: the writer's connection, read from its thread only (committed()). The probe is shared: it
  // must outlive the writer's last commit, which the store's other readers do not wait for.
  PartitionVersions(std::shared_ptr<const WalChangeProbe> probe, Connection& writer);

  // On the writer thread, right after a commit that wrote `written`, before its callers return.
  void committed(const WrittenPartitions& written);

  // Changes whenever a commit wrote an item of `partition` whose SK starts with `sort_kind` (any item when
  // it is empty or not a kind, see sort_kind_of); nullopt while a commit is not yet recorded.
  std::optional<std::uint64_t> version(std::string_view partition, std::string_view sort_kind) const;

 private:
  // Partitions share slots by a hash of their name: two that share one change together, which only costs a
  // kept page; a fixed table needs no bound and no allocation per partition.
  static constexpr std::size_t kSlots = 65536;
  static std::size_t slot_of(std::string_view partition);
  static std::size_t slot_of(std::string_view partition, std::string_view kind);

  std::shared_ptr<const WalChangeProbe> probe_;
  Connection& writer_;
  std::int64_t others_version_;  // the writer connection's data_version at the last commit recorded

  mutable std::mutex mutex_;
  std::uint64_t recorded_at_;  // the probe's version just after the last commit recorded
  std::uint64_t counter_ = 0;  // the last version handed out
  // Every partition's version is at least this: raised when another connection committed.
  std::uint64_t every_since_ = 0;
  std::unique_ptr<std::uint64_t[]> slots_;
};

}  // namespace kefir::store::sqlite
