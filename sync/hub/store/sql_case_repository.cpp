#include "hub/store/sql_case_repository.hpp"

#include <algorithm>
#include <limits>

#include <nlohmann/json.hpp>

#include "hub/cases/feedback_rules.hpp"
#include "hub/store/sealed_fields.hpp"

namespace touchpoint::hub {

namespace {

using nlohmann::json;

SqlValue opt(const std::optional<std::int64_t>& v) {
    return v ? SqlValue{*v} : SqlValue{};
}

/// The stored reasons, a JSON array of strings as the store wrote it (["queue","staff"]). Read by hand: a
/// busy store's window is read for every batch. Anything unusual (an escape) goes through the JSON parser.
void readReasons(const std::string& text, std::vector<std::string>& out) {
    if (text.size() >= 2 && text.front() == '[' && text.back() == ']' &&
        text.find('\\') == std::string::npos) {
        std::size_t i = 1;
        const std::size_t end = text.size() - 1;
        bool ok = true;
        while (i < end) {
            if (text[i] != '"') {
                ok = false;
                break;
            }
            const auto close = text.find('"', i + 1);
            if (close == std::string::npos || close >= end) {
                ok = false;
                break;
            }
            out.emplace_back(text, i + 1, close - i - 1);
            i = close + 1;
            if (i < end && text[i] == ',') ++i;
        }
        if (ok) return;
        out.clear();
    }
    const json reasons = json::parse(text, nullptr, false);
    if (!reasons.is_array()) return;
    for (const auto& r : reasons) {
        if (r.is_string()) out.push_back(r.get<std::string>());
    }
}

}  // namespace

StoreResult<std::span<const FeedbackAnswer>> SqlCaseRepository::answers(const std::string& store,
                                                                        std::int64_t fromMs, std::int64_t toMs) {
    if (m_windows) {
        if (auto cached = m_windows->window(store, fromMs, toMs)) {
            ++m_fromMemory;
            return *cached;
        }
    }
    ++m_fromDatabase;
    // A store this transaction stamped is read to the end, so the read can become its cached window (a read
    // too long for the cache is read again, bounded).
    const bool toEnd = m_windows && m_windows->stamped(store);
    auto rows = readAnswers(store, fromMs, toEnd ? std::numeric_limits<std::int64_t>::max() : toMs,
                            toEnd ? AnswerWindows::kMaxAnswersPerStore + 1 : 0);
    if (!rows) return Fail(rows.error());
    if (toEnd) {
        if (rows->size() <= AnswerWindows::kMaxAnswersPerStore) {
            m_windows->install(store, fromMs, std::move(rows).value());
            if (auto cached = m_windows->window(store, fromMs, toMs)) return *cached;
        }
        rows = readAnswers(store, fromMs, toMs, 0);
        if (!rows) return Fail(rows.error());
    }
    m_read = std::move(rows).value();
    return std::span<const FeedbackAnswer>(m_read);
}

StoreResult<std::vector<FeedbackAnswer>> SqlCaseRepository::readAnswers(const std::string& store, std::int64_t fromMs,
                                                                        std::int64_t toMs, std::size_t limit) {
    // The index on (store_id, at) gives the rows in time order, and only answers captured in the same
    // millisecond are put in message-id order here. Ordering by both in SQL sorted the whole window in a
    // temporary b-tree each time.
    std::string sql =
        "SELECT message_id, at, nps, csat, reasons FROM feedback WHERE store_id = ? AND "
        "at >= ? AND at <= ? AND abandoned = 0 AND misuse = 0 ORDER BY at";
    if (limit > 0) sql += " LIMIT " + std::to_string(limit);
    auto rows = m_c.query(sql, {store, fromMs, toMs});
    if (!rows) return Fail(rows.error());
    std::vector<FeedbackAnswer> out;
    out.reserve(rows->size());
    for (std::size_t i = 0; i < rows->size(); ++i) {
        FeedbackAnswer a;
        a.messageId = rows->text(i, 0);
        a.storeId = store;
        a.atMs = rows->integer(i, 1);
        if (!rows->isNull(i, 2)) a.nps = rows->integer(i, 2);
        if (!rows->isNull(i, 3)) a.csat = rows->integer(i, 3);
        readReasons(rows->text(i, 4), a.reasons);
        out.push_back(std::move(a));
    }
    for (auto first = out.begin(); first != out.end();) {
        const auto last =
            std::find_if(first, out.end(), [&](const FeedbackAnswer& a) { return a.atMs != first->atMs; });
        if (last - first > 1) {
            std::sort(first, last,
                      [](const FeedbackAnswer& x, const FeedbackAnswer& y) { return x.messageId < y.messageId; });
        }
        first = last;
    }
    return out;
}

StoreResult<std::optional<FeedbackAnswer>> SqlCaseRepository::feedback(const std::string& messageId) {
    // The events table's unique message id finds it; its stored payload has the answers as they arrived.
    auto rows = m_c.query("SELECT event, store_id, kiosk_id, at, payload FROM events WHERE message_id = ?",
                          {messageId});
    if (!rows) return Fail(rows.error());
    if (rows->empty()) return std::optional<FeedbackAnswer>{};
    IngestMessage m;
    m.messageId = messageId;
    m.event = rows->text(0, 0);
    m.storeId = rows->text(0, 1);
    m.kioskId = rows->text(0, 2);
    m.correctedMs = rows->integer(0, 3);
    auto text = revealField(m_cipher, privacy::columns::kEventPayload, rows->text(0, 4));
    if (!text) return Fail(text.error());
    json payload = json::parse(*text, nullptr, false);
    if (payload.is_object() && payload.contains("properties") && payload["properties"].is_object()) {
        m.properties.swap(payload["properties"]);
    }
    return feedbackAnswerOf(m);
}

StoreResult<std::set<std::pair<std::string, std::string>>> SqlCaseRepository::contactsGiven(
    const std::vector<std::string>& feedbackMessageIds) {
    constexpr std::size_t kChunk = 128;
    std::set<std::pair<std::string, std::string>> out;
    for (std::size_t from = 0; from < feedbackMessageIds.size(); from += kChunk) {
        std::vector<SqlValue> list;
        for (std::size_t i = from; i < std::min(feedbackMessageIds.size(), from + kChunk); ++i) {
            list.emplace_back(std::string_view(feedbackMessageIds[i]));
        }
        auto rows = queryIn(m_c, "SELECT feedback_message_id, store_id FROM feedback_contacts WHERE feedback_message_id",
                            {}, list);
        if (!rows) return Fail(rows.error());
        for (std::size_t r = 0; r < rows->size(); ++r) out.emplace(rows->text(r, 0), rows->text(r, 1));
    }
    return out;
}

StoreResult<bool> SqlCaseRepository::saveContact(const ContactRequest& c) {
    auto n = m_c.exec(
        "INSERT INTO feedback_contacts(feedback_message_id, consent_message_id, store_id, kind, value, "
        "received_at) VALUES(?,?,?,?,?,?) ON CONFLICT(feedback_message_id) DO NOTHING",
        {c.feedbackMessageId, c.consentMessageId, c.storeId, c.kind,
         m_cipher.seal(privacy::columns::kContactValue, c.value), c.atMs});
    if (!n) return Fail(n.error());
    return *n > 0;
}

StoreResult<bool> SqlCaseRepository::recordAlert(const AlertRecord& a) {
    json reasons = json::array();
    for (const auto& [reason, count] : a.topReasons)
        reasons.push_back({{"reason", reason}, {"count", count}});
    auto n = m_c.exec(
        "INSERT INTO alerts(id, rule, kind, store_id, period_start, detail, window_start, window_end, "
        "responses, unhappy, matching, top_reasons, fired_at) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?) "
        "ON CONFLICT(rule, store_id, period_start, detail) DO NOTHING",
        {a.id, a.rule, a.kind, a.storeId, a.periodStartMs, a.detail, a.windowStartMs, a.windowEndMs,
         a.responses, a.unhappy, a.matching, reasons.dump(-1, ' ', false, json::error_handler_t::replace),
         a.firedAtMs});
    if (!n) return Fail(n.error());
    return *n > 0;
}

StoreResult<bool> SqlCaseRepository::openCase(const CaseOpening& c) {
    auto n = m_c.exec(
        "INSERT INTO cases(id, feedback_message_id, rule, kind, store_id, kiosk_id, nps, csat, status, "
        "opened_at, due_at, updated_at) VALUES(?,?,?,?,?,?,?,?,'open',?,?,?) "
        "ON CONFLICT(feedback_message_id) DO NOTHING",
        {c.id, c.feedbackMessageId, c.rule, c.kind, c.storeId, c.kioskId, opt(c.nps), opt(c.csat),
         c.openedAtMs, c.dueAtMs, c.openedAtMs});
    if (!n) return Fail(n.error());
    return *n > 0;
}

StoreResult<void> SqlCaseRepository::enqueueNotification(const NotificationRequest& r) {
    return m_c.defer(
        "INSERT INTO notifications(target, subject, ref_id, store_id, payload, state, next_attempt_at, "
        "created_at) VALUES(?,?,?,?,?,'pending',?,?) ON CONFLICT(ref_id, target) DO NOTHING",
        {r.target, r.subject, r.refId, r.storeId, r.payload, r.createdAtMs, r.createdAtMs});
}

}  // namespace touchpoint::hub
