// Head office: exports (streamed), stats, fleet, metrics.

#include <regex>
#include <sstream>

#include "hub/http/hub_server.hpp"
#include "hub/journey/stats.hpp"

namespace touchpoint::hub {

namespace {

using nlohmann::json;

constexpr std::size_t kExportPage = 500;

bool isDay(const std::string& s) {
    static const std::regex day(R"(\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01]))");
    return std::regex_match(s, day);
}

/// from/to as UTC days; defaults to the last 30 days. Writes a 400 and returns false on a bad value.
bool dayRange(const HubContext& ctx, const httplib::Request& req, httplib::Response& res, std::string& from,
              std::string& to) {
    const auto now = ctx.clock->utcMs();
    to = req.has_param("to") ? req.get_param_value("to") : formatIsoUtcDay(now);
    from = req.has_param("from") ? req.get_param_value("from")
                                 : formatIsoUtcDay(now - 29LL * 24 * 3600 * 1000);
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

const std::vector<std::string>& columnsFor(const std::string& kind) {
    static const std::vector<std::string> events{"messageId", "at", "store", "kiosk", "channel", "type", "event",
                                                 "profileId", "payload"};
    static const std::vector<std::string> feedback{"messageId", "at", "store", "kiosk", "profileId", "abandoned",
                                                   "misuse", "nps", "csat", "ces", "reasons", "comment", "surveyId",
                                                   "abandonReason"};
    static const std::vector<std::string> signins{"messageId", "at", "store", "kiosk", "profileId", "method",
                                                  "newMember", "pointsAwarded"};
    static const std::vector<std::string> profiles{"profileId", "memberId", "member", "points", "stage", "latestNps",
                                                   "createdAt"};
    if (kind == "events") return events;
    if (kind == "feedback") return feedback;
    if (kind == "signins") return signins;
    return profiles;
}

std::string csvCell(const json& v) {
    std::string s;
    if (v.is_null()) return s;
    if (v.is_string()) s = v.get<std::string>();
    else s = v.dump(-1, ' ', false, json::error_handler_t::replace);
    // Cells that a spreadsheet would run as a formula are prefixed (CSV injection).
    if (!s.empty() && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@') && !v.is_number()) s = "'" + s;
    if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

struct ExportState {
    std::string kind, from, to, store, cursor;
    bool csv = false;
    bool started = false;
    bool first = true;
};

void exportRoute(HubContext& ctx, const httplib::Request& req, httplib::Response& res) {
    if (!ctx.authorize(req, res, kScopeHeadOffice)) return;
    auto state = std::make_shared<ExportState>();
    state->kind = req.matches[1].str();
    if (!dayRange(ctx, req, res, state->from, state->to)) return;
    state->store = req.get_param_value("store");
    const auto format = req.has_param("format") ? req.get_param_value("format") : "json";
    if (format != "csv" && format != "json") {
        sendError(res, 400, "format: expected csv or json");
        return;
    }
    state->csv = format == "csv";
    res.status = 200;
    // Each call reads one page after the cursor, so an export of millions of rows never sits in memory.
    res.set_chunked_content_provider(
        state->csv ? "text/csv; charset=utf-8" : "application/json",
        [&ctx, state](std::size_t, httplib::DataSink& sink) {
            std::string chunk;
            const auto& cols = columnsFor(state->kind);
            if (!state->started) {
                state->started = true;
                if (state->csv) {
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
                    for (std::size_t i = 0; i < cols.size(); ++i) {
                        if (i) chunk += ',';
                        chunk += csvCell(row.contains(cols[i]) ? row[cols[i]] : json(nullptr));
                    }
                    chunk += "\r\n";
                } else {
                    if (!state->first) chunk += ",";
                    state->first = false;
                    chunk += row.dump(-1, ' ', false, json::error_handler_t::replace);
                }
            }
            const bool last = page->size() < kExportPage;
            if (last && !state->csv) chunk += "]";
            if (!chunk.empty() && !sink.write(chunk.data(), chunk.size())) return false;
            if (last) sink.done();
            return true;
        });
}

void statsRoute(HubContext& ctx, const httplib::Request& req, httplib::Response& res) {
    if (!ctx.authorize(req, res, kScopeHeadOffice)) return;
    std::string from, to;
    if (!dayRange(ctx, req, res, from, to)) return;
    const auto store = req.has_param("store") ? std::optional(req.get_param_value("store")) : std::nullopt;
    auto data = ctx.store->statsData(from, to, store.value_or(""));
    if (!data) {
        res.set_header("Retry-After", "5");
        sendError(res, 503, "store unavailable");
        return;
    }
    sendJson(res, computeStats(*data, from, to, store));
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

void registerHeadOfficeRoutes(httplib::Server& server, HubContext& ctx) {
    server.Get(R"(/v1/export/(events|feedback|signins|profiles))",
               guarded(ctx, "/v1/export", [&ctx](const auto& req, auto& res) { exportRoute(ctx, req, res); }));
    server.Get("/v1/stats", guarded(ctx, "/v1/stats", [&ctx](const auto& req, auto& res) { statsRoute(ctx, req, res); }));
    server.Get("/v1/fleet", guarded(ctx, "/v1/fleet", [&ctx](const httplib::Request& req, httplib::Response& res) {
                   if (!ctx.authorize(req, res, kScopeHeadOffice)) return;
                   auto fleet = ctx.store->fleet();
                   if (!fleet) {
                       res.set_header("Retry-After", "5");
                       sendError(res, 503, "store unavailable");
                       return;
                   }
                   sendJson(res, {{"kiosks", *fleet}, {"serverTime", formatIsoUtcMs(ctx.clock->utcMs())}});
               }));
    server.Get("/metrics", guarded(ctx, "/metrics", [&ctx](const httplib::Request& req, httplib::Response& res) {
                   if (!ctx.authorize(req, res, kScopeHeadOffice)) return;
                   std::ostringstream extra;
                   if (auto fleet = ctx.store->fleet()) {
                       extra << "# HELP touchpoint_kiosk_queue_depth Events waiting in a kiosk's outbox (last heartbeat).\n"
                                "# TYPE touchpoint_kiosk_queue_depth gauge\n";
                       for (const auto& k : *fleet) {
                           if (!k["queueDepth"].is_number()) continue;
                           extra << "touchpoint_kiosk_queue_depth{store=\"" << label(k["store"].get<std::string>())
                                 << "\",kiosk=\"" << label(k["kiosk"].get<std::string>()) << "\"} "
                                 << k["queueDepth"].get<std::int64_t>() << "\n";
                       }
                   }
                   res.set_content(ctx.metrics.render(extra.str()), "text/plain; version=0.0.4");
               }));
}

}  // namespace touchpoint::hub
