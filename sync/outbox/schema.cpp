#include "outbox/schema.hpp"

#include <array>
#include <string>

namespace touchpoint::outbox {

namespace {

// Version 1. Notes on the choices that matter for speed and durability:
// - pending.row_id is the per-device sequence: it is the upload order, is never reused (so a replayed dead
//   letter can take its old place back) and needs no AUTOINCREMENT bookkeeping.
// - meta is a single row holding the sequence and the running pending count/bytes (kept by triggers), so
//   enqueue reads the budget state with the same statement that advances the sequence instead of a SUM()
//   over a backlog that may hold a million rows.
// - identity_hashes holds keyed hashes only; the identifiers themselves are sealed inside the payload.
constexpr std::string_view kV1 = R"sql(
CREATE TABLE meta (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    sequence      INTEGER NOT NULL,
    pending_count INTEGER NOT NULL,
    pending_bytes INTEGER NOT NULL,
    created_ms    INTEGER NOT NULL
);
INSERT INTO meta (id, sequence, pending_count, pending_bytes, created_ms)
    VALUES (1, 0, 0, 0, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER));

CREATE TABLE pending (
    row_id           INTEGER PRIMARY KEY,
    message_id       TEXT    NOT NULL UNIQUE,
    kind             TEXT    NOT NULL,
    priority         INTEGER NOT NULL,
    payload          TEXT    NOT NULL,
    bytes            INTEGER NOT NULL,
    created_ms       INTEGER NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    first_attempt_ms INTEGER,
    last_attempt_ms  INTEGER
);
CREATE INDEX pending_by_priority ON pending (priority, row_id);

CREATE TRIGGER pending_counted_in AFTER INSERT ON pending BEGIN
    UPDATE meta SET pending_count = pending_count + 1, pending_bytes = pending_bytes + NEW.bytes WHERE id = 1;
END;
CREATE TRIGGER pending_counted_out AFTER DELETE ON pending BEGIN
    UPDATE meta SET pending_count = pending_count - 1, pending_bytes = pending_bytes - OLD.bytes WHERE id = 1;
END;

CREATE TABLE identity_hashes (
    hash       TEXT NOT NULL,
    message_id TEXT NOT NULL,
    PRIMARY KEY (hash, message_id)
) WITHOUT ROWID;
CREATE INDEX identity_hashes_by_message ON identity_hashes (message_id);

CREATE TABLE dead_letters (
    row_id           INTEGER PRIMARY KEY,
    message_id       TEXT    NOT NULL UNIQUE,
    kind             TEXT    NOT NULL,
    priority         INTEGER NOT NULL,
    payload          TEXT    NOT NULL,
    bytes            INTEGER NOT NULL,
    created_ms       INTEGER NOT NULL,
    reason           TEXT    NOT NULL,
    last_status      INTEGER NOT NULL,
    attempts         INTEGER NOT NULL,
    first_attempt_ms INTEGER,
    last_attempt_ms  INTEGER
);

CREATE TABLE counters (
    name  TEXT    PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE recent_signins (
    hash        TEXT    NOT NULL,
    captured_ms INTEGER NOT NULL
);
CREATE INDEX recent_signins_by_hash ON recent_signins (hash, captured_ms);
CREATE INDEX recent_signins_by_time ON recent_signins (captured_ms);
)sql";

constexpr std::array<Migration, 1> kMigrations{{{1, kV1}}};

}  // namespace

std::span<const Migration> migrations() { return kMigrations; }
int latestSchemaVersion() { return kMigrations.back().version; }

sqlite::SqlResult<MigrationOutcome> migrate(sqlite::Database& db, std::span<const Migration> steps) {
    auto current = db.queryInt("PRAGMA user_version");
    if (!current) return Fail(current.error());
    MigrationOutcome outcome{static_cast<int>(*current), static_cast<int>(*current)};
    const int latest = steps.empty() ? 0 : steps.back().version;
    if (outcome.fromVersion > latest) {
        return Fail(sqlite::SqliteError{SQLITE_ERROR, SQLITE_ERROR,
                                        "outbox schema version " + std::to_string(outcome.fromVersion) +
                                            " is newer than this program knows (" + std::to_string(latest) + ")"});
    }
    for (const Migration& step : steps) {
        if (step.version <= outcome.toVersion) continue;
        auto tx = sqlite::Transaction::begin(db, sqlite::Transaction::Mode::Immediate);
        if (!tx) return Fail(tx.error());
        // Another process may have migrated while we waited for the write lock.
        auto again = db.queryInt("PRAGMA user_version");
        if (!again) return Fail(again.error());
        if (*again >= step.version) {
            outcome.toVersion = static_cast<int>(*again);
            continue;
        }
        if (auto r = db.exec(step.sql); !r) return Fail(r.error());
        if (auto r = db.exec("PRAGMA user_version = " + std::to_string(step.version)); !r) return Fail(r.error());
        if (auto r = tx->commit(); !r) return Fail(r.error());
        outcome.toVersion = step.version;
    }
    return outcome;
}

}  // namespace touchpoint::outbox
