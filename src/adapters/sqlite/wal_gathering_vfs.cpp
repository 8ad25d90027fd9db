#include "adapters/sqlite/wal_gathering_vfs.hpp"

#include <cstring>
#include <mutex>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

namespace kefir::store::sqlite {
namespace {

constexpr int kFrameHeaderBytes = 24;
constexpr int kMinPageBytes = 512;  // every page size is a multiple of it
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
  if (!header && amount % kMinPageBytes != 0) {
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

// The methods that only pass the call on to the default VFS's file, writing what is pending first where the
// file's contents or size matter to the call. The parameters come from the member's own type.
template <typename MethodPointer>
struct Forward;

template <typename... Args>
struct Forward<int (*)(sqlite3_file*, Args...)> {
  template <int (*sqlite3_io_methods::*Method)(sqlite3_file*, Args...), bool FlushFirst>
  static int call(sqlite3_file* file, Args... args) {
    auto& self = wal(file);
    if constexpr (FlushFirst) {
      if (int code = self.flush(); code != SQLITE_OK) return code;
    }
    return (self.real->pMethods->*Method)(self.real, args...);
  }
};

template <auto Method, bool FlushFirst>
constexpr auto forwarded =
    &Forward<std::remove_cvref_t<decltype(std::declval<sqlite3_io_methods>().*Method)>>::template call<
        Method, FlushFirst>;

constexpr bool kFlushFirst = true;
constexpr bool kAsIs = false;

// Version 1 methods: a WAL file is never memory-mapped nor given shared memory (the database file is).
const sqlite3_io_methods wal_methods = {
    1,
    wal_close,
    forwarded<&sqlite3_io_methods::xRead, kFlushFirst>,
    wal_write,
    forwarded<&sqlite3_io_methods::xTruncate, kFlushFirst>,
    forwarded<&sqlite3_io_methods::xSync, kFlushFirst>,
    forwarded<&sqlite3_io_methods::xFileSize, kFlushFirst>,
    forwarded<&sqlite3_io_methods::xLock, kAsIs>,
    forwarded<&sqlite3_io_methods::xUnlock, kAsIs>,
    forwarded<&sqlite3_io_methods::xCheckReservedLock, kAsIs>,
    forwarded<&sqlite3_io_methods::xFileControl, kFlushFirst>,
    forwarded<&sqlite3_io_methods::xSectorSize, kAsIs>,
    forwarded<&sqlite3_io_methods::xDeviceCharacteristics, kAsIs>,
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
