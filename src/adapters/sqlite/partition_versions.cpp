#include "adapters/sqlite/partition_versions.hpp"

#include <algorithm>
#include <functional>
#include <utility>

#include "ports/item_store.hpp"

namespace kefir::store::sqlite {

PartitionVersions::PartitionVersions(std::shared_ptr<const WalChangeProbe> probe, Connection& writer)
    : probe_(std::move(probe)),
      writer_(writer),
      // The WAL index first: a commit by another connection between the two reads then leaves the probe
      // behind the index, so versions stay unknown until the writer's next commit records it.
      recorded_at_(probe_->version()),
      slots_(std::make_unique<std::uint64_t[]>(kSlots)) {
  others_version_ = std::stoll(writer_.scalar("PRAGMA data_version"));
}

std::string_view sort_kind_of(std::string_view sk) {
  const auto hash = sk.find('#');
  return hash == std::string_view::npos ? sk : sk.substr(0, hash + 1);
}

WrittenRange written_range(std::string_view pk, std::string_view sk) {
  return {std::string(pk), std::string(sort_kind_of(sk))};
}

std::size_t PartitionVersions::slot_of(std::string_view partition) {
  return std::hash<std::string_view>{}(partition) % kSlots;
}

std::size_t PartitionVersions::slot_of(std::string_view partition, std::string_view kind) {
  constexpr std::size_t kGolden = 0x9e3779b97f4a7c15ULL;  // spreads the kind's hash over the partition's
  const std::hash<std::string_view> hash;
  return (hash(partition) ^ (hash(kind) * kGolden + 1)) % kSlots;
}

void PartitionVersions::committed(const WrittenPartitions& written) {
  // The index before data_version, for the same reason as at construction: a commit by another connection
  // in between is then counted as theirs (every partition changes), never as part of ours.
  const auto index_version = probe_->version();
  bool others_committed = true;
  try {
    auto& statement = writer_.prepared("PRAGMA data_version");
    ResetOnExit reset(statement);
    const auto others_version = statement.step() ? statement.integer(0) : -1;
    others_committed = others_version != others_version_;
    others_version_ = others_version;
  } catch (const StoreError&) {
    // Unknown: as if they had.
  }
  std::lock_guard lock(mutex_);
  const auto version = ++counter_;
  if (others_committed || !written) {
    every_since_ = version;
  } else {
    for (const auto& range : *written) {
      slots_[slot_of(range.partition)] = version;
      slots_[slot_of(range.partition, range.kind)] = version;
    }
  }
  recorded_at_ = index_version;
}

std::optional<std::uint64_t> PartitionVersions::version(std::string_view partition,
                                                        std::string_view sort_kind) const {
  // A prefix that is not a whole kind ("BATCH#1", "CHANGESEQ") may be shared by items of several kinds.
  const bool whole_kind = !sort_kind.empty() && sort_kind.find('#') == sort_kind.size() - 1;
  const auto slot = whole_kind ? slot_of(partition, sort_kind) : slot_of(partition);
  std::unique_lock lock(mutex_);
  const auto recorded_at = recorded_at_;
  const auto version = std::max(every_since_, slots_[slot]);
  lock.unlock();
  // Read after the version: a commit landing in between makes the index differ, so no version is given out
  // that the commit has already made stale.
  if (probe_->version() != recorded_at) return std::nullopt;
  return version;
}

}  // namespace kefir::store::sqlite
