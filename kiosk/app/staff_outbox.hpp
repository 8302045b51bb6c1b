#pragma once
// The real outbox behind staff mode's ports (kiosk/core/staff/staff_ports.hpp): its dead letters, the
// outbox as the audit trail's sink, and the recovery of damaged files set aside at start, next to the shopper
// side's OutboxEventStore (outbox_store.hpp).

#include "outbox/outbox.hpp"
#include "outbox/salvage.hpp"
#include "staff/staff_ports.hpp"

namespace touchpoint::kiosk::app {

class OutboxDeadLetters final : public staff::DeadLetterStore {
public:
    explicit OutboxDeadLetters(outbox::Outbox& outbox) : m_outbox(outbox) {}

    Result<std::vector<staff::DeadLetterRow>, std::string> list(std::size_t limit) override {
        auto letters = m_outbox.listDeadLetters(limit);
        if (!letters) return Fail(letters.error().message);
        std::vector<staff::DeadLetterRow> rows;
        rows.reserve(letters->size());
        for (const auto& d : *letters) {
            rows.push_back({d.id, std::string(event::toString(d.kind)), d.reason, d.lastStatus, d.attempts,
                            d.lastAttemptMs});
        }
        return rows;
    }
    Result<std::int64_t, std::string> replay(std::optional<std::int64_t> id) override {
        auto n = m_outbox.replayDeadLetters(id);
        if (!n) return Fail(n.error().message);
        return *n;
    }
    Result<std::int64_t, std::string> drop(std::optional<std::int64_t> id) override {
        auto n = m_outbox.dropDeadLetters(id);
        if (!n) return Fail(n.error().message);
        return *n;
    }

private:
    outbox::Outbox& m_outbox;
};

class OutboxAuditSink final : public staff::AuditSink {
public:
    explicit OutboxAuditSink(outbox::Outbox& outbox) : m_outbox(outbox) {}
    Result<void, std::string> record(event::Message& message) override {
        auto receipt = m_outbox.enqueue(message);
        if (!receipt) return Fail(receipt.error().message);
        return {};
    }

private:
    outbox::Outbox& m_outbox;
};

/// `touchpointctl recover` for every set-aside file, from staff mode. It runs on the staff worker with its own
/// connection to the live outbox (SQLite serialises it with the app's and the uploader's writers).
class OutboxSetAsideRecovery final : public staff::OutboxRecovery {
public:
    explicit OutboxSetAsideRecovery(outbox::OutboxOptions live) : m_live(std::move(live)) {}

    std::int64_t pendingFiles() override {
        return static_cast<std::int64_t>(outbox::pendingRecovery(m_live.path).size());
    }

    Result<staff::RecoveryOutcome, std::string> recoverAll() override {
        auto live = outbox::Outbox::open(m_live);
        if (!live) return Fail("live outbox: " + live.error().message);
        staff::RecoveryOutcome total;
        for (const auto& file : outbox::pendingRecovery(m_live.path)) {
            auto report = outbox::recoverInto(**live, file);
            if (!report) return Fail(report.error());
            total.files += 1;
            total.reenqueued += report->reenqueued;
            total.alreadyPresent += report->alreadyPresent;
            total.unreadable += report->unreadable;
            total.refused += report->refused;
        }
        return total;
    }

private:
    outbox::OutboxOptions m_live;
};

}  // namespace touchpoint::kiosk::app
