// The uploader's side of the outbox: batch reads (read transactions only) and applying the hub's receipts.

#include <algorithm>
#include <cctype>

#include "outbox/outbox_impl.hpp"

namespace touchpoint::outbox {

PendingEvent pendingEventOfRow(sqlite::Statement& row) {
    PendingEvent e;
    e.rowId = row.columnInt64(0);
    e.messageId = row.columnText(1);
    e.kind = event::eventKindFromString(row.columnText(2)).value_or(event::EventKind::Other);
    e.payload = row.columnText(3);
    e.createdMs = row.columnInt64(4);
    e.attempts = static_cast<int>(row.columnInt64(5));
    return e;
}

using sqlite::SqlResult;
using sqlite::Transaction;

namespace {

/// Sign-ins stay in the local cooldown log this long after the hub accepted them.
constexpr std::int64_t kRecentSigninKeepMs = 48LL * 3600 * 1000;

/// A counter name from a free-text rejection reason: the part before the first ':' ("timestamp: not RFC
/// 3339" -> "rejected_timestamp"), so the set of counters stays small.
std::string rejectionCounter(const std::string& reason) {
    std::string key;
    for (char c : reason.substr(0, reason.find(':'))) {
        if (key.size() >= 40) break;
        const auto u = static_cast<unsigned char>(c);
        key.push_back(std::isalnum(u) != 0 ? static_cast<char>(std::tolower(u)) : '_');
    }
    while (!key.empty() && key.back() == '_') key.pop_back();
    return "rejected_" + (key.empty() ? std::string("unspecified") : key);
}

}  // namespace

OutboxResult<std::vector<PendingEvent>> Outbox::readBatch(std::size_t maxBytes, std::size_t maxEvents) {
    std::lock_guard lock(m_impl->mutex);
    // A read transaction: in WAL mode it takes no write lock, so the kiosk's enqueue in another connection
    // never waits for a batch read.
    auto tx = Transaction::begin(m_impl->db, Transaction::Mode::Deferred);
    if (!tx) return Fail(toOutboxError(tx.error()));
    std::vector<PendingEvent> out;
    {
        StatementUse st(*m_impl->readPending);
        st->bind(1, static_cast<std::int64_t>(std::min<std::size_t>(maxEvents, INT64_MAX)));
        std::size_t total = 0;
        for (;;) {
            auto row = st->step();
            if (!row) return Fail(toOutboxError(row.error()));
            if (!*row) break;
            const auto bytes = static_cast<std::size_t>(st->columnInt64(6));
            if (!out.empty() && total + bytes > maxBytes) break;
            total += bytes;
            out.push_back(pendingEventOfRow(*st));
        }
    }
    if (auto r = tx->commit(); !r) return Fail(toOutboxError(r.error()));
    return out;
}

SqlResult<bool> Outbox::Impl::moveToDeadLetters(const std::string& messageId, const std::string& reason, int status) {
    {
        StatementUse mv(*moveDeadLetter);
        mv->bind(1, messageId).bind(2, reason).bind(3, status).bind(4, now());
        if (auto r = mv->run(); !r) return Fail(r.error());
    }
    if (db.changes() == 0) return false;  // not pending (already delivered or purged)
    // The identity rows stay: erasure must still find the dead letter.
    StatementUse del(*deletePendingByMessage);
    del->bind(1, messageId);
    if (auto r = del->run(); !r) return Fail(r.error());
    return true;
}

OutboxResult<void> Outbox::applyReceipts(const std::vector<Receipt>& receipts, int httpStatus) {
    std::lock_guard lock(m_impl->mutex);
    auto& impl = *m_impl;
    auto tx = Transaction::begin(impl.db, Transaction::Mode::Immediate);
    if (!tx) return Fail(toOutboxError(tx.error()));
    for (const Receipt& receipt : receipts) {
        if (receipt.status == Receipt::Status::Rejected) {
            const std::string reason = receipt.reason.empty() ? std::string("rejected") : receipt.reason;
            auto moved = impl.moveToDeadLetters(receipt.messageId, reason, httpStatus);
            if (!moved) return Fail(toOutboxError(moved.error()));
            if (*moved) {
                if (auto r = impl.addCounter(rejectionCounter(reason), 1); !r) return Fail(toOutboxError(r.error()));
            }
            continue;
        }
        std::string kind;
        std::int64_t rowId = 0;
        {
            StatementUse find(*impl.findPending);
            find->bind(1, receipt.messageId);
            auto row = find->step();
            if (!row) return Fail(toOutboxError(row.error()));
            if (!*row) continue;  // a resend of something already deleted: nothing to do
            rowId = find->columnInt64(0);
            kind = find->columnText(1);
        }
        if (kind == event::toString(event::EventKind::Signin)) {
            // Keep the hash (never the identifier) for the local cooldown check once the row is gone. The
            // capture time comes from the pending row, not from now.
            StatementUse st(*impl.rememberSignin);
            st->bind(1, rowId);
            if (auto r = st->run(); !r) return Fail(toOutboxError(r.error()));
        }
        {
            StatementUse del(*impl.deletePendingByRow);
            del->bind(1, rowId);
            if (auto r = del->run(); !r) return Fail(toOutboxError(r.error()));
        }
        {
            StatementUse del(*impl.deleteIdentityByMessage);
            del->bind(1, receipt.messageId);
            if (auto r = del->run(); !r) return Fail(toOutboxError(r.error()));
        }
    }
    {
        auto prune = impl.db.prepare("DELETE FROM recent_signins WHERE captured_ms < ?1");
        if (!prune) return Fail(toOutboxError(prune.error()));
        prune->bind(1, impl.now() - kRecentSigninKeepMs);
        if (auto r = prune->run(); !r) return Fail(toOutboxError(r.error()));
    }
    if (auto r = tx->commit(); !r) return Fail(toOutboxError(r.error()));
    return {};
}

OutboxResult<void> Outbox::deadLetter(const std::vector<std::string>& messageIds, const std::string& reason,
                                      int httpStatus) {
    if (reason.empty()) return Fail(makeError(OutboxErrc::Invalid, "dead letter needs a reason"));
    std::lock_guard lock(m_impl->mutex);
    auto tx = Transaction::begin(m_impl->db, Transaction::Mode::Immediate);
    if (!tx) return Fail(toOutboxError(tx.error()));
    for (const std::string& id : messageIds) {
        auto moved = m_impl->moveToDeadLetters(id, reason, httpStatus);
        if (!moved) return Fail(toOutboxError(moved.error()));
        if (*moved) {
            if (auto r = m_impl->addCounter(rejectionCounter(reason), 1); !r) return Fail(toOutboxError(r.error()));
        }
    }
    if (auto r = tx->commit(); !r) return Fail(toOutboxError(r.error()));
    return {};
}

OutboxResult<void> Outbox::noteAttempt(const std::vector<std::int64_t>& rowIds) {
    std::lock_guard lock(m_impl->mutex);
    auto tx = Transaction::begin(m_impl->db, Transaction::Mode::Immediate);
    if (!tx) return Fail(toOutboxError(tx.error()));
    const std::int64_t now = m_impl->now();
    for (std::int64_t rowId : rowIds) {
        StatementUse st(*m_impl->noteAttempt);
        st->bind(1, rowId).bind(2, now);
        if (auto r = st->run(); !r) return Fail(toOutboxError(r.error()));
    }
    if (auto r = tx->commit(); !r) return Fail(toOutboxError(r.error()));
    return {};
}

}  // namespace touchpoint::outbox
