#include "adapters/sqlite/tracked_page_cache.hpp"

#include <algorithm>
#include <cstdint>
#include <new>
#include <vector>

namespace kefir::store::sqlite {
namespace {

// SQLite's default cache, which keeps the pages.
sqlite3_pcache_methods2 inner;

struct TrackedCache {
  sqlite3_pcache* pages;
  // Bit k is set while key k may be in `pages`: a superset, since the default cache also drops pages on its
  // own (eviction) without saying so.
  std::vector<std::uint64_t> keys;
  unsigned top = 0;        // no key at or above this is marked
  bool untracked = false;  // marking once failed for want of memory: truncates go to the default cache

  void mark(unsigned key) {
    const std::size_t word = key / 64;
    if (word >= keys.size()) {
      try {
        keys.resize(std::max(word + 1, 2 * keys.size()));
      } catch (const std::bad_alloc&) {
        untracked = true;
        return;
      }
    }
    keys[word] |= std::uint64_t{1} << (key % 64);
    top = std::max(top, key + 1);
  }
  void unmark(unsigned key) {
    const std::size_t word = key / 64;
    if (word < keys.size()) keys[word] &= ~(std::uint64_t{1} << (key % 64));
  }
};

TrackedCache& tracked(sqlite3_pcache* cache) {
  return *reinterpret_cast<TrackedCache*>(cache);
}

int init(void*) {
  return inner.xInit(inner.pArg);
}

void shutdown(void*) {
  if (inner.xShutdown) inner.xShutdown(inner.pArg);
}

sqlite3_pcache* create(int page_size, int extra_size, int purgeable) {
  sqlite3_pcache* pages = inner.xCreate(page_size, extra_size, purgeable);
  if (!pages) return nullptr;
  auto* cache = new (std::nothrow) TrackedCache{pages};
  if (!cache) {
    inner.xDestroy(pages);
    return nullptr;
  }
  return reinterpret_cast<sqlite3_pcache*>(cache);
}

void cachesize(sqlite3_pcache* cache, int pages) {
  inner.xCachesize(tracked(cache).pages, pages);
}

int pagecount(sqlite3_pcache* cache) {
  return inner.xPagecount(tracked(cache).pages);
}

sqlite3_pcache_page* fetch(sqlite3_pcache* cache, unsigned key, int create_flag) {
  auto& self = tracked(cache);
  sqlite3_pcache_page* page = inner.xFetch(self.pages, key, create_flag);
  if (page) self.mark(key);
  return page;
}

void unpin(sqlite3_pcache* cache, sqlite3_pcache_page* page, int discard) {
  inner.xUnpin(tracked(cache).pages, page, discard);
}

void rekey(sqlite3_pcache* cache, sqlite3_pcache_page* page, unsigned old_key, unsigned new_key) {
  auto& self = tracked(cache);
  inner.xRekey(self.pages, page, old_key, new_key);
  self.unmark(old_key);
  self.mark(new_key);
}

// Discards every page at or above `limit`, as the default's truncate does (pinned ones too), each by taking
// it and giving it back to be discarded.
void truncate(sqlite3_pcache* cache, unsigned limit) {
  auto& self = tracked(cache);
  if (self.untracked) {
    inner.xTruncate(self.pages, limit);
    return;
  }
  for (std::size_t word = limit / 64; word < self.keys.size() && word * 64 < self.top; ++word) {
    auto bits = self.keys[word];
    if (word == limit / 64) bits &= ~std::uint64_t{0} << (limit % 64);
    while (bits != 0) {
      const auto key = static_cast<unsigned>(word * 64 + static_cast<unsigned>(__builtin_ctzll(bits)));
      bits &= bits - 1;
      if (sqlite3_pcache_page* page = inner.xFetch(self.pages, key, 0)) inner.xUnpin(self.pages, page, 1);
      self.unmark(key);
    }
  }
  self.top = std::min(self.top, limit);
}

void destroy(sqlite3_pcache* cache) {
  auto* self = &tracked(cache);
  inner.xDestroy(self->pages);
  delete self;
}

void shrink(sqlite3_pcache* cache) {
  inner.xShrink(tracked(cache).pages);
}

}  // namespace

const sqlite3_pcache_methods2& tracked_page_cache_methods() {
  static const sqlite3_pcache_methods2 methods{1,     nullptr, init,  shutdown, create,  cachesize, pagecount,
                                               fetch, unpin,   rekey, truncate, destroy, shrink};
  return methods;
}

bool install_tracked_page_cache() {
  static const bool installed =
      sqlite3_config(SQLITE_CONFIG_GETPCACHE2, &inner) == SQLITE_OK &&
      sqlite3_config(SQLITE_CONFIG_PCACHE2, &tracked_page_cache_methods()) == SQLITE_OK;
  return installed;
}

}  // namespace kefir::store::sqlite
