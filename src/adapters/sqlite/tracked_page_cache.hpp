#pragma once
// SQLite's own page cache, with a cheaper truncate. When a B-tree split hands out pages in the wrong order,
// SQLite swaps two of them through a temporary page number, the one of the lock-byte page (262,145 with
// 4 KiB pages). The default cache then holds a largest key far above the file's end, and the truncate at the
// end of every write transaction walks its whole hash table: with the writer's 64 MiB cache full, about a
// fifth of the writer thread's CPU under many-user writes. This cache keeps the default's pages and its
// eviction, and remembers which keys may be present, so that a truncate visits only the keys at or above its
// limit.
#include <sqlite3.h>

namespace kefir::store::sqlite {

// Before SQLite initializes (the first connection opening): SQLite accepts no page cache after that, and then
// this does nothing, which leaves the default cache in place. Whether this cache is SQLite's.
bool install_tracked_page_cache();

// Its methods, for tests that drive a cache directly.
const sqlite3_pcache_methods2& tracked_page_cache_methods();

}  // namespace kefir::store::sqlite
