// SQLite side of SqlConnection. Statements are prepared once per connection and cached by their text: the
// ingest path runs the same few statements for every message.

#include <sqlite3.h>

#include <unordered_map>

#include "common/sqlite.hpp"
#include "hub/store/sql_backend.hpp"

namespace touchpoint::hub {

namespace {

struct StmtFinalizer {
    void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

/// Lets the statement cache be searched with a string_view: no string is built per statement run.
struct SqlHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

class SqliteConnection final : public SqlConnection {
public:
    explicit SqliteConnection(sqlite::Database db) : m_db(std::move(db)) {}

    Dialect dialect() const override { return Dialect::Sqlite; }
    std::string_view forUpdate() const override { return ""; }

    StoreResult<SqlRows> query(std::string_view sql, const std::vector<SqlValue>& params) override {
        SqlRows rows;
        auto r = run(sql, params, &rows);
        if (!r) return Fail(r.error());
        return rows;
    }

    StoreResult<std::int64_t> exec(std::string_view sql, const std::vector<SqlValue>& params) override {
        auto r = run(sql, params, nullptr);
        if (!r) return Fail(r.error());
        return static_cast<std::int64_t>(sqlite3_changes(m_db.handle()));
    }

    StoreResult<void> script(std::string_view sql) override {
        auto r = m_db.exec(sql);
        if (!r) return Fail(toError(r.error().code, r.error().message));
        return {};
    }

    StoreResult<void> begin() override { return script("BEGIN IMMEDIATE"); }
    StoreResult<void> commit() override { return script("COMMIT"); }
    void rollback() override {
        if (!sqlite3_get_autocommit(m_db.handle())) (void)m_db.exec("ROLLBACK");
    }

private:
    static StoreError toError(int code, std::string message) {
        const int primary = code & 0xff;
        return StoreError{std::move(message), primary == SQLITE_BUSY || primary == SQLITE_LOCKED};
    }

    StoreResult<void> run(std::string_view sql, const std::vector<SqlValue>& params, SqlRows* rows) {
        sqlite3* db = m_db.handle();
        auto it = m_cache.find(sql);
        if (it == m_cache.end()) {
            sqlite3_stmt* raw = nullptr;
            const int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                                              &raw, nullptr);
            if (rc != SQLITE_OK) {
                sqlite3_finalize(raw);
                return Fail(toError(rc, std::string("prepare: ") + sqlite3_errmsg(db)));
            }
            it = m_cache.emplace(std::string(sql), StmtPtr(raw)).first;
        }
        sqlite3_stmt* st = it->second.get();
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        for (std::size_t i = 0; i < params.size(); ++i) {
            const int idx = static_cast<int>(i + 1);
            int rc = SQLITE_OK;
            if (const auto* v = std::get_if<std::int64_t>(&params[i])) {
                rc = sqlite3_bind_int64(st, idx, *v);
            } else if (const auto* d = std::get_if<double>(&params[i])) {
                rc = sqlite3_bind_double(st, idx, *d);
            } else if (const auto* s = std::get_if<std::string>(&params[i])) {
                // STATIC: the parameters outlive this call, and the statement is reset before it returns.
                rc = sqlite3_bind_text(st, idx, s->data(), static_cast<int>(s->size()), SQLITE_STATIC);
            } else if (const auto* view = std::get_if<std::string_view>(&params[i])) {
                rc = sqlite3_bind_text(st, idx, view->data(), static_cast<int>(view->size()), SQLITE_STATIC);
            } else {
                rc = sqlite3_bind_null(st, idx);
            }
            if (rc != SQLITE_OK) return Fail(toError(rc, std::string("bind: ") + sqlite3_errmsg(db)));
        }
        while (true) {
            const int rc = sqlite3_step(st);
            if (rc == SQLITE_DONE) break;
            if (rc != SQLITE_ROW) {
                StoreError e = toError(sqlite3_extended_errcode(db), sqlite3_errmsg(db));
                sqlite3_reset(st);
                return Fail(e);
            }
            if (!rows) continue;
            const int n = sqlite3_column_count(st);
            auto& row = rows->rows.emplace_back();
            row.reserve(static_cast<std::size_t>(n));
            for (int c = 0; c < n; ++c) {
                switch (sqlite3_column_type(st, c)) {
                    case SQLITE_NULL: row.emplace_back(std::monostate{}); break;
                    case SQLITE_INTEGER: row.emplace_back(std::int64_t{sqlite3_column_int64(st, c)}); break;
                    case SQLITE_FLOAT: row.emplace_back(sqlite3_column_double(st, c)); break;
                    default: {
                        const auto* t = reinterpret_cast<const char*>(sqlite3_column_text(st, c));
                        row.emplace_back(std::string(t, static_cast<std::size_t>(sqlite3_column_bytes(st, c))));
                    }
                }
            }
        }
        sqlite3_reset(st);
        return {};
    }

    // Statements are declared after the connection so they are finalised first.
    sqlite::Database m_db;
    std::unordered_map<std::string, StmtPtr, SqlHash, std::equal_to<>> m_cache;
};

}  // namespace

StoreResult<std::unique_ptr<SqlConnection>> openSqlite(const std::string& path, SqliteCommitSync sync) {
    // The writer (ByCaller) writes about a thousand log frames per commit: gathered into few writes.
    auto db = sqlite::Database::open(path, true, false,
                                     sync == SqliteCommitSync::ByCaller ? sqlite::LogWrites::Gathered
                                                                        : sqlite::LogWrites::PerFrame);
    if (!db) return Fail(StoreError{"open " + path + ": " + db.error().message, false});
    // A receipt says "accepted" only after the batch is on disk, because the kiosk then deletes it: either
    // COMMIT syncs (FULL) or the caller flushes the log with WalSync before answering (NORMAL). The write-ahead log is checkpointed by a
    // WalCheckpointer, which cues the writer to let it restart (SqliteLogPolicy); for other connections 8192
    // pages (32 MiB) is the point at which their own commit checkpoints.
    const char* synchronous = sync == SqliteCommitSync::OnCommit ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL";
    for (const char* pragma : {"PRAGMA journal_mode=WAL", synchronous, "PRAGMA busy_timeout=10000",
                               "PRAGMA foreign_keys=OFF", "PRAGMA temp_store=MEMORY", "PRAGMA cache_size=-32000",
                               "PRAGMA wal_autocheckpoint=8192", "PRAGMA journal_size_limit=67108864",
                               // Deleted and overwritten content is zeroed, not left in free space: an erased
                               // person's values must not stay readable in the file (docs/OPERATIONS.md).
                               "PRAGMA secure_delete=ON"}) {
        auto r = db->exec(pragma);
        if (!r) return Fail(StoreError{std::string(pragma) + ": " + r.error().message, false});
    }
    if (sync == SqliteCommitSync::ByCaller) {
        // The hub's writer: the WalCheckpointer copies the log on its own thread and cues the writer to let it
        // restart (SqliteLogPolicy); SQLite's checkpoint on the writer at 8192 pages would stall an ingest for
        // the whole copy and the database file's sync. This is only the backstop for a checkpointer held back.
        if (auto r = db->exec("PRAGMA wal_autocheckpoint=131072"); !r) {
            return Fail(StoreError{"PRAGMA wal_autocheckpoint: " + r.error().message, false});
        }
    }
    return std::unique_ptr<SqlConnection>(new SqliteConnection(std::move(db).value()));
}

}  // namespace touchpoint::hub
