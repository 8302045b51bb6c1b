#pragma once
// The head-office dashboard on the hub's HTTPS server: a sign-in page that trades a head-office token for a
// session cookie, the embedded page and its assets, one JSON data call and CSV downloads of each table.
// It reaches the hub only through DashboardServices, so it can be wired to the real HubContext or to fakes.
//
// Routes (all on the hub's server):
//   GET  /                        the dashboard (303 to the sign-in page without a session)
//   GET  /dashboard/signin        sign-in page             POST /dashboard/signin   token -> session cookie
//   POST /dashboard/signout       ends the session
//   GET  /dashboard/assets/<f>    embedded CSS/JS (chart.js included); no personal data, no session needed
//   GET  /dashboard/api/data      ?from=YYYY-MM-DD&to=YYYY-MM-DD&store=ID&survey=ID&surveyVersion=N
//                                 -> stats, daily series, fleet, tables
//   GET  /dashboard/csv/<table>   same query -> the table as shown, as CSV
// Data calls take the session cookie or "Authorization: Bearer <head-office token>"; without either: 401.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "hub/dashboard/session_store.hpp"
#include "hub/dashboard/sources_table.hpp"
#include "hub/dashboard/tables.hpp"
#include "hub/http/router.hpp"

namespace touchpoint::hub::dashboard {

/// What /v1/stats takes: UTC days, both ends included, an optional store id and which survey's answers.
struct StatsQuery {
    std::string from;
    std::string to;
    std::optional<std::string> store;
    SurveyFilter survey;
};

/// The hub functions the dashboard uses. All must be safe to call from several server threads at once.
struct DashboardServices {
    /// True for a live head-office token (the hub checks its hash, scope and revocation).
    std::function<bool(std::string_view token)> isHeadOfficeToken;
    /// The /v1/stats report for a query; an error string when the store could not answer.
    std::function<Result<StatsReport, std::string>(const StatsQuery&)> stats;
    /// Every kiosk the hub has heard from (what /v1/fleet answers).
    std::function<Result<std::vector<KioskRecord>, std::string>()> fleet;
    /// Optional: for all stores, each day's overall figures of /v1/stats?from=D&to=D, by day, in one go.
    /// Without it the dashboard asks `stats` once per day.
    std::function<Result<std::map<std::string, GroupFigures>, std::string>(const StatsQuery&)> dailyOverall;
    /// Optional: every ingest token with what it sent in the last 24 hours (the Sources page); without it the
    /// page has no Sources tables.
    std::function<Result<std::vector<SourceRecord>, std::string>()> sources;
    /// Optional: where sessions live (the hub's store, so they end when their token is revoked or its role
    /// changes, on every hub process). Without it, in this process's memory.
    std::shared_ptr<SessionBackend> sessionBackend;
};

struct DashboardOptions {
    SessionPolicy sessions;
    FleetThresholds fleet;
    /// Longest date range one page shows; the per-day series asks the store once per day.
    int maxRangeDays = 186;
    /// Wrong tokens allowed per client address per minute before sign-in answers 429.
    int signinFailuresPerMinute = 10;
};

/// A request the dashboard cannot serve, with the HTTP status to answer.
struct DashboardError {
    int status = 400;
    std::string message;
};

/// False for a browser POST from another site (its Origin is not this host, or "null"); a request without an
/// Origin (a script) passes. Every state-changing dashboard form or call checks it.
bool sameOrigin(const http::Request& req);
/// Parses and checks from/to/store (dates must be real, from <= to, range within the limit, store id plain).
Result<StatsQuery, DashboardError> parseQuery(const std::string& from, const std::string& to, const std::string& store,
                                              int maxRangeDays);
/// parseQuery of a request's from/to/store, and its survey/surveyVersion checked as /v1/stats checks them.
Result<StatsQuery, DashboardError> parseStatsQuery(const http::Request& req, int maxRangeDays);
/// Every UTC day from..to inclusive, "YYYY-MM-DD" (the query must have passed parseQuery).
std::vector<std::string> daysBetween(const std::string& from, const std::string& to);

class Dashboard {
public:
    Dashboard(DashboardServices services, DashboardOptions options, const Clock& clock = SystemClock::instance());

    /// Adds the routes listed above. Every handler holds `keepAlive` (pass the shared_ptr owning this
    /// Dashboard when the server outlives the caller's scope); without it the Dashboard must outlive the server.
    void registerRoutes(http::Router& router, std::shared_ptr<void> keepAlive = {});

    /// The document /dashboard/api/data answers: {stats, daily, stores, fleetSummary, tables, generatedAt}.
    Result<nlohmann::json, DashboardError> data(const StatsQuery& query);

    SessionStore& sessions() { return m_sessions; }

    /// For pages that need the person's role: the hash of the token behind the request's live session (its
    /// idle timeout extended), or none. Bearer tokens are the caller's to check.
    std::optional<std::string> sessionTokenHash(const http::Request& req);

    static constexpr std::string_view kCookieName = "__Host-tp_session";

private:
    bool authorised(const http::Request& req);
    std::string sessionIdFrom(const http::Request& req) const;
    bool allowSigninAttempt(const std::string& address);
    void recordSigninFailure(const std::string& address);

    void handleIndex(const http::Request& req, http::Response& res);
    void handleSigninPage(const http::Request& req, http::Response& res);
    void handleSignin(const http::Request& req, http::Response& res);
    void handleSignout(const http::Request& req, http::Response& res);
    void handleAsset(const http::Request& req, http::Response& res);
    void handleData(const http::Request& req, http::Response& res);
    void handleCsv(const http::Request& req, http::Response& res);

    DashboardServices m_services;
    DashboardOptions m_options;
    const Clock& m_clock;
    SessionStore m_sessions;
    std::mutex m_failuresMutex;
    std::map<std::string, std::vector<std::int64_t>> m_signinFailures;  // by client address
};

}  // namespace touchpoint::hub::dashboard
