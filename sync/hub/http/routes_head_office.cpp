// Head office: exports (streamed, audited when they show personal values), the audit, stats, fleet, metrics.

#include <sstream>

#include "hub/http/export_format.hpp"
#include "hub/http/hub_server.hpp"
#include "hub/ingest/json_props.hpp"
#include "hub/ingest/token_claims.hpp"
#include "hub/journey/stats.hpp"
#include "hub/journey/stats_json.hpp"

namespace touchpoint::hub {

namespace {

using nlohmann::json;

constexpr std::size_t kExportPage = 500;

/// YYYY-MM-DD with a month 01-12 and a day 01-31; a query parameter, so checked by position, not std::regex.
bool isDay(const std::string& s) {
    auto digit = [&](std::size_t i) { return s[i] >= '0' && s[i] <= '9'; };
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
    for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
        if (!digit(i)) return false;
    }
    const int month = (s[5] - '0') * 10 + (s[6] - '0');
    const int day = (s[8] - '0') * 10 + (s[9] - '0');
    return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

/// from/to as UTC days; defaults to the last 30 days. Writes a 400 and returns false on a bad value.
bool dayRange(const HubContext& ctx, const http::Request& req, http::Response& res, std::string& from,
              std::string& to) {
    const auto now = ctx.clock->utcMs();
    to = req.hasParam("to") ? req.param("to") : formatIsoUtcDay(now);
    from = req.hasParam("from") ? req.param("from") : formatIsoUtcDay(now - 29LL * 24 * 3600 * 1000);
    if (!isDay(from) || !isDay(to)) {
        sendError(res, 400, "from/to: expected YYYY-MM-DD (UTC days)");
        return false;
    }
    if (from > to) {
        sendError(res, 400, "from is after to");
        return false;
    }
    return true;
}

struct ExportState {
    ExportKind kind = ExportKind::Events;
    std::string from, to, store, cursor;
    bool csv = false;
    ExportPersonal personal = ExportPersonal::Masked;
    bool started = false;
    bool first = true;
};

/// What an audited export asked for, as its audit row says it: "from..to", and " store=<id>" when it named one
/// (printable ASCII, at most 64 characters of it: the parameter is the caller's text).
std::string exportDetail(const ExportState& state) {
    std::string detail = state.from + ".." + state.to;
    if (!state.store.empty()) {
        detail += " store=";
        for (char ch : state.store.substr(0, 64)) detail += ch >= 0x20 && ch < 0x7f ? ch : '?';
    }
    return detail;
}

void exportRoute(HubContext& ctx, const http::Request& req, http::Response& res) {
    const auto token = ctx.authorize(req, res, kScopeHeadOffice);
    if (!token) return;
    auto state = std::make_shared<ExportState>();
    // The personal values inside stored messages are for admins; analysts and managers see them masked.
    state->personal = personalValuesFor(token->role);
    // The route's pattern admits only the four kinds.
    state->kind = exportKindNamed(req.capture("kind")).value_or(ExportKind::Events);
    if (!dayRange(ctx, req, res, state->from, state->to)) return;
    state->store = req.param("store");
    const auto format = req.hasParam("format") ? req.param("format") : "json";
    if (format != "csv" && format != "json") {
        sendError(res, 400, "format: expected csv or json");
        return;
    }
    state->csv = format == "csv";
    // An export that shows personal values (exportShowsPersonalValues) is audited before its first byte, and
    // refused when that cannot be recorded. One that shows none (masked messages, scores with masked comments,
    // sign-ins) is not audited: it shows nothing a row would have to account for, and scripts pull those often.
    // The row names the kind; an export is about many people, so it names no profile.
    if (exportShowsPersonalValues(state->kind, state->personal)) {
        if (auto a = ctx.store->audit(*token, "export", req.capture("kind"), "", true, exportDetail(*state)); !a) {
            storeUnavailable(res, "audit store unavailable");
            return;
        }
    }
    res.status = 200;
    // Each call reads one page after the cursor, so an export of millions of rows never sits in memory.
    res.streamed(state->csv ? "text/csv; charset=utf-8" : "application/json", [&ctx, state](std::string& chunk, bool& done) {
        if (!state->started) {
            state->started = true;
            if (state->csv) {
                const auto& cols = exportColumns(state->kind);
                for (std::size_t i = 0; i < cols.size(); ++i) chunk += (i ? "," : "") + cols[i];
                chunk += "\r\n";
            } else {
                chunk += "[";
            }
        }
        auto page = ctx.store->exportPage(state->kind, state->from, state->to, state->store, state->cursor, kExportPage);
        if (!page) return false;  // aborts the response; the client sees a truncated transfer
        for (const auto& row : *page) {
            if (state->csv) {
                chunk += exportCsvLine(row, state->kind, state->personal);
                chunk += "\r\n";
            } else {
                if (!state->first) chunk += ",";
                state->first = false;
                chunk += exportJson(row, state->personal).dump(-1, ' ', false, json::error_handler_t::replace);
            }
        }
        const bool last = page->size() < kExportPage;
        if (last && !state->csv) chunk += "]";
        done = last;
        return true;
    });
}

void statsRoute(HubContext& ctx, const http::Request& req, http::Response& res) {
    if (!ctx.authorize(req, res, kScopeHeadOffice)) return;
    std::string from, to;
    if (!dayRange(ctx, req, res, from, to)) return;
    const auto store = req.hasParam("store") ? std::optional(req.param("store")) : std::nullopt;
    const auto survey = parseSurveyFilter(req.param("survey"), req.param("surveyVersion"));
    if (!survey) {
        sendError(res, 400, survey.error());
        return;
    }
    auto data = ctx.store->statsData(from, to, store.value_or(""), *survey);
    if (!data) {
        storeUnavailable(res);
        return;
    }
    sendJson(res, toJson(computeStats(*data, from, to, store, *survey)));
}

/// GET /v1/audit: who read or erased personal data (lookups, welcomes, timelines, erasures, exports), newest
/// first. Admins only: the rows say what other head-office people and staff read.
void auditRoute(HubContext& ctx, const http::Request& req, http::Response& res) {
    const auto token = ctx.authorize(req, res, kScopeHeadOffice);
    if (!token) return;
    if (token->role != kRoleAdmin) return sendError(res, 403, "the audit needs an admin token");
    constexpr std::size_t kDefaultLimit = 100, kMaxLimit = 1000;
    const auto limit = limitParam(req, res, kDefaultLimit, kMaxLimit);
    if (!limit) return;
    const std::string route = req.param("route");
    if (!route.empty() && route != "lookup" && route != "welcome" && route != "timeline" && route != "erase" &&
        route != "export") {
        return sendError(res, 400, "route: expected lookup, welcome, timeline, erase or export");
    }
    auto rows = ctx.store->recentAudit(*limit, route);
    if (!rows) {
        storeUnavailable(res);
        return;
    }
    json entries = json::array();
    for (const auto& a : *rows) {
        entries.push_back({{"at", formatIsoUtcMs(a.atMs)},
                           {"route", a.route},
                           {"token", a.tokenName},
                           {"store", a.storeId},
                           {"kiosk", a.kioskId},
                           {"identifierType", a.identifierType},
                           {"profileId", a.profileId.empty() ? json(nullptr) : json(a.profileId)},
                           {"found", a.found},
                           {"detail", a.detail}});
    }
    sendJson(res, {{"entries", std::move(entries)}});
}

template <typename T>
json orNull(const std::optional<T>& v) {
    return v ? json(*v) : json(nullptr);
}

/// One /v1/fleet entry (docs/PROTOCOL.md).
json toJson(const KioskRecord& k) {
    return json{{"store", k.store},
                {"kiosk", k.kiosk},
                {"lastSeen", formatIsoUtcMs(k.lastSeenMs)},
                {"appVersion", k.appVersion},
                {"clockOffsetMs", orNull(k.clockOffsetMs)},
                {"clockSkewed", k.clockSkewed},
                {"queueDepth", orNull(k.queueDepth)},
                {"oldestPendingS", orNull(k.oldestPendingS)},
                {"deadLetters", orNull(k.deadLetters)},
                {"drops", k.drops},
                {"events", k.events},
                {"welcomeLookups", k.welcomeLookups},
                {"configVersion", orNull(k.configVersion)},
                {"configRefusal", orNull(k.configRefusal)}};
}

std::string label(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        if (c == '\n') continue;
        out += c;
    }
    return out;
}

}  // namespace

