#include "adapters/sqlite/reader_pool.hpp"

#include <algorithm>
#include <atomic>

namespace kefir::store::sqlite {
namespace {

std::atomic<std::uint64_t> next_pool_id{1};

// This thread's connections, one per live pool. On thread exit each goes back to its pool to be closed.
struct ThreadConnections {
  struct Slot {
    std::uint64_t pool_id;
    std::weak_ptr<ReaderPool> pool;
    std::weak_ptr<Connection> connection;
  };
  std::vector<Slot> slots;

  ~ThreadConnections() {
    for (const auto& slot : slots) {
      if (auto pool = slot.pool.lock()) pool->release(slot.connection);
    }
  }
};

thread_local ThreadConnections this_thread_connections;

}  // namespace

ReaderPool::ReaderPool(Opener open) : id_(next_pool_id++), open_(std::move(open)) {}

std::shared_ptr<Connection> ReaderPool::connection() {
  auto& slots = this_thread_connections.slots;
  for (const auto& slot : slots) {
    if (slot.pool_id != id_) continue;
    if (auto connection = slot.connection.lock()) return connection;
  }
  std::erase_if(slots, [&](const auto& slot) { return slot.pool_id == id_ || slot.connection.expired(); });
  std::shared_ptr<Connection> connection = open_();
  {
    std::lock_guard lock(mutex_);
    connections_.push_back(connection);
  }
  slots.push_back({id_, weak_from_this(), connection});
  return connection;
}

void ReaderPool::release(const std::weak_ptr<Connection>& connection) {
  std::shared_ptr<Connection> closing;
  std::lock_guard lock(mutex_);
  auto it = std::find_if(connections_.begin(), connections_.end(), [&](const auto& candidate) {
    return !connection.owner_before(candidate) && !candidate.owner_before(connection);
  });
  if (it == connections_.end()) return;
  closing = std::move(*it);
  connections_.erase(it);
}

}  // namespace kefir::store::sqlite
