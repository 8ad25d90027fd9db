#include "adapters/sqlite/store_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "ports/item_store.hpp"

namespace kefir::store::sqlite {

StoreLock::StoreLock(const std::string& db_path, Mode mode) {
  const std::string lock_path = db_path + ".lock";
  fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    throw StoreUnavailable("SQLite store " + db_path + ": cannot open lock file " + lock_path + " (" +
                           std::strerror(errno) + ")");
  }
  if (::flock(fd_, (mode == Mode::shared ? LOCK_SH : LOCK_EX) | LOCK_NB) == 0) return;
  int error = errno;
  ::close(fd_);
  if (error != EWOULDBLOCK) {
    throw StoreUnavailable("SQLite store " + db_path + ": cannot lock " + lock_path + " (" +
                           std::strerror(error) + ")");
  }
  throw StoreUnavailable(mode == Mode::shared
                             ? "SQLite store " + db_path + " is being restored by another process"
                             : "SQLite store " + db_path +
                                   " is in use by a running process; stop it before restoring");
}

StoreLock::~StoreLock() {
  ::close(fd_);
}

}  // namespace kefir::store::sqlite
