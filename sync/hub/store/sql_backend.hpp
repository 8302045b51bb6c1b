#pragma once
// One small SQL interface over SQLite and PostgreSQL, so the hub's store logic (dedupe, identity graph,
// loyalty) is written once. Statements use `?` placeholders; the PostgreSQL connection rewrites them to
// $1..$n. Parameters travel as text to PostgreSQL and as native types to SQLite; rows come back typed from
// both (SQLite's own storage classes; PostgreSQL's integer, boolean and floating-point columns by their type).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "hub/store_result.hpp"

namespace touchpoint::hub {

/// A statement parameter: NULL, integer, real, owned text, or borrowed text (a view the caller keeps alive until
/// the call returns; for large values such as a stored payload, so they are bound without a copy).
using SqlValue = std::variant<std::monostate, std::int64_t, double, std::string, std::string_view>;

/// One cell of a result row: NULL, integer, real or text.
using SqlCell = std::variant<std::monostate, std::int64_t, double, std::string>;

/// Rows of typed cells, read with small helpers that convert where a caller asks for another type (an integer
/// read as text, "12" read as an integer); a cell that cannot be converted reads as the fallback.
struct SqlRows {
    std::vector<std::vector<SqlCell>> rows;

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
    /// A write whose only answer that matters is success or failure: PostgreSQL sends it with the next statement
    /// that needs an answer (or the COMMIT) in one pipeline, so a transaction's writes cost no round trip each;
    /// SQLite runs it at once. Its error surfaces from this call or from the next query, exec, script or commit.
    /// `ifNoRowChanged`: the error to report when the statement changed no row (an ON CONFLICT DO NOTHING that
    /// met a row another writer committed since it was looked for).
    virtual StoreResult<void> defer(std::string_view sql, const std::vector<SqlValue>& params,
                                    std::optional<StoreError> ifNoRowChanged = std::nullopt) {
        auto r = exec(sql, params);
        if (!r) return Fail(r.error());
        if (*r == 0 && ifNoRowChanged) return Fail(*ifNoRowChanged);
        return {};
    }
    /// Runs several statements with no parameters (schema).
    virtual StoreResult<void> script(std::string_view sql) = 0;
    /// SQLite: BEGIN IMMEDIATE. PostgreSQL: BEGIN (read committed; rows are locked with FOR UPDATE).
    virtual StoreResult<void> begin() = 0;
    virtual StoreResult<void> commit() = 0;
    virtual void rollback() = 0;
    /// " FOR UPDATE" where the database supports row locks, "" on SQLite (whose write lock covers all).
    virtual std::string_view forUpdate() const = 0;
};

/// Runs `prefix` (whose placeholders `params` binds) followed by " IN (?,?,...)" for `list` and `suffix`: one
/// statement for a set of keys. The list is padded to a power of two by repeating its last value, so a
/// connection sees few distinct statements. `list` is not empty.
StoreResult<SqlRows> queryIn(SqlConnection& c, const std::string& prefix, std::vector<SqlValue> params,
                             const std::vector<SqlValue>& list, std::string_view suffix = "");

/// How a SQLite connection's commits reach the disk.
enum class SqliteCommitSync {
    OnCommit,  ///< synchronous=FULL: COMMIT returns once the log is on disk
    ByCaller,  ///< synchronous=NORMAL: COMMIT only writes the log; the caller makes it durable with WalSync
};

/// Opens `sqlite:///path` (WAL, busy timeout). The connection checkpoints the write-ahead log itself only when
/// it has grown past a backstop; a WalCheckpointer (sqlite_write_strategy.hpp) does it in the background.
StoreResult<std::unique_ptr<SqlConnection>> openSqlite(const std::string& path,
                                                       SqliteCommitSync sync = SqliteCommitSync::OnCommit);

/// Opens a `postgresql://` URL through libpq.
StoreResult<std::unique_ptr<SqlConnection>> openPostgres(const std::string& url);

}  // namespace touchpoint::hub
