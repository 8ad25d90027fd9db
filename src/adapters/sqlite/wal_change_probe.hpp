#pragma once
// Tells whether anything was committed to a WAL-mode database, by any connection of any process, without a
// read transaction: it reads the WAL-index header in shared memory, which every commit rewrites before it
// returns (SQLite's documented wal-index format, https://sqlite.org/walformat.html §2.2: iChange counts
// commits, mxFrame grows with each, the salts change when the WAL restarts). A read transaction (PRAGMA
// data_version) costs file locks and a mutex; this is a few loads.
//
// The memory is SQLite's own mapping of the `-shm` file, reached through the VFS of a connection the probe
// keeps open for nothing else. Opening and closing the file ourselves would not do: closing any descriptor
// of a file drops every POSIX lock the process holds on it, SQLite's included, and another process would then
// reset the index under our feet.
#include <cstdint>
#include <memory>

#include "adapters/sqlite/sqlite_connection.hpp"

namespace kefir::store::sqlite {

class WalChangeProbe {
 public:
  // `connection`: a connection of its own to a database in WAL mode; the probe keeps it.
  explicit WalChangeProbe(std::unique_ptr<Connection> connection);

  // Differs from every earlier answer once a commit has landed since then.
  std::uint64_t version() const;

 private:
  std::unique_ptr<Connection> connection_;
  const volatile std::uint32_t* header_ = nullptr;  // the first copy of the header, 48 bytes
};

}  // namespace kefir::store::sqlite
