#include "adapters/sqlite/wal_gathering_vfs.hpp"

#include <cstdint>
#include <cstring>
#include <mutex>
#include <new>
#include <vector>

namespace kefir::store::sqlite {
namespace {

constexpr int kFrameHeaderBytes = 24;
// The unix VFS's write takes at most 128 KiB - 1 bytes: it masks the size with 0x1ffff, so a larger write
// would lose its top bits (and fail as SQLITE_FULL).
constexpr std::size_t kMaxPendingBytes = 0x1ffff;

sqlite3_vfs* base_vfs = nullptr;

// A WAL file: this header, then the default VFS's file (`real`), in the one allocation SQLite makes.
struct WalFile {
  sqlite3_file base;  // first: SQLite sees a WalFile as a sqlite3_file
  sqlite3_file* real;
  std::vector<char> pending;
  sqlite3_int64 pending_offset = 0;
  bool commit_page_next = false;  // the last write was a commit frame's header

  sqlite3_int64 pending_end() const { return pending_offset + static_cast<sqlite3_int64>(pending.size()); }

  int flush() {
    if (pending.empty()) return SQLITE_OK;
    int code = real->pMethods->xWrite(real, pending.data(), static_cast<int>(pending.size()), pending_offset);
    // A failed write leaves frames the WAL-index never names: SQLite fails the transaction and writes them
    // again (or others) on its next attempt.
    pending.clear();
    return code;
  }
};

WalFile& wal(sqlite3_file* file) {
  return *reinterpret_cast<WalFile*>(file);
}

// A frame header holds the database size after the commit in bytes 4-7, and zero there for other frames.
bool is_commit_header(const void* header) {
  const auto* bytes = static_cast<const unsigned char*>(header);
  return (bytes[4] | bytes[5] | bytes[6] | bytes[7]) != 0;
}

int wal_write(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
  auto& self = wal(file);
  const bool header = amount == kFrameHeaderBytes;
  // The WAL's own 32-byte header, or a write of a shape this does not know: written as it comes, in order.
  if (!header && amount % 512 != 0) {
    if (int code = self.flush(); code != SQLITE_OK) return code;
    return self.real->pMethods->xWrite(self.real, data, amount, offset);
  }
  const auto* bytes = static_cast<const char*>(data);
  if (!self.pending.empty() && offset >= self.pending_offset && offset + amount <= self.pending_end()) {
    // A frame of this transaction written again (its page changed once more before the commit).
    std::memcpy(self.pending.data() + (offset - self.pending_offset), bytes,
                static_cast<std::size_t>(amount));
  } else {
    if (!self.pending.empty() &&
        (offset != self.pending_end() ||
         self.pending.size() + static_cast<std::size_t>(amount) > kMaxPendingBytes)) {
      if (int code = self.flush(); code != SQLITE_OK) return code;
    }
    if (self.pending.empty()) self.pending_offset = offset;
    self.pending.insert(self.pending.end(), bytes, bytes + amount);
  }
  if (header) {
    self.commit_page_next = is_commit_header(data);
    return SQLITE_OK;
  }
  if (!self.commit_page_next) return SQLITE_OK;
  self.commit_page_next = false;
  return self.flush();
}

int wal_close(sqlite3_file* file) {
  auto& self = wal(file);
  int flushed = self.flush();
  int closed = self.real->pMethods->xClose(self.real);
  self.~WalFile();
  return flushed != SQLITE_OK ? flushed : closed;
}

// The methods that only pass the call on, after writing what is pending where the file's state matters.
template <auto Method, bool FlushFirst, typename... Args>
int forward(sqlite3_file* file, Args... args) {
  auto& self = wal(file);
  if constexpr (FlushFirst) {
    if (int code = self.flush(); code != SQLITE_OK) return code;
  }
  return (self.real->pMethods->*Method)(self.real, args...);
}

int wal_read(sqlite3_file* file, void* data, int amount, sqlite3_int64 offset) {
  return forward<&sqlite3_io_methods::xRead, true>(file, data, amount, offset);
}
int wal_truncate(sqlite3_file* file, sqlite3_int64 size) {
  return forward<&sqlite3_io_methods::xTruncate, true>(file, size);
}
int wal_sync(sqlite3_file* file, int flags) {
  return forward<&sqlite3_io_methods::xSync, true>(file, flags);
}
int wal_file_size(sqlite3_file* file, sqlite3_int64* size) {
  return forward<&sqlite3_io_methods::xFileSize, true>(file, size);
}
int wal_lock(sqlite3_file* file, int level) {
  return forward<&sqlite3_io_methods::xLock, false>(file, level);
}
int wal_unlock(sqlite3_file* file, int level) {
  return forward<&sqlite3_io_methods::xUnlock, false>(file, level);
}
int wal_check_reserved_lock(sqlite3_file* file, int* reserved) {
  return forward<&sqlite3_io_methods::xCheckReservedLock, false>(file, reserved);
}
int wal_file_control(sqlite3_file* file, int operation, void* argument) {
  return forward<&sqlite3_io_methods::xFileControl, true>(file, operation, argument);
}
int wal_sector_size(sqlite3_file* file) {
  return wal(file).real->pMethods->xSectorSize(wal(file).real);
}
int wal_device_characteristics(sqlite3_file* file) {
  return wal(file).real->pMethods->xDeviceCharacteristics(wal(file).real);
}

// Version 1 methods: a WAL file is never memory-mapped nor given shared memory (the database file is).
const sqlite3_io_methods wal_methods = {
    1,
    wal_close,
    wal_read,
    wal_write,
    wal_truncate,
    wal_sync,
    wal_file_size,
    wal_lock,
    wal_unlock,
    wal_check_reserved_lock,
    wal_file_control,
    wal_sector_size,
    wal_device_characteristics,
    nullptr,
    nullptr,
    nullptr,
    nullptr,
    nullptr,
    nullptr,
};

int open_file(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
  if (!(flags & SQLITE_OPEN_WAL)) return base_vfs->xOpen(base_vfs, name, file, flags, out_flags);
  auto* self = new (file) WalFile{};
  self->base.pMethods = nullptr;  // until the real file is open: SQLite closes only files with methods
  self->real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(file) + sizeof(WalFile));
  int code = base_vfs->xOpen(base_vfs, name, self->real, flags, out_flags);
  if (code != SQLITE_OK) {
    self->~WalFile();
    return code;
  }
  self->base.pMethods = &wal_methods;
  return SQLITE_OK;
}

sqlite3_vfs gathering_vfs;

}  // namespace

const char* wal_gathering_vfs() {
  static std::once_flag once;
  std::call_once(once, [] {
    base_vfs = sqlite3_vfs_find(nullptr);
    gathering_vfs = *base_vfs;
    gathering_vfs.szOsFile = static_cast<int>(sizeof(WalFile)) + base_vfs->szOsFile;
    gathering_vfs.zName = "kefir-wal-gathering";
    gathering_vfs.pNext = nullptr;
    gathering_vfs.xOpen = open_file;
    sqlite3_vfs_register(&gathering_vfs, 0);
  });
  return gathering_vfs.zName;
}

}  // namespace kefir::store::sqlite
