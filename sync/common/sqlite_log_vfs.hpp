#pragma once
// A SQLite VFS for a connection that writes many log frames per commit (the hub's writer). SQLite writes each
// frame of the write-ahead log with two calls, its 24-byte header and then its page, so a commit of a
// thousand pages is two thousand pwrite calls, and each page call touches two pages of the file because
// frames are not page-aligned. This VFS gathers the frames a transaction appends to its log and writes them
// in few large writes, the last of them when the commit frame (the one whose header carries the database
// size) has its page: before SQLite publishes the commit to other connections, so no reader can see a frame
// that is not in the file. Anything else that touches the log (a write that is not the next frame, a read, a
// sync, a size, a truncation, closing) writes out what is gathered first. Other files pass straight through.
//
// The files underneath are opened by the default VFS of the moment of opening (a test's power-loss VFS when
// it is the default), so this only changes how many calls carry the same bytes, in the same order.

namespace touchpoint::sqlite {

/// The name to pass to sqlite3_open_v2 (registers the VFS on first use; never the default VFS).
const char* gatheredLogVfs();

}  // namespace touchpoint::sqlite
