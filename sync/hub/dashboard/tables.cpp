#include "hub/dashboard/tables.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdint>
#include <cstdlib>

#include "common/clock.hpp"

namespace touchpoint::hub::dashboard {

using nlohmann::json;

namespace {

/// a + b, held at the int64 limits: counts are a kiosk's claims and may be anything in range.
std::int64_t saturatingAdd(std::int64_t a, std::int64_t b) {
    std::int64_t sum = 0;
    if (!__builtin_add_overflow(a, b, &sum)) return sum;
    return b > 0 ? INT64_MAX : INT64_MIN;
}

bool needsFormulaGuard(const std::string& cell) {
    if (cell.empty()) return false;
    const char c = cell.front();
    if (c == '=' || c == '+' || c == '@' || c == '\t' || c == '\r') return true;
    if (c == '-') return cell.size() == 1 || !(std::isdigit(static_cast<unsigned char>(cell[1])) || cell[1] == '.');
    return false;
}

std::string csvCell(const std::string& raw) {
    std::string cell = needsFormulaGuard(raw) ? "'" + raw : raw;
    if (cell.find_first_of(",\"\r\n") == std::string::npos) return cell;
    std::string out = "\"";
    for (char c : cell) {
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
    return out;
}

}  // namespace

std::string formatDecimal(std::optional<double> value, int digits) {
    if (!value || !std::isfinite(*value)) return "";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", digits, *value);
    std::string out = buf;
    if (out == "-0.0" || out == "-0.00") out.erase(0, 1);  // a rounded tiny negative is shown as 0
    return out;
}

json toJson(const Table& table) {
    return json{{"title", table.title}, {"columns", table.columns}, {"rows", table.rows}, {"rowClass", table.rowClass}};
}

std::string toCsv(const Table& table) {
    std::string out;
    auto line = [&](const std::vector<std::string>& cells) {
        for (std::size_t i = 0; i < cells.size(); ++i) {
            if (i) out += ',';
            out += csvCell(cells[i]);
        }
        out += "\r\n";
    };
    line(table.columns);
    for (const auto& row : table.rows) line(row);
    return out;
}

std::vector<KioskHealth> readFleet(const std::vector<KioskRecord>& fleet, std::int64_t nowMs,
                                   const FleetThresholds& thresholds) {
    std::vector<KioskHealth> out;
    out.reserve(fleet.size());
    for (const KioskRecord& k : fleet) {
        KioskHealth h;
        h.kioskId = k.kiosk;
        h.storeId = k.store;
        h.lastSeenMs = k.lastSeenMs;
        h.lastSeen = k.lastSeenMs > 0 ? formatIsoUtcMs(k.lastSeenMs) : "";
        h.appVersion = k.appVersion;
        h.queueDepth = k.queueDepth.value_or(0);
        h.oldestPendingS = k.oldestPendingS.value_or(0);
        h.clockOffsetMs = k.clockOffsetMs.value_or(0);
        h.deadLetters = k.deadLetters.value_or(0);
        h.welcomeLookups = k.welcomeLookups;
        for (const auto& [reason, n] : k.drops) h.drops = saturatingAdd(h.drops, n);
        // The offset is a kiosk's claim: a value no int64 negation holds is flagged, never negated.
        h.clockFlagged = k.clockSkewed || h.clockOffsetMs == INT64_MIN || std::llabs(h.clockOffsetMs) > thresholds.clockOffsetFlagMs;

        std::vector<std::string> failing;
        if (h.oldestPendingS * 1000 >= thresholds.oldestPendingFailMs) failing.emplace_back("old pending events");
        if (h.deadLetters > 0) failing.emplace_back("dead letters");
        if (h.drops > 0) failing.emplace_back("dropped events");
        if (h.clockFlagged) failing.emplace_back("clock off");
        if (h.lastSeenMs == 0 || nowMs - h.lastSeenMs >= thresholds.staleAfterMs) {
            h.status = "stale";
            h.why = h.lastSeenMs == 0 ? "never seen" : "no heartbeat";
            for (const auto& f : failing) h.why += ", " + f;
        } else if (!failing.empty()) {
            h.status = "failing";
            for (const auto& f : failing) h.why += (h.why.empty() ? "" : ", ") + f;
        } else {
            h.status = "ok";
        }
        out.push_back(std::move(h));
    }
    // Problems first, then the longest silent, so the kiosks that need someone are at the top.
    auto rank = [](const KioskHealth& h) { return h.status == "failing" ? 0 : h.status == "stale" ? 1 : 2; };
    std::stable_sort(out.begin(), out.end(), [&](const KioskHealth& a, const KioskHealth& b) {
        if (rank(a) != rank(b)) return rank(a) < rank(b);
        if (a.lastSeenMs != b.lastSeenMs) return a.lastSeenMs < b.lastSeenMs;
        return a.kioskId < b.kioskId;
    });
    return out;
}

std::vector<DayFigures> dailySeries(const std::vector<std::string>& days,
                                    const std::map<std::string, GroupFigures>& perDay) {
    std::vector<DayFigures> out;
    out.reserve(days.size());
    for (const auto& day : days) {
        auto it = perDay.find(day);
        out.push_back({day, "", it != perDay.end() ? it->second : GroupFigures{}});
    }
    return out;
}

namespace {

std::optional<double> low(const std::optional<Interval>& ci) {
    return ci ? std::optional(ci->first) : std::nullopt;
}
std::optional<double> high(const std::optional<Interval>& ci) {
    return ci ? std::optional(ci->second) : std::nullopt;
}

std::vector<std::string> scoreCells(const GroupFigures& g) {
    const bool hasNps = g.nps.responses > 0;
    const bool hasCsat = g.csat.responses > 0;
    const bool hasCes = g.ces.responses > 0;
    return {hasNps ? formatDecimal(g.nps.score, 1) : "",
            hasNps ? formatDecimal(low(g.nps.ci95), 1) : "",
            hasNps ? formatDecimal(high(g.nps.ci95), 1) : "",
            std::to_string(g.nps.responses),
            hasCsat ? formatDecimal(g.csat.score, 1) : "",
            hasCsat ? formatDecimal(low(g.csat.ci95), 1) : "",
            hasCsat ? formatDecimal(high(g.csat.ci95), 1) : "",
            std::to_string(g.csat.responses),
            hasCes ? formatDecimal(g.ces.mean, 2) : "",
            hasCes ? formatDecimal(low(g.ces.ci95), 2) : "",
            hasCes ? formatDecimal(high(g.ces.ci95), 2) : "",
            std::to_string(g.ces.responses),
            std::to_string(g.signins),
            std::to_string(g.newMembers)};
}

std::string share(std::int64_t part, std::int64_t total) {
    if (total <= 0) return "";
    return formatDecimal(100.0 * static_cast<double>(part) / static_cast<double>(total), 1);
}

}  // namespace

std::map<std::string, Table> buildTables(const StatsReport& stats, const std::vector<DayFigures>& daily,
                                         const std::vector<KioskHealth>& fleet) {
    std::map<std::string, Table> tables;

    Table& scores = tables["scores"];
    scores.title = "Scores by store";
    scores.columns = {"Store", "NPS", "NPS low", "NPS high", "NPS n", "CSAT %", "CSAT low", "CSAT high", "CSAT n",
                      "CES", "CES low", "CES high", "CES n", "Sign-ins", "New members"};
    {
        auto row = scoreCells(stats.overall);
        row.insert(row.begin(), stats.store.value_or("All stores"));
        scores.rows.push_back(std::move(row));
        scores.rowClass.emplace_back("total");
    }
    for (const auto& s : stats.byStore) {
        auto row = scoreCells(s.figures);
        row.insert(row.begin(), s.store);
        scores.rows.push_back(std::move(row));
        scores.rowClass.emplace_back("");
    }

    Table& days = tables["daily"];
    days.title = "Per day (UTC)";
    days.columns = {"Day", "Sign-ins", "New members", "NPS", "NPS n", "CSAT %", "CSAT n", "CES", "CES n", "Abandoned"};
    for (const auto& d : daily) {
        const GroupFigures& g = d.figures;
        days.rows.push_back({d.day, std::to_string(g.signins), std::to_string(g.newMembers),
                             g.nps.responses > 0 ? formatDecimal(g.nps.score, 1) : "", std::to_string(g.nps.responses),
                             g.csat.responses > 0 ? formatDecimal(g.csat.score, 1) : "",
                             std::to_string(g.csat.responses), g.ces.responses > 0 ? formatDecimal(g.ces.mean, 2) : "",
                             std::to_string(g.ces.responses), std::to_string(g.feedbackAbandoned)});
        days.rowClass.emplace_back("");
    }

    Table& stages = tables["stages"];
    stages.title = "Journey stages";
    stages.columns = {"Stage", "Profiles", "Share %"};
    {
        static constexpr std::string_view kStages[] = {"awareness", "consideration", "purchase", "retention", "advocacy"};
        auto profiles = [&](std::string_view name) {
            auto it = stats.stages.find(std::string(name));
            return it == stats.stages.end() ? std::int64_t{0} : it->second;
        };
        std::int64_t total = 0;
        for (auto name : kStages) total += profiles(name);
        for (auto name : kStages) {
            const std::int64_t n = profiles(name);
            stages.rows.push_back({std::string(name), std::to_string(n), share(n, total)});
            stages.rowClass.emplace_back("");
        }
    }

    Table& transitions = tables["transitions"];
    transitions.title = "Stage transitions by channel";
    transitions.columns = {"From", "To", "Channel", "Profiles"};
    for (const auto& t : stats.transitions) {
        transitions.rows.push_back({t.from.empty() ? "(new)" : t.from, t.to, t.channel, std::to_string(t.count)});
        transitions.rowClass.emplace_back(t.channel == "in_store_kiosk" ? "highlight" : "");
    }

    Table& reasons = tables["reasons"];
    reasons.title = "Feedback reasons";
    reasons.columns = {"Reason", "Answers", "Share %"};
    {
        std::int64_t total = 0;
        for (const auto& r : stats.reasons) total += r.count;
        for (const auto& r : stats.reasons) {
            reasons.rows.push_back({r.reason, std::to_string(r.count), share(r.count, total)});
            reasons.rowClass.emplace_back("");
        }
    }

    Table& comments = tables["comments"];
    comments.title = "Recent comments (e-mails and phone numbers masked)";
    comments.columns = {"Time (UTC)", "Store", "NPS", "Comment"};
    for (const auto& c : stats.recentComments) {
        comments.rows.push_back({formatIsoUtcMs(c.atMs), c.store, c.nps ? std::to_string(*c.nps) : "",
                                 maskPersonalText(c.text)});
        comments.rowClass.emplace_back(c.nps && *c.nps <= 6 ? "failing" : "");
    }

    Table& kiosks = tables["fleet"];
    kiosks.title = "Kiosks (problems first)";
    kiosks.columns = {"Kiosk", "Store", "Status", "Why", "Last seen (UTC)", "App version", "Queue depth",
                      "Oldest pending (s)", "Clock offset (s)", "Drops", "Dead letters", "Welcome lookups"};
    for (const auto& k : fleet) {
        kiosks.rows.push_back({k.kioskId, k.storeId, k.status, k.why, k.lastSeen, k.appVersion,
                               std::to_string(k.queueDepth), std::to_string(k.oldestPendingS),
                               formatDecimal(static_cast<double>(k.clockOffsetMs) / 1000.0, 1),
                               std::to_string(k.drops), std::to_string(k.deadLetters),
                               std::to_string(k.welcomeLookups)});
        kiosks.rowClass.push_back(k.status == "ok" ? "" : k.status);
    }
    return tables;
}

json fleetSummary(const std::vector<KioskHealth>& fleet) {
    json out{{"kiosks", fleet.size()}, {"ok", 0}, {"stale", 0}, {"failing", 0}};
    for (const auto& k : fleet) out[k.status] = out[k.status].get<int>() + 1;
    return out;
}

}  // namespace touchpoint::hub::dashboard
