#pragma once
// SQLite's write path: one writer connection (its page cache stays warm: SQLite drops a connection's cache
// whenever another connection has committed), group commit (requests that arrive while a transaction runs are
// stored together in the next one), commits written with synchronous=NORMAL and made durable by WalSync — the
// group's leader flushes the log while the next group is already being written, and before any receipt — and a
// WalCheckpointer thread. Internal to the hub library.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "hub/store/write_strategy.hpp"

namespace touchpoint::sqlite {
class Database;
}

namespace touchpoint::hub {

/// When the log is copied into the database file and when it starts again from its beginning.
struct SqliteLogPolicy {
    std::chrono::milliseconds checkpointInterval{200};
    /// The log size (pages) at which the writer is cued to let it restart (WalCheckpointer::takeRestartCue):
    /// 65536 pages, 256 MiB. Each restart holds the writer while it copies what was written since the
    /// checkpointer's last pass (docs/ARCHITECTURE.md): a larger log restarts less often.
    int restartFrames = 65536;
    /// When the log restarts, its file is cut back to this share of the restart size (journal_size_limit),
    /// not shorter: the restarted log is written over in place. Cut back to 64 MiB, the file system freed the
    /// rest and allocated it again under the next run of commits, which then took about a quarter longer
    /// (docs/ARCHITECTURE.md).
    int keptLogPercent = 150;
};

/// Opens the writer connection, log sync and checkpointer of the SQLite database at `path`.
StoreResult<std::unique_ptr<WriteStrategy>> openSqliteWrites(const std::string& path, SqliteLogPolicy policy = {});

/// Flushes a SQLite database's write-ahead log to disk. With SqliteCommitSync::ByCaller this is what makes a
/// commit durable, and it can run while the next transaction is already being written: a flush covers every
/// commit written before it began. It syncs through SQLite's own VFS (the xSync of the log file of a
/// connection kept for this), not a descriptor of its own: the first sync of a log SQLite created also
/// syncs its directory, so a fresh log cannot vanish at a power cut with receipted commits in it, and a
/// test VFS that simulates power loss sees the sync.
class WalSync {
public:
    explicit WalSync(std::string databasePath);
    ~WalSync();
    WalSync(const WalSync&) = delete;
    WalSync& operator=(const WalSync&) = delete;
    StoreResult<void> flush();

private:
    std::string m_path;
    std::mutex m_mutex;
    std::unique_ptr<sqlite::Database> m_db;  // opened at the first flush
};

/// Copies a SQLite database's write-ahead log back into the database file on its own thread and connection,
/// so the writer committing a batch never pays for the checkpoint (page copies and an fsync of the database
/// file) on the ingest path. Checkpoints are PASSIVE: they never block writers or readers.
class WalCheckpointer {
public:
    /// `restartFrames`: the log size at which a pass cues the writer (takeRestartCue); 0 never cues.
    static StoreResult<std::unique_ptr<WalCheckpointer>> start(const std::string& path,
                                                              std::chrono::milliseconds interval,
                                                              int restartFrames = 0);
    ~WalCheckpointer();
    WalCheckpointer(const WalCheckpointer&) = delete;
    WalCheckpointer& operator=(const WalCheckpointer&) = delete;

    /// Checkpoints so far that copied pages into the database file (for tests and metrics).
    std::int64_t checkpoints() const;

    /// Whether the log has grown past the restart size and a pass has just copied most of it and synced the
    /// database file; reading clears it. The writer then copies the rest itself, between two transactions, so
    /// the log restarts from its beginning (SqliteWrites). A log restarts only after a checkpoint that left
    /// nothing behind, which this thread never sees while transactions follow one another.
    bool takeRestartCue();

private:
    struct Impl;
    explicit WalCheckpointer(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

}  // namespace touchpoint::hub
