#pragma once
// A VFS over SQLite's default one that writes a transaction's WAL frames a few dozen at a time instead of
// with two system calls per frame. SQLite writes each frame as its 24-byte header and then its page; under
// many-user writes the writer thread committed about 45 frames at a time, 90 pwrite calls (2 with this VFS),
// which cost this VM more than copying the pages does. Here a WAL file's writes that continue the previous
// one are kept in memory and written together:
// - when the transaction's commit frame is complete, before its write returns, so a commit is in the file
//   (as far as the file system is concerned) at the same point as with the default VFS, whatever the
//   synchronous setting, and its error reaches SQLite as that write's error;
// - before anything else that may look at the file or need it on disk: a read, a size query, a truncate, a
//   sync, a file control, a close, a write elsewhere in the file, or when the next write would not fit into
//   one write of the default VFS (128 KiB: about 30 frames of 4 KiB).
// Frames not yet written belong to a transaction that is not committed: only its own connection could read
// them, and it reads through this file, which writes them first. A crash loses them, as it loses any
// uncommitted transaction. The database file, journals and everything else are the default VFS's own files,
// untouched.
#include <sqlite3.h>

namespace kefir::store::sqlite {

// The VFS's name for sqlite3_open_v2; registered (not as the default) on first use.
const char* wal_gathering_vfs();

}  // namespace kefir::store::sqlite
