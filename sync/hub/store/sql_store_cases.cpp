// CaseStore in SQL, the same for SQLite and PostgreSQL: cases, their notes and audit, alerts, contact
// retention and the notification queue. Writes go through the store's WriteStrategy like every other write.

#include "hub/store/sql_store_cases.hpp"

#include <nlohmann/json.hpp>

#include "hub/store/sealed_fields.hpp"

namespace touchpoint::hub {

namespace {

using nlohmann::json;

std::optional<std::int64_t> optInt(const SqlRows& r, std::size_t row, std::size_t col) {
    if (r.isNull(row, col)) return std::nullopt;
    return r.integer(row, col);
}

constexpr const char* kCaseColumns =
    "c.id, c.rule, c.kind, c.feedback_message_id, c.store_id, c.kiosk_id, c.status, c.outcome, c.assignee, "
    "c.nps, "
    "c.csat, c.opened_at, c.due_at, c.updated_at, c.first_action_at, c.resolved_at, "
    "(SELECT COUNT(*) FROM feedback_contacts fc WHERE fc.feedback_message_id = c.feedback_message_id AND "
    "fc.store_id = c.store_id AND fc.value IS NOT NULL)";

/// A case row of kCaseColumns, its outcome opened (sealed at rest: staff may type what the shopper told them).
StoreResult<CaseSummary> caseRow(const privacy::FieldCipher& cipher, const SqlRows& r, std::size_t i) {
    auto outcome = revealField(cipher, privacy::columns::kCaseOutcome, r.text(i, 7));
    if (!outcome) return Fail(outcome.error());
    CaseSummary s;
    s.id = r.text(i, 0);
    s.rule = r.text(i, 1);
    s.kind = r.text(i, 2);
    s.feedbackMessageId = r.text(i, 3);
    s.storeId = r.text(i, 4);
    s.kioskId = r.text(i, 5);
    s.status = r.text(i, 6);
    s.outcome = std::move(outcome).value();
    s.assignee = r.text(i, 8);
    s.nps = optInt(r, i, 9);
    s.csat = optInt(r, i, 10);
    s.openedAtMs = r.integer(i, 11);
    s.dueAtMs = r.integer(i, 12);
    s.updatedAtMs = r.integer(i, 13);
    s.firstActionAtMs = optInt(r, i, 14);
    s.resolvedAtMs = optInt(r, i, 15);
    s.hasContact = r.integer(i, 16) > 0;
    return s;
}

StoreResult<void> auditRow(SqlConnection& c, const std::string& id, std::int64_t at, const std::string& token,
                           const std::string& action, const std::string& detail) {
    return c.defer("INSERT INTO case_audit(case_id, at, token_name, action, detail) VALUES(?,?,?,?,?)",
                   {id, at, token, action, detail});
}

}  // namespace

template <class T, class F>
StoreResult<T> SqlCaseStore::write(F&& work) {
    std::optional<T> out;
    auto r = m_writes.write([&](SqlConnection& c) -> StoreResult<void> {
        auto v = work(c);
        if (!v) return Fail(v.error());
        out = std::move(v).value();
        return {};
    });
    if (!r) return Fail(r.error());
    return std::move(*out);
}

StoreResult<std::vector<CaseSummary>> SqlCaseStore::listCases(const CaseFilter& f) {
    std::string sql = std::string("SELECT ") + kCaseColumns + " FROM cases c WHERE 1 = 1";
    std::vector<SqlValue> params;
    if (!f.store.empty()) {
        sql += " AND c.store_id = ?";
        params.emplace_back(f.store);
    }
    if (!f.status.empty()) {
        sql += " AND c.status = ?";
        params.emplace_back(f.status);
    }
    if (f.overdueOnly) {
        sql += " AND c.status <> 'resolved' AND c.due_at < ?";
        params.emplace_back(f.nowMs);
    }
    sql += " ORDER BY c.opened_at DESC, c.id DESC LIMIT ?";
    params.emplace_back(static_cast<std::int64_t>(f.limit));
    auto lease = m_pool.acquire();
    auto rows = lease->query(sql, params);
    if (!rows) return Fail(rows.error());
    std::vector<CaseSummary> out;
    for (std::size_t i = 0; i < rows->size(); ++i) {
        auto row = caseRow(m_cipher, *rows, i);
        if (!row) return Fail(row.error());
        out.push_back(std::move(row).value());
    }
    return out;
}

StoreResult<std::optional<CaseDetail>> SqlCaseStore::viewCase(const std::string& id,
                                                              const std::string& viewer,
                                                              const std::string& detail, std::int64_t nowMs) {
    return write<std::optional<CaseDetail>>([&](SqlConnection& c) -> StoreResult<std::optional<CaseDetail>> {
        auto rows = c.query(std::string("SELECT ") + kCaseColumns + " FROM cases c WHERE c.id = ?", {id});
        if (!rows) return Fail(rows.error());
        if (rows->empty()) return std::optional<CaseDetail>{};
        auto summary = caseRow(m_cipher, *rows, 0);
        if (!summary) return Fail(summary.error());
        CaseDetail d;
        d.summary = std::move(summary).value();
        auto fb = c.query(
            "SELECT f.at, f.survey_id, f.reasons, f.comment, f.profile_id, p.points, p.is_member, p.stage "
            "FROM feedback f LEFT JOIN profiles p ON p.id = f.profile_id WHERE f.message_id = ? "
            "ORDER BY f.seq LIMIT 1",
            {d.summary.feedbackMessageId});
        if (!fb) return Fail(fb.error());
        if (!fb->empty()) {
            d.answeredAtMs = fb->integer(0, 0);
            d.surveyId = fb->text(0, 1);
            const json reasons = json::parse(fb->text(0, 2), nullptr, false);
            if (reasons.is_array()) {
                for (const auto& r : reasons) {
                    if (r.is_string()) d.reasons.push_back(r.get<std::string>());
                }
            }
            auto comment = revealCell(m_cipher, privacy::columns::kFeedbackComment, *fb, 0, 3);
            if (!comment) return Fail(comment.error());
            d.comment = std::move(comment).value();
            if (!fb->isNull(0, 4)) d.profileId = fb->text(0, 4);
            if (!fb->isNull(0, 5)) {
                d.points = fb->integer(0, 5);
                d.isMember = fb->integer(0, 6) != 0;
                d.stage = fb->text(0, 7);
            }
        }
        // Only a kiosk of the case's own store speaks for its shopper.
        auto contact = c.query(
            "SELECT kind, value, received_at, erased_at, erased_reason FROM feedback_contacts "
            "WHERE feedback_message_id = ? AND store_id = ?",
            {d.summary.feedbackMessageId, d.summary.storeId});
        if (!contact) return Fail(contact.error());
        if (!contact->empty()) {
            CaseContact k;
            k.kind = contact->text(0, 0);
            auto value = revealCell(m_cipher, privacy::columns::kContactValue, *contact, 0, 1);
            if (!value) return Fail(value.error());
            k.value = std::move(value).value();
            k.receivedAtMs = contact->integer(0, 2);
            k.erasedAtMs = optInt(*contact, 0, 3);
            k.erasedReason = contact->text(0, 4);
            d.contact = std::move(k);
        }
        auto notes =
            c.query("SELECT at, token_name, text FROM case_notes WHERE case_id = ? ORDER BY seq", {id});
        if (!notes) return Fail(notes.error());
        for (std::size_t i = 0; i < notes->size(); ++i) {
            auto text = revealField(m_cipher, privacy::columns::kCaseNoteText, notes->text(i, 2));
            if (!text) return Fail(text.error());
            d.notes.push_back({notes->integer(i, 0), notes->text(i, 1), std::move(text).value()});
        }
        if (auto a = auditRow(c, id, nowMs, viewer, "viewed", detail); !a) return Fail(a.error());
        auto audit = c.query(
            "SELECT at, token_name, action, detail FROM case_audit WHERE case_id = ? ORDER BY seq", {id});
        if (!audit) return Fail(audit.error());
        for (std::size_t i = 0; i < audit->size(); ++i) {
            d.audit.push_back(
                {audit->integer(i, 0), audit->text(i, 1), audit->text(i, 2), audit->text(i, 3)});
        }
        return std::optional<CaseDetail>(std::move(d));
    });
}

StoreResult<CaseChange> SqlCaseStore::addNote(const std::string& id, const std::string& tokenName,
                                              const std::string& text, std::int64_t nowMs) {
    return write<CaseChange>([&](SqlConnection& c) -> StoreResult<CaseChange> {
        auto n = c.exec(
            "UPDATE cases SET updated_at = ?, first_action_at = COALESCE(first_action_at, ?) WHERE id = ?",
            {nowMs, nowMs, id});
        if (!n) return Fail(n.error());
        if (*n == 0) return CaseChange::NotFound;
        auto ins = c.defer("INSERT INTO case_notes(case_id, at, token_name, text) VALUES(?,?,?,?)",
                           {id, nowMs, tokenName, m_cipher.seal(privacy::columns::kCaseNoteText, text)});
        if (!ins) return Fail(ins.error());
        if (auto a = auditRow(c, id, nowMs, tokenName, "note", std::to_string(text.size()) + " bytes"); !a) {
            return Fail(a.error());
        }
        return CaseChange::Done;
    });
}

StoreResult<CaseChange> SqlCaseStore::changeStatus(const std::string& id, const std::string& tokenName,
                                                   const StatusChange& change, std::int64_t nowMs) {
    return write<CaseChange>([&](SqlConnection& c) -> StoreResult<CaseChange> {
        auto rows = c.query(std::string("SELECT status, feedback_message_id, outcome FROM cases WHERE id = ?") +
                                std::string(c.forUpdate()),
                            {id});
        if (!rows) return Fail(rows.error());
        if (rows->empty()) return CaseChange::NotFound;
        const std::string from = rows->text(0, 0);
        const std::string feedbackId = rows->text(0, 1);
        const std::string before = rows->text(0, 2);
        const std::string& to = change.status;
        const bool step = (from == kCaseOpen && (to == kCaseInProgress || to == kCaseResolved)) ||
                          (from == kCaseInProgress && to == kCaseResolved);
        const bool reassign = from == to && from != kCaseResolved && !change.assignee.empty();
        if (!step && !reassign) return CaseChange::Refused;
        const std::string outcome = sealUnlessEmpty(m_cipher, privacy::columns::kCaseOutcome, change.outcome);
        auto u = c.exec(
            "UPDATE cases SET status = ?, outcome = CASE WHEN ? <> '' THEN ? ELSE outcome END, "
            "assignee = CASE WHEN ? <> '' THEN ? ELSE assignee END, updated_at = ?, "
            "first_action_at = COALESCE(first_action_at, ?), "
            "resolved_at = CASE WHEN ? = 'resolved' THEN ? ELSE resolved_at END WHERE id = ?",
            {to, outcome, outcome, change.assignee, change.assignee, nowMs, nowMs, to, nowMs, id});
        if (!u) return Fail(u.error());
        // The audit says that the outcome was set or changed, never its text (personal text like a note's; the
        // case shows it to those who may see it). An old outcome that no longer opens counts as different.
        std::string detail = from + " -> " + to;
        if (!change.assignee.empty()) detail += ", assignee " + change.assignee;
        if (!change.outcome.empty()) {
            if (before.empty()) {
                detail += ", outcome set";
            } else if (auto old = m_cipher.reveal(privacy::columns::kCaseOutcome, before);
                       !old || *old != change.outcome) {
                detail += ", outcome changed";
            }
        }
        if (auto a = auditRow(c, id, nowMs, tokenName, "status", detail); !a) return Fail(a.error());
        if (to == kCaseResolved) {
            // Closing the loop ends the reason to hold the shopper's contact.
            auto e = c.exec(
                "UPDATE feedback_contacts SET value = NULL, erased_at = ?, erased_reason = 'resolved' "
                "WHERE feedback_message_id = ? AND value IS NOT NULL",
                {nowMs, feedbackId});
            if (!e) return Fail(e.error());
            if (*e > 0) {
                if (auto a = auditRow(c, id, nowMs, tokenName, "contact_erased", "resolved"); !a)
                    return Fail(a.error());
            }
        }
        return CaseChange::Done;
    });
}

StoreResult<std::vector<CaseTimings>> SqlCaseStore::caseTimings(std::int64_t fromMs, std::int64_t toMs,
                                                                const std::string& store) {
    // The answer's profile is the one its first stored row names; the next visit is that profile's first NPS
    // answer (any store) after the case was resolved.
    std::string sql =
        "SELECT c.status, c.opened_at, c.due_at, c.first_action_at, c.resolved_at, "
        "(SELECT n.nps FROM feedback n WHERE c.resolved_at IS NOT NULL AND n.nps IS NOT NULL AND "
        "n.at > c.resolved_at AND n.profile_id = (SELECT f.profile_id FROM feedback f WHERE f.message_id = "
        "c.feedback_message_id ORDER BY f.seq LIMIT 1) ORDER BY n.at, n.seq LIMIT 1) "
        "FROM cases c WHERE c.opened_at >= ? AND c.opened_at < ?";
    std::vector<SqlValue> params{fromMs, toMs};
    if (!store.empty()) {
        sql += " AND c.store_id = ?";
        params.emplace_back(store);
    }
    auto lease = m_pool.acquire();
    auto rows = lease->query(sql, params);
    if (!rows) return Fail(rows.error());
    std::vector<CaseTimings> out;
    out.reserve(rows->size());
    for (std::size_t i = 0; i < rows->size(); ++i) {
        CaseTimings t;
        t.status = rows->text(i, 0);
        t.openedAtMs = rows->integer(i, 1);
        t.dueAtMs = rows->integer(i, 2);
        t.firstActionAtMs = optInt(*rows, i, 3);
        t.resolvedAtMs = optInt(*rows, i, 4);
        t.nextVisitNps = optInt(*rows, i, 5);
        out.push_back(std::move(t));
    }
    return out;
}

StoreResult<std::vector<AlertView>> SqlCaseStore::listAlerts(const std::string& store, std::int64_t sinceMs,
                                                             std::size_t limit) {
    std::string sql =
        "SELECT id, rule, kind, store_id, detail, window_start, window_end, fired_at, responses, unhappy, "
        "matching, top_reasons FROM alerts WHERE fired_at >= ?";
    std::vector<SqlValue> params{sinceMs};
    if (!store.empty()) {
        sql += " AND store_id = ?";
        params.emplace_back(store);
    }
    sql += " ORDER BY fired_at DESC, id DESC LIMIT ?";
    params.emplace_back(static_cast<std::int64_t>(limit));
    auto lease = m_pool.acquire();
    auto rows = lease->query(sql, params);
    if (!rows) return Fail(rows.error());
    std::vector<AlertView> out;
    for (std::size_t i = 0; i < rows->size(); ++i) {
        AlertView a;
        a.id = rows->text(i, 0);
        a.rule = rows->text(i, 1);
        a.kind = rows->text(i, 2);
        a.storeId = rows->text(i, 3);
        a.detail = rows->text(i, 4);
        a.windowStartMs = rows->integer(i, 5);
        a.windowEndMs = rows->integer(i, 6);
        a.firedAtMs = rows->integer(i, 7);
        a.responses = rows->integer(i, 8);
        a.unhappy = rows->integer(i, 9);
        a.matching = rows->integer(i, 10);
        a.topReasonsJson = rows->text(i, 11);
        out.push_back(std::move(a));
    }
    return out;
}

StoreResult<std::int64_t> SqlCaseStore::eraseExpiredContacts(std::int64_t nowMs, std::int64_t retentionMs) {
    return write<std::int64_t>([&](SqlConnection& c) -> StoreResult<std::int64_t> {
        return c.exec(
            "UPDATE feedback_contacts SET value = NULL, erased_at = ?, erased_reason = 'retention' "
            "WHERE value IS NOT NULL AND received_at <= ?",
            {nowMs, nowMs - retentionMs});
    });
}

StoreResult<std::vector<QueuedNotification>> SqlCaseStore::claimNotifications(std::int64_t nowMs,
                                                                              std::int64_t leaseMs,
                                                                              const std::string& claim,
                                                                              std::size_t limit) {
    // Most polls find nothing due: a read answers them without taking the write lock.
    {
        auto lease = m_pool.acquire();
        auto any = lease->query(
            "SELECT 1 FROM notifications WHERE (state = 'pending' AND next_attempt_at <= ?) OR "
            "(state = 'delivering' AND lease_until <= ?) LIMIT 1",
            {nowMs, nowMs});
        if (!any) return Fail(any.error());
        if (any->empty()) return std::vector<QueuedNotification>{};
    }
    return write<std::vector<QueuedNotification>>([&](SqlConnection& c)
                                                      -> StoreResult<std::vector<QueuedNotification>> {
        constexpr const char* kDue =
            "((state = 'pending' AND next_attempt_at <= ?) OR (state = 'delivering' AND lease_until <= ?))";
        auto due = c.query(std::string("SELECT seq FROM notifications WHERE ") + kDue +
                               " ORDER BY next_attempt_at, seq LIMIT ?",
                           {nowMs, nowMs, static_cast<std::int64_t>(limit)});
        if (!due) return Fail(due.error());
        std::vector<QueuedNotification> out;
        for (std::size_t i = 0; i < due->size(); ++i) {
            const std::int64_t seq = due->integer(i, 0);
            // The condition is checked again on the row itself: of two hubs that saw it due, one changes it.
            auto n = c.exec(
                std::string("UPDATE notifications SET state = 'delivering', lease_until = ?, claim = ?, "
                            "attempts = attempts + 1 WHERE seq = ? AND ") +
                    kDue,
                {nowMs + leaseMs, claim, seq, nowMs, nowMs});
            if (!n) return Fail(n.error());
            if (*n == 0) continue;
            auto row = c.query(
                "SELECT target, subject, ref_id, store_id, payload, attempts FROM notifications "
                "WHERE seq = ?",
                {seq});
            if (!row) return Fail(row.error());
            if (row->empty()) continue;
            out.push_back({seq, row->text(0, 0), row->text(0, 1), row->text(0, 2), row->text(0, 3),
                           row->text(0, 4), row->integer(0, 5)});
        }
        return out;
    });
}

StoreResult<bool> SqlCaseStore::finishNotification(std::int64_t seq, const std::string& claim,
                                                   const DeliveryOutcome& o, std::int64_t nowMs) {
    return write<bool>([&](SqlConnection& c) -> StoreResult<bool> {
        StoreResult<std::int64_t> n = std::int64_t{0};
        if (o.delivered) {
            n = c.exec(
                "UPDATE notifications SET state = 'delivered', delivered_at = ?, lease_until = NULL, "
                "last_error = '' WHERE seq = ? AND claim = ? AND state = 'delivering'",
                {nowMs, seq, claim});
        } else {
            n = c.exec(
                "UPDATE notifications SET state = ?, next_attempt_at = ?, lease_until = NULL, last_error = "
                "?, "
                "attempts = attempts - ? WHERE seq = ? AND claim = ? AND state = 'delivering'",
                {std::string(o.dead ? "dead" : "pending"), o.nextAttemptAtMs, o.error.substr(0, 500),
                 std::int64_t{o.handedBack ? 1 : 0}, seq, claim});
        }
        if (!n) return Fail(n.error());
        return *n > 0;
    });
}

StoreResult<std::int64_t> SqlCaseStore::replayDeadNotifications(std::int64_t nowMs) {
    return write<std::int64_t>([&](SqlConnection& c) -> StoreResult<std::int64_t> {
        return c.exec(
            "UPDATE notifications SET state = 'pending', attempts = 0, next_attempt_at = ? WHERE state = "
            "'dead'",
            {nowMs});
    });
}

StoreResult<std::map<std::string, std::int64_t>> SqlCaseStore::notificationStates() {
    auto lease = m_pool.acquire();
    auto rows = lease->query("SELECT state, COUNT(*) FROM notifications GROUP BY state");
    if (!rows) return Fail(rows.error());
    std::map<std::string, std::int64_t> out{{"pending", 0}, {"delivering", 0}, {"delivered", 0}, {"dead", 0}};
    for (std::size_t i = 0; i < rows->size(); ++i) out[rows->text(i, 0)] = rows->integer(i, 1);
    return out;
}

}  // namespace touchpoint::hub
