#pragma once
// Private to the outbox library: the state behind Outbox's pimpl, shared by its .cpp files.

#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "common/sqlite.hpp"
#include "outbox/outbox.hpp"

namespace touchpoint::outbox {

/// Turns a SQLite failure into the outbox's typed error (SQLITE_FULL -> DiskFull, and so on).
OutboxError toOutboxError(const sqlite::SqliteError& e);
OutboxError makeError(OutboxErrc code, std::string message);

/// Resets a cached statement when the scope ends, whichever way it ends, so a half-stepped SELECT never
/// keeps a read snapshot (or the write lock) open.
class StatementUse {
public:
    explicit StatementUse(sqlite::Statement& s) : m_s(s) {}
    ~StatementUse() { m_s.reset(); }
    StatementUse(const StatementUse&) = delete;
    StatementUse& operator=(const StatementUse&) = delete;
    sqlite::Statement* operator->() { return &m_s; }
    sqlite::Statement& operator*() { return m_s; }

private:
    sqlite::Statement& m_s;
};

/// The pending event of a `readPending` row (id, message_id, kind, payload, created_at, attempts, ...).
PendingEvent pendingEventOfRow(sqlite::Statement& row);

struct Outbox::Impl {
    Impl(sqlite::Database database, OutboxOptions opts) : db(std::move(database)), options(std::move(opts)) {}

    sqlite::SqlResult<void> prepareStatements();
    std::int64_t now() const { return options.clock->utcMs(); }
    sqlite::SqlResult<void> addCounter(std::string_view name, std::int64_t n);
    /// Moves pending rows matching `message_id` to dead_letters; the caller holds the write transaction.
    sqlite::SqlResult<bool> moveToDeadLetters(const std::string& messageId, const std::string& reason, int status);
    /// Next sequence and the pending totals, read inside the caller's transaction.
    struct WriteState {
        std::int64_t lastSequence = 0;
        std::int64_t totalBytes = 0;   ///< bytes ever enqueued
        std::int64_t totalCount = 0;   ///< rows ever enqueued
        std::int64_t deletedBytes = 0;
        std::int64_t deletedCount = 0;
        std::int64_t pendingBytes() const { return totalBytes - deletedBytes; }
        std::int64_t pendingCount() const { return totalCount - deletedCount; }
    };
    sqlite::SqlResult<WriteState> readWriteState();
    sqlite::SqlResult<void> enqueueInTransaction(event::Message& message, EnqueueReceipt& receipt,
                                                 std::optional<OutboxError>& refused);
    /// What one pending row holds, whichever way it arrives (a fresh message or a salvaged row).
    struct NewRow {
        std::string_view messageId;
        std::string_view kind;
        int priority = 0;
        std::string_view payload;
        const std::vector<std::string>* identityHashes = nullptr;
        std::int64_t createdMs = 0;
    };
    /// Budget check and eviction, then the insert as sequence `state.lastSequence + 1`.
    sqlite::SqlResult<void> insertInTransaction(const NewRow& row, const WriteState& state, EnqueueReceipt& receipt,
                                                std::optional<OutboxError>& refused);

    std::mutex mutex;  // serialises use of the one connection and its cached statements
    sqlite::Database db;
    OutboxOptions options;

    // Cached statements for the hot paths (enqueue, batch read, receipts).
    std::optional<sqlite::Statement> beginWrite;
    std::optional<sqlite::Statement> commitWrite;
    std::optional<sqlite::Statement> writeState;
    std::optional<sqlite::Statement> insertPending;
    std::optional<sqlite::Statement> insertIdentity;
    std::optional<sqlite::Statement> evictionCandidates;
    std::optional<sqlite::Statement> deletePendingByRow;
    std::optional<sqlite::Statement> deleteIdentityByMessage;
    std::optional<sqlite::Statement> bumpCounter;
    std::optional<sqlite::Statement> readPending;
    std::optional<sqlite::Statement> findPending;
    std::optional<sqlite::Statement> deletePendingByMessage;
    std::optional<sqlite::Statement> rememberSignin;
    std::optional<sqlite::Statement> moveDeadLetter;
    std::optional<sqlite::Statement> noteAttempt;
};

}  // namespace touchpoint::outbox
