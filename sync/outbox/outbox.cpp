// Enqueue (the shopper-facing hot path), budget eviction, erasure and the operator views.

#include <algorithm>
#include <utility>

#include "outbox/outbox_impl.hpp"

namespace touchpoint::outbox {

using sqlite::SqlResult;
using sqlite::Transaction;

SqlResult<void> Outbox::Impl::addCounter(std::string_view name, std::int64_t n) {
    StatementUse st(*bumpCounter);
    st->bind(1, name).bind(2, n);
    return st->run();
}

namespace {

struct Victim {
    std::int64_t rowId;
    std::string messageId;
    std::string kind;
};

}  // namespace

SqlResult<Outbox::Impl::WriteState> Outbox::Impl::readWriteState() {
    StatementUse st(*writeState);
    auto row = st->step();
    if (!row) return Fail(row.error());
    if (!*row) return Fail(sqlite::SqliteError{SQLITE_CORRUPT, SQLITE_CORRUPT, "outbox meta row is missing"});
    WriteState s;
    s.lastSequence = st->columnInt64(0);
    s.totalBytes = st->columnInt64(1);
    s.totalCount = st->columnInt64(2);
    s.deletedBytes = st->columnInt64(3);
    s.deletedCount = st->columnInt64(4);
    return s;
}

namespace {

/// BEGIN IMMEDIATE / COMMIT through the cached statements (the hot path skips re-parsing them); rolls back
/// on scope exit unless committed, whichever way the scope ends.
class WriteTransaction {
public:
    WriteTransaction(sqlite::Database& db, sqlite::Statement& begin, sqlite::Statement& commit)
        : m_db(db), m_begin(begin), m_commit(commit) {}
    ~WriteTransaction() {
        if (m_open) (void)m_db.exec("ROLLBACK");  // fails only if SQLite already rolled back itself
    }
    WriteTransaction(const WriteTransaction&) = delete;
    WriteTransaction& operator=(const WriteTransaction&) = delete;
    SqlResult<void> begin() {
        StatementUse st(m_begin);
        auto r = st->run();
        m_open = r.ok();
        return r;
    }
    SqlResult<void> commit() {
        StatementUse st(m_commit);
        auto r = st->run();
        if (r) m_open = false;
        return r;
    }

private:
    sqlite::Database& m_db;
    sqlite::Statement& m_begin;
    sqlite::Statement& m_commit;
    bool m_open = false;
};

}  // namespace

// The caller holds a write (IMMEDIATE) transaction. On the common path this is one SELECT over hot pages,
// one INSERT and (for a message with two or more identities) one more INSERT: enqueue is measured against
// a bare single-row commit, and every extra page written is one more WAL frame before the fsync.
SqlResult<void> Outbox::Impl::enqueueInTransaction(event::Message& message, EnqueueReceipt& receipt,
                                                    std::optional<OutboxError>& refused) {
    auto state = readWriteState();
    if (!state) return Fail(state.error());
    message.context.sequence = state->lastSequence + 1;
    const std::string payload = event::toJson(message).dump();
    NewRow row{message.messageId, event::toString(message.kind), static_cast<int>(message.priority), payload,
               &message.identityHashes, message.timestampMs};
    return insertInTransaction(row, *state, receipt, refused);
}

SqlResult<void> Outbox::Impl::insertInTransaction(const NewRow& row, const WriteState& state, EnqueueReceipt& receipt,
                                                   std::optional<OutboxError>& refused) {
    receipt.sequence = state.lastSequence + 1;
    const std::int64_t pendingBytes = state.pendingBytes();
    const std::string_view payload = row.payload;
    receipt.bytes = payload.size();
    const std::string_view kind = row.kind;

    if (payload.size() > event::kMaxMessageBytes) {
        refused = makeError(OutboxErrc::TooLarge, "message " + std::string(row.messageId) + " is " +
                                                      std::to_string(payload.size()) + " bytes; the limit is " +
                                                      std::to_string(event::kMaxMessageBytes));
        return addCounter("too_large", 1);
    }

    const auto bytes = static_cast<std::int64_t>(payload.size());
    if (pendingBytes + bytes > options.byteBudget) {
        // Evict lowest priority first, then oldest; never a row that matters more than the one arriving, and
        // never a protected one. Decide the whole set before deleting anything, so a refusal loses nothing.
        const int incoming = row.priority;
        const int ceiling = std::min(incoming, static_cast<int>(event::Priority::Feedback));
        std::int64_t needed = pendingBytes + bytes - options.byteBudget;
        std::vector<Victim> victims;
        {
            StatementUse cand(*evictionCandidates);
            cand->bind(1, ceiling);
            while (needed > 0) {
                auto next = cand->step();
                if (!next) return Fail(next.error());
                if (!*next) break;
                victims.push_back(Victim{cand->columnInt64(0), cand->columnText(1), cand->columnText(2)});
                needed -= cand->columnInt64(3);
            }
        }
        if (needed > 0) {
            refused = makeError(OutboxErrc::Full,
                                "outbox is full (" + std::to_string(pendingBytes) + " of " +
                                    std::to_string(options.byteBudget) + " bytes) and holds nothing that may make room for a " +
                                    std::string(kind) + " event");
            return addCounter("refused_full_" + std::string(kind), 1);
        }
        for (const Victim& v : victims) {
            {
                StatementUse del(*deletePendingByRow);
                del->bind(1, v.rowId);
                if (auto r = del->run(); !r) return r;
            }
            {
                StatementUse del(*deleteIdentityByMessage);
                del->bind(1, v.messageId);
                if (auto r = del->run(); !r) return r;
            }
            std::string reason = "evicted_" + v.kind;
            if (auto r = addCounter(reason, 1); !r) return r;
            receipt.evictedReasons.push_back(std::move(reason));
        }
    }

    static const std::vector<std::string> kNone;
    const std::vector<std::string>& hashes = row.identityHashes != nullptr ? *row.identityHashes : kNone;
    {
        StatementUse ins(*insertPending);
        ins->bind(1, receipt.sequence)
            .bind(2, row.messageId)
            .bind(3, kind)
            .bind(4, row.priority)
            .bind(5, payload)
            .bind(6, bytes)
            .bind(7, state.totalBytes + bytes)
            .bind(8, state.totalCount + 1);
        if (hashes.empty()) {
            ins->bindNull(9);
        } else {
            ins->bind(9, hashes.front());
        }
        ins->bind(10, row.createdMs);
        if (auto r = ins->run(); !r) return r;
    }
    receipt.rowId = receipt.sequence;
    for (std::size_t i = 1; i < hashes.size(); ++i) {
        StatementUse ins(*insertIdentity);
        ins->bind(1, hashes[i]).bind(2, row.messageId);
        if (auto r = ins->run(); !r) return r;
    }
    return {};
}

OutboxResult<EnqueueReceipt> Outbox::enqueue(event::Message& message) {
    if (message.messageId.empty()) return Fail(makeError(OutboxErrc::Invalid, "message has no messageId"));
    std::lock_guard lock(m_impl->mutex);
    WriteTransaction tx(m_impl->db, *m_impl->beginWrite, *m_impl->commitWrite);
    if (auto r = tx.begin(); !r) return Fail(toOutboxError(r.error()));
    EnqueueReceipt receipt;
    std::optional<OutboxError> refused;
    if (auto r = m_impl->enqueueInTransaction(message, receipt, refused); !r) {
        OutboxError e = toOutboxError(r.error());
        if (e.code == OutboxErrc::Invalid) e.message = "duplicate messageId " + message.messageId + ": " + e.message;
        return Fail(e);
    }
    // A refusal still commits: the refusal counter is the record that something was turned away.
    if (auto r = tx.commit(); !r) return Fail(toOutboxError(r.error()));
    if (refused) return Fail(*refused);
    return receipt;
}

OutboxResult<std::vector<EnqueueReceipt>> Outbox::enqueueBatch(std::vector<event::Message>& messages) {
    std::lock_guard lock(m_impl->mutex);
    WriteTransaction tx(m_impl->db, *m_impl->beginWrite, *m_impl->commitWrite);
    if (auto r = tx.begin(); !r) return Fail(toOutboxError(r.error()));
    std::vector<EnqueueReceipt> receipts;
    receipts.reserve(messages.size());
    for (event::Message& message : messages) {
        if (message.messageId.empty()) return Fail(makeError(OutboxErrc::Invalid, "message has no messageId"));
        EnqueueReceipt receipt;
        std::optional<OutboxError> refused;
        if (auto r = m_impl->enqueueInTransaction(message, receipt, refused); !r) return Fail(toOutboxError(r.error()));
        if (refused) return Fail(*refused);  // the transaction rolls back: all or nothing
        receipts.push_back(std::move(receipt));
    }
    if (auto r = tx.commit(); !r) return Fail(toOutboxError(r.error()));
    return receipts;
}

OutboxResult<ImportCounts> Outbox::importSalvaged(const std::vector<SalvagedRow>& rows) {
    // A few hundred rows per durable commit: an import of a large file neither holds the writer (and the
    // kiosk's taps) for long nor pays one fsync per row.
    constexpr std::size_t kRowsPerCommit = 256;
    ImportCounts counts;
    std::lock_guard lock(m_impl->mutex);
    auto present = m_impl->db.prepare(
        "SELECT 1 FROM pending WHERE message_id = ?1 UNION ALL SELECT 1 FROM dead_letters WHERE message_id = ?1");
    if (!present) return Fail(toOutboxError(present.error()));
    for (std::size_t start = 0; start < rows.size(); start += kRowsPerCommit) {
        WriteTransaction tx(m_impl->db, *m_impl->beginWrite, *m_impl->commitWrite);
        if (auto r = tx.begin(); !r) return Fail(toOutboxError(r.error()));
        ImportCounts chunk;
        for (std::size_t i = start; i < std::min(rows.size(), start + kRowsPerCommit); ++i) {
            const SalvagedRow& row = rows[i];
            {
                StatementUse st(*present);
                st->bind(1, row.messageId);
                auto found = st->step();
                if (!found) return Fail(toOutboxError(found.error()));
                if (*found) {
                    ++chunk.alreadyPresent;
                    continue;
                }
            }
            auto state = m_impl->readWriteState();
            if (!state) return Fail(toOutboxError(state.error()));
            EnqueueReceipt receipt;
            std::optional<OutboxError> refused;
            const Impl::NewRow newRow{row.messageId, row.kind, row.priority, row.payload, &row.identityHashes,
                                      row.createdMs};
            if (auto r = m_impl->insertInTransaction(newRow, *state, receipt, refused); !r) {
                return Fail(toOutboxError(r.error()));
            }
            if (refused) {
                ++chunk.refused;
                chunk.refusals.push_back(row.messageId + ": " + refused->message);
            } else {
                ++chunk.reenqueued;
            }
        }
        if (auto r = tx.commit(); !r) return Fail(toOutboxError(r.error()));
        counts.reenqueued += chunk.reenqueued;
        counts.alreadyPresent += chunk.alreadyPresent;
        counts.refused += chunk.refused;
        counts.refusals.insert(counts.refusals.end(), chunk.refusals.begin(), chunk.refusals.end());
    }
    return counts;
}

OutboxResult<OutboxStats> Outbox::stats() {
    std::lock_guard lock(m_impl->mutex);
    auto& db = m_impl->db;
    // One read transaction, so the numbers agree with each other.
    auto tx = Transaction::begin(db, Transaction::Mode::Deferred);
    if (!tx) return Fail(toOutboxError(tx.error()));
    OutboxStats s;
    s.byteBudget = m_impl->options.byteBudget;
    {
        auto state = m_impl->readWriteState();
        if (!state) return Fail(toOutboxError(state.error()));
        s.pendingCount = state->pendingCount();
        s.pendingBytes = state->pendingBytes();
    }
    {
        auto st = db.prepare("SELECT created_ms FROM pending ORDER BY row_id LIMIT 1");
        if (!st) return Fail(toOutboxError(st.error()));
        auto row = st->step();
        if (!row) return Fail(toOutboxError(row.error()));
        if (*row) s.oldestPendingMs = st->columnInt64(0);
    }
    {
        auto st = db.prepare("SELECT reason, COUNT(*) FROM dead_letters GROUP BY reason");
        if (!st) return Fail(toOutboxError(st.error()));
        for (;;) {
            auto row = st->step();
            if (!row) return Fail(toOutboxError(row.error()));
            if (!*row) break;
            s.deadLettersByReason[st->columnText(0)] = st->columnInt64(1);
            s.deadLetterCount += st->columnInt64(1);
        }
    }
    {
        auto st = db.prepare("SELECT name, value FROM counters ORDER BY name");
        if (!st) return Fail(toOutboxError(st.error()));
        for (;;) {
            auto row = st->step();
            if (!row) return Fail(toOutboxError(row.error()));
            if (!*row) break;
            s.counters[st->columnText(0)] = st->columnInt64(1);
        }
    }
    if (auto r = tx->commit(); !r) return Fail(toOutboxError(r.error()));
    return s;
}

OutboxResult<std::vector<PendingEvent>> Outbox::listPending(std::size_t limit) {
    std::lock_guard lock(m_impl->mutex);
    StatementUse st(*m_impl->readPending);
    st->bind(1, static_cast<std::int64_t>(std::min<std::size_t>(limit, INT64_MAX)));
    std::vector<PendingEvent> out;
    for (;;) {
        auto row = st->step();
        if (!row) return Fail(toOutboxError(row.error()));
        if (!*row) break;
        out.push_back(pendingEventOfRow(*st));
    }
    return out;
}

OutboxResult<std::vector<DeadLetter>> Outbox::listDeadLetters(std::size_t limit) {
    std::lock_guard lock(m_impl->mutex);
    auto st = m_impl->db.prepare(
        "SELECT row_id, message_id, kind, payload, reason, last_status, attempts, first_attempt_ms, last_attempt_ms "
        "FROM dead_letters ORDER BY row_id LIMIT ?1");
    if (!st) return Fail(toOutboxError(st.error()));
    st->bind(1, static_cast<std::int64_t>(std::min<std::size_t>(limit, INT64_MAX)));
    std::vector<DeadLetter> out;
    for (;;) {
        auto row = st->step();
        if (!row) return Fail(toOutboxError(row.error()));
        if (!*row) break;
        DeadLetter d;
        d.id = st->columnInt64(0);
        d.messageId = st->columnText(1);
        d.kind = event::eventKindFromString(st->columnText(2)).value_or(event::EventKind::Other);
        d.payload = st->columnText(3);
        d.reason = st->columnText(4);
        d.lastStatus = static_cast<int>(st->columnInt64(5));
        d.attempts = static_cast<int>(st->columnInt64(6));
        d.firstAttemptMs = st->columnInt64(7);
        d.lastAttemptMs = st->columnInt64(8);
        out.push_back(std::move(d));
    }
    return out;
}

namespace {

/// Runs `sql` with ?1 bound to the id (or NULL for "all") and returns the number of changed rows.
SqlResult<std::int64_t> runForId(sqlite::Database& db, std::string_view sql, std::optional<std::int64_t> id) {
    auto st = db.prepare(sql);
    if (!st) return Fail(st.error());
    if (id) {
        st->bind(1, *id);
    } else {
        st->bindNull(1);
    }
    if (auto r = st->run(); !r) return Fail(r.error());
    return static_cast<std::int64_t>(db.changes());
}

}  // namespace

OutboxResult<std::int64_t> Outbox::replayDeadLetters(std::optional<std::int64_t> id) {
    std::lock_guard lock(m_impl->mutex);
    auto& db = m_impl->db;
    auto tx = Transaction::begin(db, Transaction::Mode::Immediate);
    if (!tx) return Fail(toOutboxError(tx.error()));
    // The row keeps its row_id, i.e. its original place in the upload order.
    auto moved = runForId(db,
                          "INSERT INTO pending (row_id, message_id, kind, priority, payload, bytes, total_bytes, total_count, "
                          "identity_hash, created_ms, attempts, first_attempt_ms, last_attempt_ms) "
                          "SELECT row_id, message_id, kind, priority, payload, bytes, 0, 0, identity_hash, created_ms, "
                          "attempts, first_attempt_ms, last_attempt_ms FROM dead_letters "
                          "WHERE ?1 IS NULL OR row_id = ?1",
                          id);
    if (!moved) return Fail(toOutboxError(moved.error()));
    if (id && *moved == 0) return Fail(makeError(OutboxErrc::NotFound, "no dead letter with id " + std::to_string(*id)));
    // The rows are pending again: take them back out of what deletions removed from the running totals.
    auto adjusted = runForId(db,
                             "UPDATE meta SET deleted_bytes = deleted_bytes - (SELECT ifnull(sum(bytes), 0) FROM "
                             "dead_letters WHERE ?1 IS NULL OR row_id = ?1), deleted_count = deleted_count - (SELECT "
                             "count(*) FROM dead_letters WHERE ?1 IS NULL OR row_id = ?1) WHERE id = 1",
                             id);
    if (!adjusted) return Fail(toOutboxError(adjusted.error()));
    auto removed = runForId(db, "DELETE FROM dead_letters WHERE ?1 IS NULL OR row_id = ?1", id);
    if (!removed) return Fail(toOutboxError(removed.error()));
    if (*moved > 0) {
        if (auto r = m_impl->addCounter("dead_letter_replayed", *moved); !r) return Fail(toOutboxError(r.error()));
    }
    if (auto r = tx->commit(); !r) return Fail(toOutboxError(r.error()));
    return *moved;
}

OutboxResult<std::int64_t> Outbox::dropDeadLetters(std::optional<std::int64_t> id) {
    std::lock_guard lock(m_impl->mutex);
    auto& db = m_impl->db;
    auto tx = Transaction::begin(db, Transaction::Mode::Immediate);
    if (!tx) return Fail(toOutboxError(tx.error()));
    auto hashes = runForId(db,
                           "DELETE FROM identity_extra WHERE message_id IN "
                           "(SELECT message_id FROM dead_letters WHERE ?1 IS NULL OR row_id = ?1)",
                           id);
    if (!hashes) return Fail(toOutboxError(hashes.error()));
    auto dropped = runForId(db, "DELETE FROM dead_letters WHERE ?1 IS NULL OR row_id = ?1", id);
    if (!dropped) return Fail(toOutboxError(dropped.error()));
    if (id && *dropped == 0) return Fail(makeError(OutboxErrc::NotFound, "no dead letter with id " + std::to_string(*id)));
    if (*dropped > 0) {
        if (auto r = m_impl->addCounter("dead_letter_dropped", *dropped); !r) return Fail(toOutboxError(r.error()));
    }
    if (auto r = tx->commit(); !r) return Fail(toOutboxError(r.error()));
    return *dropped;
}

OutboxResult<std::int64_t> Outbox::purgeIdentity(const std::string& identityHash) {
    if (identityHash.empty()) return Fail(makeError(OutboxErrc::Invalid, "empty identity hash"));
    std::lock_guard lock(m_impl->mutex);
    auto& db = m_impl->db;
    auto tx = Transaction::begin(db, Transaction::Mode::Immediate);
    if (!tx) return Fail(toOutboxError(tx.error()));
    std::int64_t purged = 0;
    // Order matters: the identity rows are the index into the events, so they go last.
    struct Step {
        std::string_view sql;
        bool countsEvents;
    };
    const Step steps[] = {
        {"DELETE FROM pending WHERE identity_hash = ?1 OR message_id IN "
         "(SELECT message_id FROM identity_extra WHERE hash = ?1)",
         true},
        {"DELETE FROM dead_letters WHERE identity_hash = ?1 OR message_id IN "
         "(SELECT message_id FROM identity_extra WHERE hash = ?1)",
         true},
        {"DELETE FROM recent_signins WHERE hash = ?1", false},
        // identity_extra is tiny (messages with two or more identities): sweep what no longer has an event.
        {"DELETE FROM identity_extra WHERE hash = ?1 OR ("
         "NOT EXISTS (SELECT 1 FROM pending p WHERE p.message_id = identity_extra.message_id) AND "
         "NOT EXISTS (SELECT 1 FROM dead_letters d WHERE d.message_id = identity_extra.message_id))",
         false},
    };
    for (const Step& step : steps) {
        auto st = db.prepare(step.sql);
        if (!st) return Fail(toOutboxError(st.error()));
        st->bind(1, identityHash);
        if (auto r = st->run(); !r) return Fail(toOutboxError(r.error()));
        if (step.countsEvents) purged += db.changes();
    }
    if (purged > 0) {
        if (auto r = m_impl->addCounter("purged", purged); !r) return Fail(toOutboxError(r.error()));
    }
    if (auto r = tx->commit(); !r) return Fail(toOutboxError(r.error()));
    return purged;
}

OutboxResult<bool> Outbox::signedInSince(const std::string& identityHash, std::int64_t sinceMs) {
    std::lock_guard lock(m_impl->mutex);
    auto st = m_impl->db.prepare(
        "SELECT EXISTS (SELECT 1 FROM pending WHERE identity_hash = ?1 AND kind = 'signin' AND created_ms >= ?2) "
        "    OR EXISTS (SELECT 1 FROM identity_extra h JOIN pending p ON p.message_id = h.message_id "
        "               WHERE h.hash = ?1 AND p.kind = 'signin' AND p.created_ms >= ?2) "
        "    OR EXISTS (SELECT 1 FROM recent_signins WHERE hash = ?1 AND captured_ms >= ?2)");
    if (!st) return Fail(toOutboxError(st.error()));
    st->bind(1, identityHash).bind(2, sinceMs);
    auto row = st->step();
    if (!row) return Fail(toOutboxError(row.error()));
    return *row && st->columnInt64(0) != 0;
}

}  // namespace touchpoint::outbox
