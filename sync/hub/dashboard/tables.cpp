#include "hub/dashboard/tables.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "common/clock.hpp"
#include "hub/ingest/json_props.hpp"

namespace touchpoint::hub::dashboard {

using nlohmann::json;

namespace {

const json kNull;

/// j[a][b] when it exists, else null: the stats document leaves out what it has no data for.
const json& at(const json& j, std::string_view a, std::string_view b = {}) {
    if (!j.is_object()) return kNull;
    auto it = j.find(a);
    if (it == j.end()) return kNull;
    if (b.empty()) return *it;
    if (!it->is_object()) return kNull;
    auto jt = it->find(b);
    return jt == it->end() ? kNull : *jt;
}

std::int64_t integer(const json& value) {
    if (auto whole = toInt64(value)) return *whole;
    // Fractions round for display; a number no int64 holds (1e300) shows as 0: llround of it is undefined.
    if (value.is_number_float()) {
        const double d = value.get<double>();
        if (std::isfinite(d) && std::fabs(d) < 0x1p62) return std::llround(d);
    }
    return 0;
}

std::string count(const json& value) { return std::to_string(integer(value)); }

std::string text(const json& value) {
    if (value.is_string()) return value.get<std::string>();
    if (value.is_null()) return "";
    return value.dump();
}

const json& ciBound(const json& metric, std::size_t index) {
    const json& ci = at(metric, "ci95");
    if (!ci.is_array() || ci.size() != 2) return kNull;
    return ci[index];
}

/// The first of several field names that is present: /v1/fleet names fields after the heartbeat.
const json& firstOf(const json& j, std::initializer_list<std::string_view> names) {
    for (auto name : names) {
        const json& v = at(j, name);
        if (!v.is_null()) return v;
    }
    return kNull;
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

std::string formatDecimal(const json& value, int digits) {
    if (!value.is_number()) return "";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", digits, value.get<double>());
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

std::vector<KioskHealth> readFleet(const json& fleet, std::int64_t nowMs, const FleetThresholds& thresholds) {
    const json* list = &fleet;
    if (fleet.is_object()) list = &firstOf(fleet, {"kiosks", "fleet"});
    std::vector<KioskHealth> out;
    if (!list->is_array()) return out;
    for (const json& k : *list) {
        KioskHealth h;
        h.kioskId = text(firstOf(k, {"kioskId", "kiosk"}));
        h.storeId = text(firstOf(k, {"storeId", "store"}));
        h.lastSeen = text(firstOf(k, {"lastSeen", "lastSeenAt"}));
        if (!h.lastSeen.empty() && !parseIsoUtcMs(h.lastSeen, h.lastSeenMs)) h.lastSeenMs = 0;
        h.appVersion = text(firstOf(k, {"appVersion", "version"}));
        h.queueDepth = integer(firstOf(k, {"queueDepth"}));
        h.oldestPendingS = integer(firstOf(k, {"oldestPendingAgeS", "oldestPendingS"}));
        h.clockOffsetMs = integer(firstOf(k, {"clockOffsetMs"}));
        h.deadLetters = integer(firstOf(k, {"deadLetters"}));
        const json& drops = firstOf(k, {"drops", "dropsTotal"});
        if (drops.is_object()) {
            for (const auto& [reason, n] : drops.items()) h.drops += integer(n);
        } else {
            h.drops = integer(drops);
        }
        const json& flagged = firstOf(k, {"clockSkewed", "clockFlagged"});
        h.clockFlagged = (flagged.is_boolean() && flagged.get<bool>()) ||
                         std::llabs(h.clockOffsetMs) > thresholds.clockOffsetFlagMs;

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

json dailySeries(const std::vector<std::string>& days, const std::map<std::string, json>& perDay) {
    json out = json::array();
    for (const auto& day : days) {
        auto it = perDay.find(day);
        json row = it != perDay.end() ? it->second : json::object();
        if (!row.is_object()) row = json::object();
        row["day"] = day;
        for (const char* key : {"signins", "newMembers", "feedbackAbandoned", "misuse"})
            if (!row.contains(key)) row[key] = 0;
        for (const char* key : {"nps", "csat", "ces"})
            if (!row.contains(key) || !row[key].is_object()) row[key] = json{{"responses", 0}};
        out.push_back(std::move(row));
    }
    return out;
}

namespace {

std::vector<std::string> scoreCells(const json& r) {
    const json& nps = at(r, "nps");
    const json& csat = at(r, "csat");
    const json& ces = at(r, "ces");
    const bool hasNps = integer(at(nps, "responses")) > 0;
    const bool hasCsat = integer(at(csat, "responses")) > 0;
    const bool hasCes = integer(at(ces, "responses")) > 0;
    return {hasNps ? formatDecimal(at(nps, "score"), 1) : "",
            hasNps ? formatDecimal(ciBound(nps, 0), 1) : "",
            hasNps ? formatDecimal(ciBound(nps, 1), 1) : "",
            count(at(nps, "responses")),
            hasCsat ? formatDecimal(at(csat, "score"), 1) : "",
            hasCsat ? formatDecimal(ciBound(csat, 0), 1) : "",
            hasCsat ? formatDecimal(ciBound(csat, 1), 1) : "",
            count(at(csat, "responses")),
            hasCes ? formatDecimal(at(ces, "mean"), 2) : "",
            hasCes ? formatDecimal(ciBound(ces, 0), 2) : "",
            hasCes ? formatDecimal(ciBound(ces, 1), 2) : "",
            count(at(ces, "responses")),
            count(at(r, "signins")),
            count(at(r, "newMembers"))};
}

std::string share(std::int64_t part, std::int64_t total) {
    if (total <= 0) return "";
    return formatDecimal(json(100.0 * static_cast<double>(part) / static_cast<double>(total)), 1);
}

}  // namespace

std::map<std::string, Table> buildTables(const json& stats, const json& daily, const std::vector<KioskHealth>& fleet) {
    std::map<std::string, Table> tables;

    Table& scores = tables["scores"];
    scores.title = "Scores by store";
    scores.columns = {"Store", "NPS", "NPS low", "NPS high", "NPS n", "CSAT %", "CSAT low", "CSAT high", "CSAT n",
                      "CES", "CES low", "CES high", "CES n", "Sign-ins", "New members"};
    {
        auto row = scoreCells(at(stats, "overall"));
        const json& store = at(stats, "store");
        row.insert(row.begin(), store.is_string() ? store.get<std::string>() : "All stores");
        scores.rows.push_back(std::move(row));
        scores.rowClass.emplace_back("total");
    }
    if (const json& byStore = at(stats, "byStore"); byStore.is_array()) {
        for (const json& s : byStore) {
            auto row = scoreCells(s);
            row.insert(row.begin(), text(at(s, "store")));
            scores.rows.push_back(std::move(row));
            scores.rowClass.emplace_back("");
        }
    }

    Table& days = tables["daily"];
    days.title = "Per day (UTC)";
    days.columns = {"Day", "Sign-ins", "New members", "NPS", "NPS n", "CSAT %", "CSAT n", "CES", "CES n", "Abandoned"};
    if (daily.is_array()) {
        for (const json& d : daily) {
            const bool hasNps = integer(at(d, "nps", "responses")) > 0;
            const bool hasCsat = integer(at(d, "csat", "responses")) > 0;
            const bool hasCes = integer(at(d, "ces", "responses")) > 0;
            days.rows.push_back({text(at(d, "day")), count(at(d, "signins")), count(at(d, "newMembers")),
                                 hasNps ? formatDecimal(at(d, "nps", "score"), 1) : "", count(at(d, "nps", "responses")),
                                 hasCsat ? formatDecimal(at(d, "csat", "score"), 1) : "", count(at(d, "csat", "responses")),
                                 hasCes ? formatDecimal(at(d, "ces", "mean"), 2) : "", count(at(d, "ces", "responses")),
                                 count(at(d, "feedbackAbandoned"))});
            days.rowClass.emplace_back("");
        }
    }

    Table& stages = tables["stages"];
    stages.title = "Journey stages";
    stages.columns = {"Stage", "Profiles", "Share %"};
    {
        const json& s = at(stats, "stages");
        std::int64_t total = 0;
        static constexpr std::string_view kStages[] = {"awareness", "consideration", "purchase", "retention", "advocacy"};
        for (auto name : kStages) total += integer(at(s, name));
        for (auto name : kStages) {
            const std::int64_t n = integer(at(s, name));
            stages.rows.push_back({std::string(name), std::to_string(n), share(n, total)});
            stages.rowClass.emplace_back("");
        }
    }

    Table& transitions = tables["transitions"];
    transitions.title = "Stage transitions by channel";
    transitions.columns = {"From", "To", "Channel", "Profiles"};
    if (const json& t = at(stats, "stageTransitions"); t.is_array()) {
        for (const json& row : t) {
            const std::string channel = text(at(row, "channel"));
            const json& from = at(row, "from");
            transitions.rows.push_back({from.is_null() ? "(new)" : text(from), text(at(row, "to")), channel,
                                        count(at(row, "count"))});
            transitions.rowClass.emplace_back(channel == "in_store_kiosk" ? "highlight" : "");
        }
    }

    Table& reasons = tables["reasons"];
    reasons.title = "Feedback reasons";
    reasons.columns = {"Reason", "Answers", "Share %"};
    if (const json& r = at(stats, "reasons"); r.is_array()) {
        std::int64_t total = 0;
        for (const json& row : r) total += integer(at(row, "count"));
        for (const json& row : r) {
            const std::int64_t n = integer(at(row, "count"));
            reasons.rows.push_back({text(at(row, "reason")), std::to_string(n), share(n, total)});
            reasons.rowClass.emplace_back("");
        }
    }

    Table& comments = tables["comments"];
    comments.title = "Recent comments (e-mails and phone numbers masked)";
    comments.columns = {"Time (UTC)", "Store", "NPS", "Comment"};
    if (const json& c = at(stats, "recentComments"); c.is_array()) {
        for (const json& row : c) {
            const json& nps = at(row, "nps");
            comments.rows.push_back({text(at(row, "at")), text(at(row, "store")), nps.is_number() ? count(nps) : "",
                                     maskPersonalText(text(at(row, "text")))});
            comments.rowClass.emplace_back(nps.is_number() && integer(nps) <= 6 ? "failing" : "");
        }
    }

    Table& kiosks = tables["fleet"];
    kiosks.title = "Kiosks (problems first)";
    kiosks.columns = {"Kiosk", "Store", "Status", "Why", "Last seen (UTC)", "App version", "Queue depth",
                      "Oldest pending (s)", "Clock offset (s)", "Drops", "Dead letters"};
    for (const auto& k : fleet) {
        kiosks.rows.push_back({k.kioskId, k.storeId, k.status, k.why, k.lastSeen, k.appVersion,
                               std::to_string(k.queueDepth), std::to_string(k.oldestPendingS),
                               formatDecimal(json(static_cast<double>(k.clockOffsetMs) / 1000.0), 1),
                               std::to_string(k.drops), std::to_string(k.deadLetters)});
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
