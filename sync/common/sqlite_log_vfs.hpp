#pragma once
// A SQLite VFS for a connection that writes many log frames per commit (the hub's writer). SQLite writes each
// frame of the write-ahead log with two calls, its 24-byte header and then its page, so a commit of a
// thousand pages is two thousand pwrite calls, and each page call touches two pages of the file because
// frames are not page-aligned. This VFS gathers the frames a transaction appends to its log and writes them
// in few large writes, the last of them with the commit frame's header (the one that carries the database
// size), whose page follows directly: all of it is in the file before SQLite publishes the commit to other
// connections, so no reader can see a frame that is not in the file, and nothing a receipt depends on waits
// in memory (a header rewritten alone at the commit, when the transaction wrote over frames it had spilled,
// goes out at once too). Anything else that touches the log (a write that is not the next frame, a read, a
// sync, a size, a truncation, closing) writes out what is gathered first. Other files pass straight through.
//
// The files underneath are opened by the default VFS of the moment of opening (a test's power-loss VFS when
// it is the default), so this only changes how many calls carry the same bytes, in the same order.

namespace touchpoint::sqlite {

/// The name to pass to sqlite3_open_v2 (registers the VFS on first use; never the default VFS).
const char* gatheredLogVfs();

}  // namespace touchpoint::sqlite
