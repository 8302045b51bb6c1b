#include "common/sqlite.hpp"

#include <mutex>
#include <string>

#include "common/sqlite_log_vfs.hpp"

namespace touchpoint::sqlite {

namespace {
/// SQLite counts every allocation of every connection in process-wide figures, under one mutex that each
/// allocation and free takes, unless it is told otherwise before its first use. Nothing here reads those
/// figures (sqlite3_memory_used, a soft heap limit); the hub's writer waited on that mutex while request
/// threads read.
void keepNoAllocationCounts() {
    static std::once_flag once;
    // SQLITE_MISUSE when SQLite was already initialised by other code (a test's VFS): then it keeps counting.
    std::call_once(once, [] { (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
}

SqliteError makeError(sqlite3* db, int rc, std::string_view what) {
    SqliteError e;
    e.extendedCode = db != nullptr ? sqlite3_extended_errcode(db) : rc;
    e.code = rc & 0xFF;
    e.message = std::string(what) + ": " + (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    return e;
}
}  // namespace

SqlResult<Database> Database::open(const std::filesystem::path& path, bool create, bool readOnly,
                                   LogWrites logWrites) {
    int flags = readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
    if (create && !readOnly) flags |= SQLITE_OPEN_CREATE;
    flags |= SQLITE_OPEN_NOMUTEX;  // one connection per thread; callers serialise their own use
    keepNoAllocationCounts();
    sqlite3* raw = nullptr;
    const char* vfs = logWrites == LogWrites::Gathered ? gatheredLogVfs() : nullptr;
    const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, vfs);
    if (rc != SQLITE_OK) {
        SqliteError e = makeError(raw, rc, "open " + path.string());
        sqlite3_close_v2(raw);
        return Fail(e);
    }
    sqlite3_extended_result_codes(raw, 1);
    return Database(raw);
}

SqliteError Database::lastError(std::string_view what) const {
    return makeError(m_db.get(), sqlite3_errcode(m_db.get()), what);
}

SqlResult<void> Database::exec(std::string_view sql) {
    const std::string text(sql);
    char* msg = nullptr;
    const int rc = sqlite3_exec(m_db.get(), text.c_str(), nullptr, nullptr, &msg);
    if (rc != SQLITE_OK) {
        SqliteError e;
        e.code = rc & 0xFF;
        e.extendedCode = rc;
        e.message = "exec '" + text.substr(0, 60) + "': " + (msg != nullptr ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
        return Fail(e);
    }
    return {};
}

SqlResult<Statement> Database::prepare(std::string_view sql) {
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(m_db.get(), sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                                      &stmt, nullptr);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(stmt);
        return Fail(makeError(m_db.get(), rc, "prepare '" + std::string(sql.substr(0, 60)) + "'"));
    }
    return Statement(m_db, stmt);
}

SqlResult<std::int64_t> Database::queryInt(std::string_view sql) {
    auto st = prepare(sql);
    if (!st) return Fail(st.error());
    auto row = st->step();
    if (!row) return Fail(row.error());
    if (!*row) return Fail(SqliteError{SQLITE_ERROR, SQLITE_ERROR, "no row from '" + std::string(sql) + "'"});
    return st->columnInt64(0);
}

SqlResult<std::string> Database::queryText(std::string_view sql) {
    auto st = prepare(sql);
    if (!st) return Fail(st.error());
    auto row = st->step();
    if (!row) return Fail(row.error());
    if (!*row) return Fail(SqliteError{SQLITE_ERROR, SQLITE_ERROR, "no row from '" + std::string(sql) + "'"});
    return st->columnText(0);
}

std::int64_t Database::lastInsertRowId() const { return sqlite3_last_insert_rowid(m_db.get()); }
int Database::changes() const { return sqlite3_changes(m_db.get()); }

void Statement::noteBind(int rc, int index) {
    if (rc != SQLITE_OK && m_bindError == SQLITE_OK) {
        m_bindError = rc;
        m_bindIndex = index;
    }
}

Statement& Statement::bind(int index, std::int64_t value) {
    noteBind(sqlite3_bind_int64(m_stmt.get(), index, value), index);
    return *this;
}

Statement& Statement::bind(int index, double value) {
    noteBind(sqlite3_bind_double(m_stmt.get(), index, value), index);
    return *this;
}

Statement& Statement::bind(int index, std::string_view text) {
    noteBind(sqlite3_bind_text64(m_stmt.get(), index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8), index);
    return *this;
}

Statement& Statement::bindBlob(int index, const void* data, std::size_t size) {
    noteBind(sqlite3_bind_blob64(m_stmt.get(), index, data, size, SQLITE_TRANSIENT), index);
    return *this;
}

Statement& Statement::bindNull(int index) {
    noteBind(sqlite3_bind_null(m_stmt.get(), index), index);
    return *this;
}

SqlResult<bool> Statement::step() {
    if (m_bindError != SQLITE_OK) {
        const int rc = m_bindError;
        const int idx = m_bindIndex;
        m_bindError = SQLITE_OK;
        return Fail(makeError(m_db.get(), rc, "bind parameter " + std::to_string(idx)));
    }
    const int rc = sqlite3_step(m_stmt.get());
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    SqliteError e = makeError(m_db.get(), rc, std::string("step '") + sqlite3_sql(m_stmt.get()) + "'");
    sqlite3_reset(m_stmt.get());
    return Fail(e);
}

SqlResult<void> Statement::run() {
    for (;;) {
        auto r = step();
        if (!r) return Fail(r.error());
        if (!*r) break;
    }
    reset();
    return {};
}

void Statement::reset() {
    sqlite3_reset(m_stmt.get());
    sqlite3_clear_bindings(m_stmt.get());
    m_bindError = SQLITE_OK;
}

std::int64_t Statement::columnInt64(int col) const { return sqlite3_column_int64(m_stmt.get(), col); }

std::string Statement::columnText(int col) const {
    const auto* p = sqlite3_column_text(m_stmt.get(), col);
    const int n = sqlite3_column_bytes(m_stmt.get(), col);
    if (p == nullptr) return {};
    return {reinterpret_cast<const char*>(p), static_cast<std::size_t>(n)};
}

std::vector<std::uint8_t> Statement::columnBlob(int col) const {
    const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(m_stmt.get(), col));
    const int n = sqlite3_column_bytes(m_stmt.get(), col);
    if (p == nullptr) return {};
    return {p, p + n};
}


SqlResult<Transaction> Transaction::begin(Database& db, Mode mode) {
    auto r = db.exec(mode == Mode::Immediate ? "BEGIN IMMEDIATE" : "BEGIN");
    if (!r) return Fail(r.error());
    return Transaction(&db);
}

Transaction::~Transaction() {
    if (m_db != nullptr) {
        // Rolling back can only fail if the transaction is already gone (SQLite rolled it back itself after
        // SQLITE_FULL or an I/O error), which is the state we want anyway.
        (void)m_db->exec("ROLLBACK");
    }
}

SqlResult<void> Transaction::commit() {
    auto r = m_db->exec("COMMIT");
    if (!r) return r;  // destructor rolls back
    m_db = nullptr;
    return {};
}

}  // namespace touchpoint::sqlite
