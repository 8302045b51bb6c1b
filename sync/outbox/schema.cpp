#include "outbox/schema.hpp"

#include <array>
#include <string>

namespace touchpoint::outbox {

namespace {

// Version 1. Notes on the choices that matter for speed and durability:
// - pending.row_id is the per-device sequence: it is the upload order, is never reused (so a replayed dead
//   letter can take its old place back) and needs no AUTOINCREMENT bookkeeping.
// - enqueue must cost little more than a bare single-row commit, so it writes no page it can avoid: the
//   budget state is NOT a counter row updated on every insert (one more WAL frame per tap). Instead each
//   pending row carries running totals (bytes and rows enqueued so far, itself included), and meta keeps
//   what deletions took away plus the largest totals and row_id ever deleted, maintained by triggers on the
//   (batched, off the tap path) delete side. So: next sequence = max(newest pending row_id, newest dead
//   letter row_id, meta.sequence_floor) + 1, and pending bytes = max(newest row's total_bytes,
//   meta.total_bytes_floor) - meta.deleted_bytes — all read from hot pages, all O(log n).
// - The first identity hash of a row lives in the row (with a partial index), the rare further ones in
//   identity_extra, so a sign-in writes one index page for its identity rather than a table and its index.
//   Only keyed hashes are stored; the identifiers themselves are sealed inside the payload.
// - The eviction index is partial: protected rows (sign-ins, consents) are never evicted and never in it.
constexpr std::string_view kV1 = R"sql(
CREATE TABLE meta (
    id                INTEGER PRIMARY KEY CHECK (id = 1),
    sequence_floor    INTEGER NOT NULL,
    total_bytes_floor INTEGER NOT NULL,
    total_count_floor INTEGER NOT NULL,
    deleted_bytes     INTEGER NOT NULL,
    deleted_count     INTEGER NOT NULL,
    created_ms        INTEGER NOT NULL
);
INSERT INTO meta (id, sequence_floor, total_bytes_floor, total_count_floor, deleted_bytes, deleted_count, created_ms)
    VALUES (1, 0, 0, 0, 0, 0, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER));

CREATE TABLE pending (
    row_id           INTEGER PRIMARY KEY,
    message_id       TEXT    NOT NULL UNIQUE,
    kind             TEXT    NOT NULL,
    priority         INTEGER NOT NULL,
    payload          TEXT    NOT NULL,
    bytes            INTEGER NOT NULL,
    total_bytes      INTEGER NOT NULL,
    total_count      INTEGER NOT NULL,
    identity_hash    TEXT,
    created_ms       INTEGER NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    first_attempt_ms INTEGER,
    last_attempt_ms  INTEGER
);
CREATE INDEX pending_evictable ON pending (priority, row_id) WHERE priority < 3;
CREATE INDEX pending_by_identity ON pending (identity_hash) WHERE identity_hash IS NOT NULL;

CREATE TRIGGER pending_deleted AFTER DELETE ON pending BEGIN
    UPDATE meta SET sequence_floor    = max(sequence_floor, OLD.row_id),
                    total_bytes_floor = max(total_bytes_floor, OLD.total_bytes),
                    total_count_floor = max(total_count_floor, OLD.total_count),
                    deleted_bytes     = deleted_bytes + OLD.bytes,
                    deleted_count     = deleted_count + 1
     WHERE id = 1;
END;

CREATE TABLE identity_extra (
    hash       TEXT NOT NULL,
    message_id TEXT NOT NULL,
    PRIMARY KEY (hash, message_id)
) WITHOUT ROWID;
CREATE INDEX identity_extra_by_message ON identity_extra (message_id);

CREATE TABLE dead_letters (
    row_id           INTEGER PRIMARY KEY,
    message_id       TEXT    NOT NULL UNIQUE,
    kind             TEXT    NOT NULL,
    priority         INTEGER NOT NULL,
    payload          TEXT    NOT NULL,
    bytes            INTEGER NOT NULL,
    identity_hash    TEXT,
    created_ms       INTEGER NOT NULL,
    reason           TEXT    NOT NULL,
    last_status      INTEGER NOT NULL,
    attempts         INTEGER NOT NULL,
    first_attempt_ms INTEGER,
    last_attempt_ms  INTEGER
);
CREATE TRIGGER dead_letter_deleted AFTER DELETE ON dead_letters BEGIN
    UPDATE meta SET sequence_floor = max(sequence_floor, OLD.row_id) WHERE id = 1;
END;

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
