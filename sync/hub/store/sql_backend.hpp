#pragma once
// One small SQL interface over SQLite and PostgreSQL, so the hub's store logic (dedupe, identity graph,
// loyalty) is written once. Statements use `?` placeholders; the PostgreSQL connection rewrites them to
// $1..$n. Values travel as text to and from PostgreSQL, as native types to and from SQLite.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <variant>
#include <vector>

#include "common/result.hpp"

namespace touchpoint::hub {

struct StoreError {
    std::string message;
    /// A conflict with another writer (SQLITE_BUSY, serialization failure, deadlock): retry the transaction.
    bool retryable = false;
};

template <class T>
using StoreResult = Result<T, StoreError>;

/// A statement parameter: NULL, integer, real, owned text, or borrowed text (a view the caller keeps alive until
/// the call returns; for large values such as a stored payload, so they are bound without a copy).
using SqlValue = std::variant<std::monostate, std::int64_t, double, std::string, std::string_view>;

/// Rows of text cells (nullopt = NULL), read with small typed helpers.
struct SqlRows {
    std::vector<std::vector<std::optional<std::string>>> rows;

    bool empty() const { return rows.empty(); }
    std::size_t size() const { return rows.size(); }
    std::string text(std::size_t row, std::size_t col) const;
    std::int64_t integer(std::size_t row, std::size_t col, std::int64_t fallback = 0) const;
    double real(std::size_t row, std::size_t col, double fallback = 0) const;
    bool isNull(std::size_t row, std::size_t col) const;
};

enum class Dialect { Sqlite, Postgres };

class SqlConnection {
public:
    virtual ~SqlConnection() = default;
    virtual Dialect dialect() const = 0;
    /// Runs one statement; rows it returns (SELECT, RETURNING) come back.
    virtual StoreResult<SqlRows> query(std::string_view sql, const std::vector<SqlValue>& params = {}) = 0;
    /// Runs one statement and returns the number of rows it changed.
    virtual StoreResult<std::int64_t> exec(std::string_view sql, const std::vector<SqlValue>& params = {}) = 0;
    /// Runs several statements with no parameters (schema).
    virtual StoreResult<void> script(std::string_view sql) = 0;
    /// SQLite: BEGIN IMMEDIATE. PostgreSQL: BEGIN (read committed; rows are locked with FOR UPDATE).
    virtual StoreResult<void> begin() = 0;
    virtual StoreResult<void> commit() = 0;
    virtual void rollback() = 0;
    /// " FOR UPDATE" where the database supports row locks, "" on SQLite (whose write lock covers all).
    virtual std::string_view forUpdate() const = 0;
};

/// How a SQLite connection's commits reach the disk.
enum class SqliteCommitSync {
    OnCommit,  ///< synchronous=FULL: COMMIT returns once the log is on disk
    ByCaller,  ///< synchronous=NORMAL: COMMIT only writes the log; the caller makes it durable with WalSync
};

/// Opens `sqlite:///path` (WAL, busy timeout). The connection checkpoints the write-ahead log itself only when
/// it has grown past a backstop; a WalCheckpointer does it in the background.
StoreResult<std::unique_ptr<SqlConnection>> openSqlite(const std::string& path,
                                                       SqliteCommitSync sync = SqliteCommitSync::OnCommit);

/// Flushes a SQLite database's write-ahead log to disk (fdatasync on its own descriptor). With
/// SqliteCommitSync::ByCaller this is what makes a commit durable, and it can run while the next
/// transaction is already being written: a flush covers every commit written before it began.
class WalSync {
public:
    explicit WalSync(std::string databasePath);
    ~WalSync();
    WalSync(const WalSync&) = delete;
    WalSync& operator=(const WalSync&) = delete;
    StoreResult<void> flush();

private:
    std::string m_walPath;
    std::mutex m_mutex;
    int m_fd = -1;
};

/// Copies a SQLite database's write-ahead log back into the database file on its own thread and connection,
/// so the writer committing a batch never pays for the checkpoint (page copies and an fsync of the database
/// file) on the ingest path. Checkpoints are PASSIVE: they never block writers or readers.
class WalCheckpointer {
public:
    static StoreResult<std::unique_ptr<WalCheckpointer>> start(const std::string& path,
                                                              std::chrono::milliseconds interval);
    ~WalCheckpointer();
    WalCheckpointer(const WalCheckpointer&) = delete;
    WalCheckpointer& operator=(const WalCheckpointer&) = delete;

    /// Checkpoints so far that copied pages into the database file (for tests and metrics).
    std::int64_t checkpoints() const;

private:
    struct Impl;
    explicit WalCheckpointer(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};
/// Opens a `postgresql://` URL through libpq.
StoreResult<std::unique_ptr<SqlConnection>> openPostgres(const std::string& url);

}  // namespace touchpoint::hub
