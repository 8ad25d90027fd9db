#pragma once
// One read connection per thread and store, found through a thread_local list, so concurrent reads share no
// lock. The pool owns the connections: they close when the thread exits or when the pool (the store) goes
// away.
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "adapters/sqlite/sqlite_connection.hpp"

namespace kefir::store::sqlite {

class ReaderPool : public std::enable_shared_from_this<ReaderPool> {
 public:
  using Opener = std::function<std::unique_ptr<Connection>()>;
  explicit ReaderPool(Opener open);

  // The calling thread's connection, opened on first use.
  std::shared_ptr<Connection> connection();
  void release(const std::weak_ptr<Connection>& connection);

 private:
  const std::uint64_t id_;
  Opener open_;
  std::mutex mutex_;  // guards connections_, touched only when a thread opens or drops its connection
  std::vector<std::shared_ptr<Connection>> connections_;
};

}  // namespace kefir::store::sqlite
