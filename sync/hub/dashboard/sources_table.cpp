#include "hub/dashboard/sources_table.hpp"

#include <algorithm>

#include "common/clock.hpp"

namespace touchpoint::hub::dashboard {

namespace {

constexpr std::int64_t kDayMs = 24 * kSourceHourMs;

}  // namespace

std::vector<SourceHealth> readSources(const std::vector<SourceRecord>& records, std::int64_t nowMs) {
    std::vector<SourceHealth> out;
    out.reserve(records.size());
    for (const auto& r : records) {
        SourceHealth h;
        h.name = r.source;
        h.lastSeen = r.lastSeenMs > 0 ? formatIsoUtcMs(r.lastSeenMs) : "";
        h.library = r.library;
        for (const auto& hour : r.hours) {
            h.accepted += hour.accepted;
            h.duplicate += hour.duplicate;
            h.rejected += hour.rejected;
        }
        // The latest hour with traffic decides: a source that has just started failing shows at once.
        const SourceHour* latest = r.hours.empty() ? nullptr : &r.hours.back();
        if (r.lastSeenMs == 0) {
            h.status = "never";
            h.why = "no message yet";
        } else if (latest && latest->rejected > latest->accepted + latest->duplicate) {
            h.status = "failing";
            h.why = std::to_string(latest->rejected) + " of " +
                    std::to_string(latest->rejected + latest->accepted + latest->duplicate) +
                    " messages rejected in the hour from " + formatIsoUtcMs(latest->hourMs);
        } else if (nowMs - r.lastSeenMs > kDayMs) {
            h.status = "quiet";
            h.why = "nothing for more than a day";
        } else {
            h.status = "ok";
        }
        out.push_back(std::move(h));
    }
    auto rank = [](const SourceHealth& h) { return h.status == "failing" ? 0 : h.status == "quiet" ? 1 : 2; };
    std::stable_sort(out.begin(), out.end(), [&](const SourceHealth& a, const SourceHealth& b) {
        if (rank(a) != rank(b)) return rank(a) < rank(b);
        return a.name < b.name;
    });
    return out;
}

void addSourceTables(std::map<std::string, Table>& tables, const std::vector<SourceRecord>& records,
                     const std::vector<SourceHealth>& health) {
    Table& sources = tables["sources"];
    sources.title = "Sources (kiosk tokens and write keys), last 24 hours";
    sources.columns = {"Source", "Status", "Why", "Last seen", "SDK", "Accepted", "Duplicate", "Rejected"};
    for (const auto& h : health) {
        sources.rows.push_back({h.name, h.status, h.why, h.lastSeen, h.library, std::to_string(h.accepted),
                                std::to_string(h.duplicate), std::to_string(h.rejected)});
        sources.rowClass.emplace_back(h.status == "failing" ? "failing" : h.status == "quiet" ? "stale" : "");
    }

    Table& hours = tables["sourceHours"];
    hours.title = "Per source and hour (UTC)";
    hours.columns = {"Source", "Hour", "Accepted", "Duplicate", "Rejected"};
    Table& rejections = tables["rejections"];
    rejections.title = "Latest rejected messages (personal data masked)";
    rejections.columns = {"Source", "Received", "Message id", "Reason", "Payload"};
    for (const auto& r : records) {
        for (auto it = r.hours.rbegin(); it != r.hours.rend(); ++it) {
            hours.rows.push_back({r.source, formatIsoUtcMs(it->hourMs), std::to_string(it->accepted),
                                  std::to_string(it->duplicate), std::to_string(it->rejected)});
            hours.rowClass.emplace_back(it->rejected > it->accepted + it->duplicate ? "failing" : "");
        }
        for (const auto& x : r.rejections) {
            // Masked when stored; masked again here so nothing personal reaches a screen if it was not.
            rejections.rows.push_back({r.source, formatIsoUtcMs(x.atMs), x.messageId, maskPersonalText(x.reason),
                                       maskPersonalText(x.maskedPayload)});
            rejections.rowClass.emplace_back("");
        }
    }
}

}  // namespace touchpoint::hub::dashboard
