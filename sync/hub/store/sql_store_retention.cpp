// Retention ([retention] in the hub's config): personal data of each kind is removed once older than its
// limit. Each batch of at most 500 rows is its own short transaction (SQLite has one writer, and ingest waits
// behind it), and each statement only touches rows still holding what it removes, so hub processes sharing a
// PostgreSQL database can run the job at the same time without removing anything twice.

#include <nlohmann/json.hpp>

#include "common/log.hpp"
#include "hub/store/sealed_fields.hpp"
#include "hub/store/sql_store.hpp"

namespace touchpoint::hub {

namespace {

constexpr std::int64_t kDayMs = 86'400'000;
constexpr std::int64_t kBatch = 500;

}  // namespace

/// The comment inside a stored feedback event's payload, which is sealed (privacy/field_cipher.hpp): opened,
/// cut and sealed again here, as SQL cannot read inside it.
StoreResult<void> SqlHubStore::stripStoredComment(SqlConnection& c, const std::string& messageId) {
    auto row = c.query("SELECT payload FROM events WHERE message_id = ?", {messageId});
    if (!row) return Fail(row.error());
    if (row->empty()) return {};
    auto text = revealField(m_cipher, privacy::columns::kEventPayload, row->text(0, 0));
    if (!text) return Fail(text.error());
    nlohmann::json payload = nlohmann::json::parse(*text, nullptr, false);
    auto props = payload.is_object() ? payload.find("properties") : payload.end();
    if (!payload.is_object() || props == payload.end() || !props->is_object() || !props->contains("comment")) return {};
    props->erase("comment");
    auto u = c.exec("UPDATE events SET payload = ? WHERE message_id = ?",
                    {m_cipher.seal(privacy::columns::kEventPayload,
                                   payload.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)),
                     messageId});
    if (!u) return Fail(u.error());
    return {};
}

StoreResult<RetentionReport> SqlHubStore::applyRetention(const RetentionConfig& policy, std::int64_t nowMs) {
    RetentionReport report;
    if (policy.commentDays > 0) {
        const std::int64_t cutoff = nowMs - policy.commentDays * kDayMs;
        std::int64_t removed = 0;
        for (;;) {
            auto n = write<std::int64_t>([&](SqlConnection& c) -> StoreResult<std::int64_t> {
                auto rows = c.query("SELECT seq, message_id FROM feedback WHERE at < ? AND comment IS NOT NULL "
                                    "ORDER BY seq LIMIT ?" + std::string(c.forUpdate()),
                                    {cutoff, kBatch});
                if (!rows) return Fail(rows.error());
                for (std::size_t i = 0; i < rows->size(); ++i) {
                    if (auto e = stripStoredComment(c, rows->text(i, 1)); !e) return Fail(e.error());
                    auto f = c.exec("UPDATE feedback SET comment = NULL WHERE seq = ? AND comment IS NOT NULL",
                                    {rows->integer(i, 0)});
                    if (!f) return Fail(f.error());
                }
                return static_cast<std::int64_t>(rows->size());
            });
            if (!n) return Fail(n.error());
            removed += *n;
            if (*n < kBatch) break;
        }
        report.removed["comments"] = removed;
    }
    if (policy.staffAuditDays > 0) {
        const std::int64_t cutoff = nowMs - policy.staffAuditDays * kDayMs;
        std::int64_t removed = 0;
        // Neither table has a key of its own: rows are picked by the database's row address (found through the
        // `at` index), a batch at a time, so the first run over years of audit does not hold the writer for
        // the whole delete. A row another hub deleted first is not deleted, nor counted, twice.
        for (const char* table : {"audit", "staff_lookups"}) {
            for (;;) {
                auto n = write<std::int64_t>([&](SqlConnection& c) -> StoreResult<std::int64_t> {
                    const std::string row = c.dialect() == Dialect::Sqlite ? "rowid" : "ctid";
                    return c.exec("DELETE FROM " + std::string(table) + " WHERE " + row + " IN (SELECT " + row +
                                      " FROM " + table + " WHERE at < ? LIMIT ?)",
                                  {cutoff, kBatch});
                });
                if (!n) return Fail(n.error());
                removed += *n;
                if (*n < kBatch) break;
            }
        }
        report.removed["staff_audit"] = removed;
    }
    std::int64_t any = 0;
    for (const auto& [kind, n] : report.removed) any += n;
    if (any > 0) {
        // As after an erasure: the removed values must not stay in the database's own log.
        if (auto t = m_writes->truncateLog(); !t) {
            log::warn("hub", "retention: log not truncated", {{"error", t.error().message}});
        }
    }
    return report;
}

}  // namespace touchpoint::hub
