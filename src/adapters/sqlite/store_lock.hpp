#pragma once
// An advisory lock on "<database>.lock" that tells whether a process is using the store: every open store
// holds it shared, a restore needs it exclusively. flock() locks belong to the open file, so two stores in
// one process share it and a restore in the same process still sees them.
#include <string>

namespace kefir::store::sqlite {

class StoreLock {
 public:
  enum class Mode { shared, exclusive };
  // Never waits: throws StoreUnavailable when the lock is taken in a conflicting mode.
  StoreLock(const std::string& db_path, Mode mode);
  ~StoreLock();
  StoreLock(const StoreLock&) = delete;
  StoreLock& operator=(const StoreLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace kefir::store::sqlite