void registerHeadOfficeRoutes(http::Router& router, HubContext& ctx) {
    router.get("/v1/export/{kind:events|feedback|signins|profiles}", routeOptions("/v1/export", kScopeHeadOffice),
               guarded(ctx, "/v1/export", [&ctx](const auto& req, auto& res) { exportRoute(ctx, req, res); }));
    router.get("/v1/audit", routeOptions("/v1/audit", kScopeHeadOffice),
               guarded(ctx, "/v1/audit", [&ctx](const auto& req, auto& res) { auditRoute(ctx, req, res); }));
    router.get("/v1/stats", routeOptions("/v1/stats", kScopeHeadOffice),
               guarded(ctx, "/v1/stats", [&ctx](const auto& req, auto& res) { statsRoute(ctx, req, res); }));
    router.get("/v1/fleet", routeOptions("/v1/fleet", kScopeHeadOffice),
               guarded(ctx, "/v1/fleet", [&ctx](const http::Request& req, http::Response& res) {
                   if (!ctx.authorize(req, res, kScopeHeadOffice)) return;
                   auto fleet = ctx.store->fleet();
                   if (!fleet) {
                       storeUnavailable(res);
                       return;
                   }
                   json kiosks = json::array();
                   for (const auto& k : *fleet) {
                       json entry = toJson(k);
                       // Which kiosks run what head office published, which are behind (docs/PROTOCOL.md).
                       const auto expected = expectedConfigVersion(ctx, k.store, k.kiosk);
                       entry["expectedConfigVersion"] = orNull(expected);
                       entry["configBehind"] = expected.has_value() && k.configVersion != expected;
                       kiosks.push_back(std::move(entry));
                   }
                   sendJson(res, {{"kiosks", std::move(kiosks)}, {"serverTime", formatIsoUtcMs(ctx.clock->utcMs())}});
               }));
    router.get("/metrics", routeOptions("/metrics", kScopeHeadOffice),
               guarded(ctx, "/metrics", [&ctx](const http::Request& req, http::Response& res) {
                   if (!ctx.authorize(req, res, kScopeHeadOffice)) return;
                   std::ostringstream extra;
                   if (ctx.httpCounters) extra << ctx.httpCounters->render();
                   if (ctx.httpRefusals) extra << ctx.httpRefusals->render();
                   if (auto fleet = ctx.store->fleet()) {
                       extra << "# HELP touchpoint_kiosk_queue_depth Events waiting in a kiosk's outbox (last heartbeat).\n"
                                "# TYPE touchpoint_kiosk_queue_depth gauge\n";
                       for (const auto& k : *fleet) {
                           if (!k.queueDepth) continue;
                           extra << "touchpoint_kiosk_queue_depth{store=\"" << label(k.store) << "\",kiosk=\""
                                 << label(k.kiosk) << "\"} " << *k.queueDepth << "\n";
                       }
                   }
                   extra << "# HELP touchpoint_hub_session_key_agreements_total Key agreements (X25519) spent opening "
                            "kiosk-sealed values: about one per kiosk per session key (renewed hourly). Far more than "
                            "that means senders sealing each value under a new key, which costs the hub CPU.\n"
                            "# TYPE touchpoint_hub_session_key_agreements_total counter\n"
                         << "touchpoint_hub_session_key_agreements_total " << ctx.unsealer.sessionAgreements() << "\n";
                   if (const auto writer = ctx.store->writerTime()) {
                       extra << "# HELP touchpoint_hub_store_writer_busy_seconds_total Time the store's one writer (SQLite) "
                                "spent in write transactions. Growing at about one second a second, the writer sets the "
                                "ingest rate (docs/OPERATIONS.md, \"Capacity\").\n"
                                "# TYPE touchpoint_hub_store_writer_busy_seconds_total counter\n"
                             << "touchpoint_hub_store_writer_busy_seconds_total " << std::to_string(writer->busySeconds) << "\n"
                             << "# HELP touchpoint_hub_store_writer_cpu_seconds_total CPU time the writer used in that "
                                "time; the rest it waited for a core or the disk.\n"
                                "# TYPE touchpoint_hub_store_writer_cpu_seconds_total counter\n"
                             << "touchpoint_hub_store_writer_cpu_seconds_total " << std::to_string(writer->cpuSeconds) << "\n"
                             << "# HELP touchpoint_hub_store_writer_transactions_total Write transactions the writer ran.\n"
                                "# TYPE touchpoint_hub_store_writer_transactions_total counter\n"
                             << "touchpoint_hub_store_writer_transactions_total " << writer->transactions << "\n";
                   }
                   extra << renderCaseMetrics(ctx);
                   res.setContent(ctx.metrics.render(extra.str()), "text/plain; version=0.0.4");
               }));
}

}  // namespace touchpoint::hub
