#pragma once
// The standalone item store (SPEC §12): one SQLite file in WAL mode with fsync at commit. Reads run on a
// connection per thread; writes are queued to one writer thread that commits everything waiting in a single
// transaction (group commit), so concurrent durable writes share one fsync.
#include <cstddef>
#include <memory>
#include <string>

#include "ports/clock.hpp"
#include "ports/item_store.hpp"

namespace kefir::store {

namespace sqlite {
class GroupCommitWriter;
class PartitionVersions;
class ReaderPool;
class StoreLock;
class WalChangeProbe;
}  // namespace sqlite

class SqliteItemStore final : public ItemStore {
 public:
  // Creates the file (and its directory) when missing. Throws StoreUnavailable when the file cannot be used.
  SqliteItemStore(std::string db_path, const Clock& clock);
  // Finishes queued writes, checkpoints the WAL into the database file and closes it.
  ~SqliteItemStore() override;
  SqliteItemStore(const SqliteItemStore&) = delete;
  SqliteItemStore& operator=(const SqliteItemStore&) = delete;

  std::optional<Item> get(const Key& key) override;
  void put(const Item& item, const std::optional<Condition>& condition = std::nullopt) override;
  Item update(const Key& key, const Update& update,
              const std::optional<Condition>& condition = std::nullopt) override;
  std::optional<Item> remove(const Key& key,
                             const std::optional<Condition>& condition = std::nullopt) override;
  std::optional<std::string> get_document(const Key& key) override;
  QueryPage query(const Query& query) override;
  DocumentPage query_documents(const Query& query) override;
  void transact_write(const std::vector<WriteOp>& operations) override;
  std::vector<std::uint64_t> transact_append(const std::vector<WriteOp>& operations,
                                             const std::vector<LogAppend>& appends) override;
  bool ready() override;
  std::optional<std::uint64_t> data_version() override;
  std::optional<std::uint64_t> partition_version(std::string_view partition,
                                                 std::string_view sort_kind) override;

  // A consistent snapshot of the whole store written to `destination_path` while writes go on.
  void backup_to(const std::string& destination_path);
  // Deletes every expired item now; returns how many. The writer also does this in the background.
  std::size_t purge_expired();

 private:
  std::int64_t now_seconds() const;

  std::string path_;
  const Clock& clock_;
  std::unique_ptr<sqlite::StoreLock> lock_;
  std::shared_ptr<sqlite::ReaderPool> readers_;
  std::shared_ptr<sqlite::WalChangeProbe> changes_;
  std::shared_ptr<sqlite::PartitionVersions> versions_;
  std::unique_ptr<sqlite::GroupCommitWriter> writer_;
};

// Replaces the database at `db_path` with the backup at `backup_path` after checking the backup's integrity.
// Throws StoreUnavailable, changing nothing, while any process has the store open or when the backup is bad.
void restore_sqlite_store(const std::string& backup_path, const std::string& db_path);

}  // namespace kefir::store
