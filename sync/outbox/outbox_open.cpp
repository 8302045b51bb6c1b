// Opening the outbox: PRAGMAs, the corrupt-file check and recovery, migrations and the cached statements.

#include <ctime>
#include <system_error>
#include <variant>

#include "common/log.hpp"
#include "outbox/outbox_impl.hpp"
#include "outbox/schema.hpp"

namespace touchpoint::outbox {

std::string_view toString(OutboxErrc code) {
    switch (code) {
        case OutboxErrc::Full: return "full";
        case OutboxErrc::DiskFull: return "disk_full";
        case OutboxErrc::ReadOnly: return "read_only";
        case OutboxErrc::Busy: return "busy";
        case OutboxErrc::TooLarge: return "too_large";
        case OutboxErrc::Corrupt: return "corrupt";
        case OutboxErrc::NotFound: return "not_found";
        case OutboxErrc::Invalid: return "invalid";
        case OutboxErrc::Io: return "io";
    }
    return "io";
}

OutboxError makeError(OutboxErrc code, std::string message) { return OutboxError{code, std::move(message), 0}; }

OutboxError toOutboxError(const sqlite::SqliteError& e) {
    OutboxError out;
    out.sqliteCode = e.extendedCode;
    if (e.isFull()) {
        out.code = OutboxErrc::DiskFull;
        out.message = "outbox disk is full: " + e.message;
    } else if (e.isReadOnly()) {
        out.code = OutboxErrc::ReadOnly;
        out.message = "outbox is read-only or not accessible: " + e.message;
    } else if (e.isBusy()) {
        out.code = OutboxErrc::Busy;
        out.message = "outbox is locked by another process: " + e.message;
    } else if (e.isCorrupt()) {
        out.code = OutboxErrc::Corrupt;
        out.message = "outbox file is corrupt (it is moved aside at the next start): " + e.message;
    } else if (e.code == SQLITE_CONSTRAINT) {
        out.code = OutboxErrc::Invalid;
        out.message = "outbox constraint: " + e.message;
    } else {
        out.code = OutboxErrc::Io;
        out.message = "outbox error: " + e.message;
    }
    return out;
}

namespace {

struct Opened {
    sqlite::Database db;
    MigrationOutcome migration;
};
struct CorruptFile {
    std::string reason;
};
using OpenAttempt = std::variant<Opened, CorruptFile, OutboxError>;

OpenAttempt classify(sqlite::Database* db, const sqlite::SqliteError& e) {
    if (e.isCorrupt()) {
        // Keep the evidence exactly as it is: no checkpoint into a damaged file on close.
        if (db != nullptr) sqlite3_db_config(db->handle(), SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
        return CorruptFile{e.message};
    }
    return toOutboxError(e);
}

OpenAttempt openAndCheck(const OutboxOptions& options) {
    auto opened = sqlite::Database::open(options.path, /*create=*/true);
    if (!opened) return classify(nullptr, opened.error());
    sqlite::Database db = std::move(opened.value());
    sqlite3_busy_timeout(db.handle(), options.busyTimeoutMs);
    if (options.maxPageCount > 0) {
        if (auto r = db.queryInt("PRAGMA max_page_count = " + std::to_string(options.maxPageCount)); !r) {
            return classify(&db, r.error());
        }
    }
    auto mode = db.queryText("PRAGMA journal_mode = WAL");
    if (!mode) return classify(&db, mode.error());
    if (*mode != "wal") {
        return makeError(OutboxErrc::Io, "outbox " + options.path.string() + ": WAL mode unavailable (journal_mode=" +
                                             *mode + ")");
    }
    if (auto r = db.exec("PRAGMA synchronous = FULL"); !r) return classify(&db, r.error());
    auto check = db.queryText("PRAGMA quick_check");
    if (!check) return classify(&db, check.error());
    if (*check != "ok") {
        sqlite3_db_config(db.handle(), SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
        return CorruptFile{"quick_check: " + check->substr(0, 200)};
    }
    auto migrated = migrate(db, migrations());
    if (!migrated) return classify(&db, migrated.error());
    return Opened{std::move(db), *migrated};
}

std::string utcStamp(std::int64_t utcMs) {
    const std::time_t secs = static_cast<std::time_t>(utcMs / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
    return buf;
}

/// Renames the file and its -wal/-shm to "<name>.corrupt-<UTC>" (never deletes anything). Returns the new
/// name of the main file.
OutboxResult<std::filesystem::path> moveAside(const std::filesystem::path& path, std::int64_t utcMs) {
    std::string base = path.string() + ".corrupt-" + utcStamp(utcMs);
    std::string target = base;
    for (int n = 1; std::filesystem::exists(target) || std::filesystem::exists(target + "-wal"); ++n) {
        target = base + "." + std::to_string(n);
    }
    for (const char* suffix : {"-wal", "-shm", ""}) {
        const std::filesystem::path from = path.string() + suffix;
        std::error_code ec;
        if (!std::filesystem::exists(from, ec)) continue;
        std::filesystem::rename(from, target + suffix, ec);
        if (ec) {
            return Fail(makeError(OutboxErrc::Io, "cannot move corrupt outbox " + from.string() + " aside: " +
                                                      ec.message()));
        }
    }
    return std::filesystem::path(target);
}

}  // namespace

sqlite::SqlResult<void> Outbox::Impl::prepareStatements() {
    struct Entry {
        std::optional<sqlite::Statement>* slot;
        std::string_view sql;
    };
    const Entry entries[] = {
        {&beginWrite, "BEGIN IMMEDIATE"},
        {&commitWrite, "COMMIT"},
        // Everything enqueue needs to know, from hot pages only (see schema.cpp for the running totals).
        {&writeState,
         "SELECT max(ifnull(p.row_id, 0), m.sequence_floor, "
         "           ifnull((SELECT row_id FROM dead_letters ORDER BY row_id DESC LIMIT 1), 0)), "
         "       max(ifnull(p.total_bytes, 0), m.total_bytes_floor), "
         "       max(ifnull(p.total_count, 0), m.total_count_floor), m.deleted_bytes, m.deleted_count "
         "FROM meta m LEFT JOIN (SELECT row_id, total_bytes, total_count FROM pending ORDER BY row_id DESC LIMIT 1) p "
         "WHERE m.id = 1"},
        {&insertPending,
         "INSERT INTO pending (row_id, message_id, kind, priority, payload, bytes, total_bytes, total_count, "
         "identity_hash, created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"},
        {&insertIdentity, "INSERT OR IGNORE INTO identity_extra (hash, message_id) VALUES (?1, ?2)"},
        {&evictionCandidates,
         "SELECT row_id, message_id, kind, bytes FROM pending WHERE priority < 3 AND priority <= ?1 "
         "ORDER BY priority, row_id"},
        {&deletePendingByRow, "DELETE FROM pending WHERE row_id = ?1"},
        {&deleteIdentityByMessage, "DELETE FROM identity_extra WHERE message_id = ?1"},
        {&bumpCounter,
         "INSERT INTO counters (name, value) VALUES (?1, ?2) "
         "ON CONFLICT (name) DO UPDATE SET value = value + excluded.value"},
        {&readPending,
         "SELECT row_id, message_id, kind, payload, created_ms, attempts, bytes FROM pending ORDER BY row_id LIMIT ?1"},
        {&findPending, "SELECT row_id, kind FROM pending WHERE message_id = ?1"},
        {&deletePendingByMessage, "DELETE FROM pending WHERE message_id = ?1"},
        {&rememberSignin,
         "INSERT INTO recent_signins (hash, captured_ms) "
         "SELECT identity_hash, created_ms FROM pending WHERE row_id = ?1 AND identity_hash IS NOT NULL "
         "UNION ALL SELECT e.hash, p.created_ms FROM identity_extra e JOIN pending p ON p.message_id = e.message_id "
         "WHERE p.row_id = ?1"},
        {&moveDeadLetter,
         "INSERT OR REPLACE INTO dead_letters (row_id, message_id, kind, priority, payload, bytes, identity_hash, "
         "created_ms, reason, last_status, attempts, first_attempt_ms, last_attempt_ms) "
         "SELECT row_id, message_id, kind, priority, payload, bytes, identity_hash, created_ms, ?2, ?3, attempts + 1, "
         "COALESCE(first_attempt_ms, ?4), ?4 FROM pending WHERE message_id = ?1"},
        {&noteAttempt,
         "UPDATE pending SET attempts = attempts + 1, first_attempt_ms = COALESCE(first_attempt_ms, ?2), "
         "last_attempt_ms = ?2 WHERE row_id = ?1"},
    };
    for (const Entry& e : entries) {
        auto st = db.prepare(e.sql);
        if (!st) return Fail(st.error());
        e.slot->emplace(std::move(st.value()));
    }
    return {};
}

OutboxResult<std::unique_ptr<Outbox>> Outbox::open(const OutboxOptions& options, OpenReport* report) {
    OutboxOptions opts = options;
    if (opts.clock == nullptr) opts.clock = &SystemClock::instance();
    if (opts.path.empty()) return Fail(makeError(OutboxErrc::Invalid, "outbox path is empty"));
    if (opts.byteBudget <= 0) return Fail(makeError(OutboxErrc::Invalid, "outbox byte budget must be positive"));
    OpenReport local;

    OpenAttempt attempt = openAndCheck(opts);
    if (auto* corrupt = std::get_if<CorruptFile>(&attempt)) {
        local.recovered = true;
        local.recoveryReason = corrupt->reason;
        auto moved = moveAside(opts.path, opts.clock->utcMs());
        if (!moved) return Fail(moved.error());
        local.movedAsideTo = *moved;
        log::warn("outbox", "corrupt outbox moved aside, starting a fresh one",
                  {{"path", opts.path.string()}, {"moved_to", moved->string()}, {"reason", corrupt->reason}});
        attempt = openAndCheck(opts);
        if (std::holds_alternative<CorruptFile>(attempt)) {
            return Fail(makeError(OutboxErrc::Corrupt, "fresh outbox " + opts.path.string() + " is corrupt too: " +
                                                           std::get<CorruptFile>(attempt).reason));
        }
    }
    if (auto* error = std::get_if<OutboxError>(&attempt)) return Fail(*error);

    Opened& opened = std::get<Opened>(attempt);
    local.migratedFromVersion = opened.migration.fromVersion;
    auto impl = std::make_unique<Impl>(std::move(opened.db), opts);
    if (auto r = impl->prepareStatements(); !r) return Fail(toOutboxError(r.error()));
    if (local.recovered) {
        // Counted in the NEW file, so the heartbeat reports the recovery to head office.
        if (auto r = impl->addCounter("recovered_corrupt", 1); !r) return Fail(toOutboxError(r.error()));
    }
    if (report != nullptr) *report = local;
    return std::unique_ptr<Outbox>(new Outbox(std::move(impl)));
}

Outbox::Outbox(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
Outbox::~Outbox() = default;

const std::filesystem::path& Outbox::path() const { return m_impl->options.path; }

}  // namespace touchpoint::outbox
