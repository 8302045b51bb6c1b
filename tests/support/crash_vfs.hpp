#pragma once
// A SQLite VFS for power-loss tests. It wraps the default (unix) VFS: reads and writes reach the real files,
// as they reach the operating system's page cache on a real machine, while the VFS keeps, per file, what a
// disk would still hold if the power failed now: the content as of the file's last completed xSync, plus
// the writes made since. cut() "fails the power": every VFS call after it returns SQLITE_IOERR, so the code
// under test sees the crash. Once the test has closed every connection, reboot() rewrites each file as it
// would be found after the reboot and powers back on.
//
// What survives a cut (the model):
// - File content: a write survives only if an xSync of the same file (any handle: fsync flushes the inode,
//   not the descriptor) that began after the write was recorded completed before the cut. Everything else is dropped, or, with
//   Tear::Sectors, each 512-byte sector written since the last sync survives or not at random (in write
//   order), which also reorders writes. Truncations and size hints since the last sync are dropped (or kept
//   at random with Tear::Sectors).
// - Directory entries: a file that existed when the VFS first saw it is durable. A file created since is
//   found after the reboot only once its directory was synced; an unlink is durable only with xDelete's
//   dirSync flag or a later directory sync (until then the old file reappears, with its own surviving
//   content). The unix VFS syncs the directory at the first xSync of a WAL or journal it opened with
//   SQLITE_OPEN_CREATE (UNIXFILE_DIRSYNC), never for a main database file; the model does the same and, as
//   a directory fsync does, makes every entry of that directory durable. With Tear::Sectors an entry that
//   is not yet durable may survive or not at random; with Tear::None it never does (the conservative case).
// - Shared memory (-shm) is not durable: reboot() deletes it, as SQLite rebuilds it from the WAL.
// - Temporary files (no name, temp journals) are not tracked; they fail like the rest after a cut.
//
// Thread-safety: any thread may call cut(); VFS calls from many connections and threads are fine.

#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "common/result.hpp"

namespace touchpoint::testing {

class CrashVfs {
public:
    enum class Tear {
        None,     ///< every write since the file's last completed sync is lost
        Sectors,  ///< a random subset of the unsynced 512-byte sectors (and directory entries) survives
    };
    /// Where the power failed, for the test's report.
    struct CutPoint {
        bool happened = false;
        std::uint64_t call = 0;  ///< 1-based count of durability calls (xWrite, xSync, xTruncate, xDelete)
        std::string op;          ///< "xSync(wal)", "xWrite(db)", ... or "manual"
        bool afterCall = false;  ///< the call took effect, then the power failed before it returned
    };
    struct RebootReport {
        int filesWritten = 0;
        int filesRemoved = 0;
        std::uint64_t unsyncedOps = 0;      ///< writes/truncations not covered by a sync at the cut
        std::uint64_t sectorsSurvived = 0;  ///< unsynced sectors kept anyway (Tear::Sectors)
        std::uint64_t sectorsLost = 0;
    };

    /// Registers the VFS under `name`; with makeDefault, plain sqlite3_open_v2 calls use it until this
    /// object is destroyed (the previous default is restored).
    explicit CrashVfs(std::string name = "crash", bool makeDefault = false);
    ~CrashVfs();
    CrashVfs(const CrashVfs&) = delete;
    CrashVfs& operator=(const CrashVfs&) = delete;

    const char* name() const;

    /// The power fails at the `call`-th durability call from now (1 = the next one); with onlyOp (an op as
    /// CutPoint names it, "xSync(wal)"), at the `call`-th such call. afterCall: that call takes effect (a sync
    /// completes) but its caller gets SQLITE_IOERR, as when power fails on return.
    void armCut(std::uint64_t call, bool afterCall = false, const std::string& onlyOp = "");
    /// The power fails now (from any thread). Idempotent.
    void cut();
    bool isDown() const;
    /// Durability calls since the last reboot (or construction).
    std::uint64_t calls() const;
    CutPoint cutPoint() const;
    /// Durability calls by kind ("xSync(wal)": n) since construction, across reboots.
    std::map<std::string, std::uint64_t> opCounts() const;
    /// Files opened through the VFS and not yet closed.
    int openFiles() const;

    /// Needs every file closed (openFiles() == 0). Cuts the power if it is still on, writes every file the
    /// VFS saw as it would be after a reboot, deletes -shm files, forgets everything and powers on again
    /// (the next open takes the files as they are then as durable).
    Result<RebootReport, std::string> reboot(std::uint64_t seed, Tear tear);

    struct State;

private:
    std::unique_ptr<State> m_state;
};

/// The bookkeeping every power-loss round shares: reboot after the round (torn on odd rounds) and tally
/// where the cuts landed, for the test's report.
class PowerLossTally {
public:
    /// Reboots `vfs` and returns a label for assertions: "round 7 (cut at call 51, xSync(wal) after, torn)".
    Result<std::string, std::string> rebootAfterRound(CrashVfs& vfs, int round, std::uint64_t seed);
    /// One line per kind of cut and per kind of VFS call, each prefixed with `prefix`.
    std::string report(const CrashVfs& vfs, const std::string& prefix) const;

    int rounds = 0;
    int cutsMidRound = 0;  ///< cuts that hit a VFS call, not the one reboot() makes after the round
    int tornRounds = 0;
    std::uint64_t lostUnsyncedOps = 0;

private:
    std::map<std::string, int> m_cutOps;
};

}  // namespace touchpoint::testing
