// What each ingest source sent (source_record.hpp): counts are added, never overwritten, so every hub process
// sharing the database contributes its own and they agree on the sum.

#include "hub/store/sql_store.hpp"

namespace touchpoint::hub {

StoreResult<void> SqlHubStore::recordSources(const std::vector<SourceDelta>& deltas, std::int64_t nowMs) {
    if (deltas.empty()) return {};
    auto r = write<bool>([&](SqlConnection& c) -> StoreResult<bool> {
        for (const auto& d : deltas) {
            auto seen = c.exec("INSERT INTO sources(name, last_seen, library) VALUES(?,?,?) ON CONFLICT(name) DO UPDATE SET "
                               "last_seen = CASE WHEN excluded.last_seen > sources.last_seen THEN excluded.last_seen "
                               "ELSE sources.last_seen END, "
                               "library = CASE WHEN excluded.library <> '' THEN excluded.library ELSE sources.library END",
                               {d.source, d.lastSeenMs, d.library});
            if (!seen) return Fail(seen.error());
            for (const auto& h : d.hours) {
                auto hr = c.exec("INSERT INTO source_hours(name, hour, accepted, duplicate, rejected) VALUES(?,?,?,?,?) "
                                 "ON CONFLICT(name, hour) DO UPDATE SET accepted = source_hours.accepted + excluded.accepted, "
                                 "duplicate = source_hours.duplicate + excluded.duplicate, "
                                 "rejected = source_hours.rejected + excluded.rejected",
                                 {d.source, h.hourMs, h.accepted, h.duplicate, h.rejected});
                if (!hr) return Fail(hr.error());
            }
            for (const auto& x : d.rejections) {
                auto in = c.exec("INSERT INTO source_rejections(name, at, message_id, reason, payload) VALUES(?,?,?,?,?)",
                                 {d.source, x.atMs, x.messageId, x.reason, x.maskedPayload});
                if (!in) return Fail(in.error());
            }
            if (!d.rejections.empty()) {
                // The newest kSourceRejectionsKept stay; the subquery is NULL (nothing deleted) until there are more.
                auto trim = c.exec("DELETE FROM source_rejections WHERE name = ? AND seq <= (SELECT seq FROM source_rejections "
                                   "WHERE name = ? ORDER BY seq DESC LIMIT 1 OFFSET ?)",
                                   {d.source, d.source, static_cast<std::int64_t>(kSourceRejectionsKept)});
                if (!trim) return Fail(trim.error());
            }
        }
        auto old = c.exec("DELETE FROM source_hours WHERE hour < ?", {nowMs - kSourceHoursKeptMs});
        if (!old) return Fail(old.error());
        return true;
    });
    if (!r) return Fail(r.error());
    return {};
}

StoreResult<std::vector<SourceRecord>> SqlHubStore::sources(std::int64_t sinceMs) {
    auto lease = acquire();
    SqlConnection& c = *lease;
    auto rows = c.query("SELECT name, last_seen, library FROM sources ORDER BY name");
    if (!rows) return Fail(rows.error());
    std::vector<SourceRecord> out;
    std::map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < rows->size(); ++i) {
        index[rows->text(i, 0)] = out.size();
        out.push_back({rows->text(i, 0), rows->integer(i, 1), rows->text(i, 2), {}, {}});
    }
    auto hours = c.query("SELECT name, hour, accepted, duplicate, rejected FROM source_hours WHERE hour >= ? ORDER BY name, hour",
                         {sinceMs});
    if (!hours) return Fail(hours.error());
    for (std::size_t i = 0; i < hours->size(); ++i) {
        const auto it = index.find(hours->text(i, 0));
        if (it == index.end()) continue;
        out[it->second].hours.push_back({hours->integer(i, 1), hours->integer(i, 2), hours->integer(i, 3), hours->integer(i, 4)});
    }
    // At most kSourceRejectionsKept per source are stored (recordSources trims), so this read is bounded.
    auto rejected = c.query("SELECT name, at, message_id, reason, payload FROM source_rejections ORDER BY name, seq DESC");
    if (!rejected) return Fail(rejected.error());
    for (std::size_t i = 0; i < rejected->size(); ++i) {
        const auto it = index.find(rejected->text(i, 0));
        if (it == index.end() || out[it->second].rejections.size() >= kSourceRejectionsKept) continue;
        out[it->second].rejections.push_back(
            {rejected->integer(i, 1), rejected->text(i, 2), rejected->text(i, 3), rejected->text(i, 4)});
    }
    return out;
}

}  // namespace touchpoint::hub
