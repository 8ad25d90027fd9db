#include "adapters/sqlite/wal_change_probe.hpp"

#include "ports/item_store.hpp"

namespace kefir::store::sqlite {
namespace {

constexpr std::size_t kHeaderWords = 12;   // WalIndexHdr: 48 bytes
constexpr int kWalIndexPageBytes = 32768;  // the region size SQLite maps the wal-index in

std::uint64_t mix(std::uint64_t hash, std::uint64_t word) {
  hash ^= word + 0x9e3779b97f4a7c15ULL + (hash << 6) + (hash >> 2);
  return hash * 0xff51afd7ed558ccdULL;
}

}  // namespace

WalChangeProbe::WalChangeProbe(std::unique_ptr<Connection> connection) : connection_(std::move(connection)) {
  auto unusable = [this](const std::string& why) {
    return StoreUnavailable("SQLite store " + connection_->path() + ": no WAL index to watch (" + why + ")");
  };
  // A read in WAL mode opens the index and maps its first region.
  connection_->scalar("SELECT count(*) FROM sqlite_schema");
  sqlite3_file* file = nullptr;
  if (sqlite3_file_control(connection_->handle(), "main", SQLITE_FCNTL_FILE_POINTER, &file) != SQLITE_OK ||
      !file || !file->pMethods) {
    throw unusable("no database file");
  }
  if (file->pMethods->iVersion < 2 || !file->pMethods->xShmMap) throw unusable("no shared memory");
  void volatile* region = nullptr;
  int code = file->pMethods->xShmMap(file, 0, kWalIndexPageBytes, 0, &region);
  if (code != SQLITE_OK || !region) throw unusable(sqlite3_errstr(code));
  header_ = static_cast<const volatile std::uint32_t*>(region);
}

std::uint64_t WalChangeProbe::version() const {
  // Word by word: a header caught mid-rewrite reads as a version no page was kept at, never as an old one
  // the commit has already replaced (readers see a commit only after its header is complete).
  std::uint64_t hash = 0;
  for (std::size_t i = 0; i < kHeaderWords; ++i) {
    hash = mix(hash, __atomic_load_n(const_cast<const std::uint32_t*>(header_ + i), __ATOMIC_ACQUIRE));
  }
  return hash;
}

}  // namespace kefir::store::sqlite
