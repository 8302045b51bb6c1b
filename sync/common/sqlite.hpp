#pragma once
// RAII over sqlite3* and sqlite3_stmt*: no early return can leak a handle, and every SQLite failure comes
// back as a SqliteError the caller must look at — nothing is printed and dropped.

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace touchpoint::sqlite {

struct SqliteError {
    int code = SQLITE_ERROR;  ///< primary result code (SQLITE_FULL, SQLITE_BUSY, ...)
    int extendedCode = SQLITE_ERROR;
    std::string message;      ///< sqlite3_errmsg plus what we were doing

    bool isFull() const { return code == SQLITE_FULL; }
    bool isReadOnly() const { return code == SQLITE_READONLY || code == SQLITE_CANTOPEN || code == SQLITE_PERM; }
    bool isBusy() const { return code == SQLITE_BUSY || code == SQLITE_LOCKED; }
    bool isCorrupt() const { return code == SQLITE_CORRUPT || code == SQLITE_NOTADB; }
};

template <class T>
using SqlResult = Result<T, SqliteError>;

class Statement;

/// How a connection writes its write-ahead log: SQLite's two calls per frame, or gathered into few writes per
/// commit (common/sqlite_log_vfs.hpp), for a connection that writes many pages per commit.
enum class LogWrites { PerFrame, Gathered };

/// One connection. Move-only; closes on destruction (finalising is the statements' job, which they do first
/// because they hold a shared reference to the connection).
class Database {
public:
    /// Opens (creating if asked) the file; `:memory:` works for unit tests.
    static SqlResult<Database> open(const std::filesystem::path& path, bool create = true, bool readOnly = false,
                                    LogWrites logWrites = LogWrites::PerFrame);

    Database(Database&&) noexcept = default;
    Database& operator=(Database&&) noexcept = default;
    ~Database() = default;

    SqlResult<void> exec(std::string_view sql);
    SqlResult<Statement> prepare(std::string_view sql);
    /// Runs a query whose first row's first column is an integer (PRAGMA user_version, COUNT(*)).
    SqlResult<std::int64_t> queryInt(std::string_view sql);
    SqlResult<std::string> queryText(std::string_view sql);

    std::int64_t lastInsertRowId() const;
    int changes() const;
    sqlite3* handle() const { return m_db.get(); }
    SqliteError lastError(std::string_view what) const;

private:
    struct Closer {
        void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
    };
    explicit Database(sqlite3* db) : m_db(db, Closer{}) {}
    std::shared_ptr<sqlite3> m_db;
};

/// A prepared statement. Bind indexes are 1-based as in SQLite; column indexes 0-based.
class Statement {
public:
    Statement(Statement&&) noexcept = default;
    Statement& operator=(Statement&&) noexcept = default;
    ~Statement() = default;

    Statement& bind(int index, std::int64_t value);
    Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
    Statement& bind(int index, double value);
    Statement& bind(int index, std::string_view text);
    Statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
    Statement& bind(int index, const std::string& text) { return bind(index, std::string_view(text)); }
    Statement& bindBlob(int index, const void* data, std::size_t size);
    Statement& bindNull(int index);

    /// Steps once: true when a row is ready, false when done. A bind error made earlier surfaces here.
    SqlResult<bool> step();
    /// Steps to completion, discarding rows; for INSERT/UPDATE/DELETE.
    SqlResult<void> run();
    /// Resets for reuse and clears bindings.
    void reset();

    std::int64_t columnInt64(int col) const;
    std::string columnText(int col) const;
    std::vector<std::uint8_t> columnBlob(int col) const;

private:
    friend class Database;
    struct Finalizer {
        void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
    };
    Statement(std::shared_ptr<sqlite3> db, sqlite3_stmt* stmt) : m_db(std::move(db)), m_stmt(stmt) {}
    void noteBind(int rc, int index);

    std::shared_ptr<sqlite3> m_db;  // keeps the connection open while the statement lives
    std::unique_ptr<sqlite3_stmt, Finalizer> m_stmt;
    int m_bindError = SQLITE_OK;
    int m_bindIndex = 0;
};

/// BEGIN on construction (IMMEDIATE takes the write lock up front, so a writer never deadlocks upgrading
/// a read lock); ROLLBACK on destruction unless commit() succeeded.
class Transaction {
public:
    enum class Mode { Deferred, Immediate };
    static SqlResult<Transaction> begin(Database& db, Mode mode = Mode::Immediate);
    Transaction(Transaction&& other) noexcept : m_db(other.m_db) { other.m_db = nullptr; }
    Transaction& operator=(Transaction&&) = delete;
    ~Transaction();
    SqlResult<void> commit();

private:
    explicit Transaction(Database* db) : m_db(db) {}
    Database* m_db;
};

}  // namespace touchpoint::sqlite
