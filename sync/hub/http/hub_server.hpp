#pragma once
// The hub's HTTPS server (Boost.Beast over OpenSSL, BeastServer in beast_server.hpp). Other parts of the hub
// (the dashboard) add their own routes through addRoutes() before start(); every route reaches the store,
// config and auth via HubContext. Routes that declare a scope are authenticated on the headers, before the
// body is read. Tests and the kiosk's GUI tests start one in-process on an ephemeral port: set
// config.port = 0, start(), read the port, stop().

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "event/sealing.hpp"
#include "hub/cases/notification_sender.hpp"
#include "hub/config/hub_config.hpp"
#include "hub/fleet/config_cache.hpp"
#include "hub/http/beast_server.hpp"
#include "hub/http/metrics.hpp"
#include "hub/http/router.hpp"
#include "hub/http/source_ledger.hpp"
#include "hub/http/write_health.hpp"
#include "hub/journey/stats_report.hpp"
#include "hub/store/hub_store.hpp"
namespace touchpoint::hub {

inline constexpr std::string_view kScopeIngest = "ingest";
inline constexpr std::string_view kScopeLookup = "lookup";
inline constexpr std::string_view kScopeHeadOffice = "head-office";

/// What every route handler may use. Lives as long as the server.
struct HubContext {
    HubConfig config;
    std::unique_ptr<HubStore> store;
    event::Unsealer unsealer;
    Metrics metrics;
    /// What each ingest token sent, on its way to the store (the Sources page); and the rejection log's limit.
    SourceLedger sourceLedger;
    const Clock* clock = &SystemClock::instance();
    /// The last store write's outcome, for /healthz.
    http::WriteHealth writeHealth;
    /// What the HTTP layer refused, for /metrics; set while the server runs.
    const http::ServerCounters* httpCounters = nullptr;
    const http::RefusalLog* httpRefusals = nullptr;
    /// Counts and logs a refusal a handler made after the token was read (set once the server exists).
    std::function<void(const http::RefusalNote&)> noteRefusal;
    /// Notification delivery and contact retention (runs while the server does); declared after `store`,
    /// which it uses, so it goes first.
    NotificationCounters notificationCounters;
    std::unique_ptr<NotificationSender> notificationSender;
    /// Assignments, regions and published bodies for the kiosks' config poll (hub/fleet/config_cache.hpp):
    /// reloaded at most every few seconds, and at once after a change through this process.
    std::unique_ptr<fleet::ConfigCache> fleetConfig;

    /// Reads Bearer or Basic (token as user name) credentials and checks the scope: the server's
    /// authenticator, run on the headers before the body is read.
    http::AuthOutcome authenticate(const http::Request& req, std::string_view scope);
    /// The token the server authenticated for this request's route, or (for a route without a declared
    /// scope) the same check done now. On failure it has already written the 401/403 JSON answer.
    std::optional<TokenRecord> authorize(const http::Request& req, http::Response& res, std::string_view scope);

    // For route groups that do their own auth and rendering (the dashboard):
    /// True when `token` is known, not revoked and has `scope`.
    bool tokenHasScope(std::string_view token, std::string_view scope);
    /// The /v1/stats report for UTC days from..to (inclusive), of the answers the survey filter selects; an
    /// error when the store cannot answer.
    Result<StatsReport, std::string> stats(const std::string& fromDay, const std::string& toDay,
                                           const std::optional<std::string>& store, const SurveyFilter& survey = {});
    /// Every kiosk the hub has heard from (what /v1/fleet answers); an error when the store cannot answer.
    Result<std::vector<KioskRecord>, std::string> fleet();
    /// Every ingest token (revoked ones only if they sent something) with what it sent since `sinceMs`; this
    /// process's unwritten counts are written first, so the answer includes the request just made.
    Result<std::vector<SourceRecord>, std::string> sources(std::int64_t sinceMs);
};

/// Sends `{"error": message}` with the status.
void sendError(http::Response& res, int status, const std::string& message);
/// 503 with Retry-After: 5, for a store that cannot answer now (a read, a write, an audit row).
void storeUnavailable(http::Response& res, const std::string& message = "store unavailable");
void sendJson(http::Response& res, const nlohmann::json& body, int status = 200);
/// The query's `limit` as a whole number in 1..max (`fallback` when absent), or nullopt with a 400 already sent.
std::optional<std::size_t> limitParam(const http::Request& req, http::Response& res, std::size_t fallback,
                                      std::size_t max);

/// Wraps a handler: counts it in /metrics and turns any escaped exception into a JSON 400, so no input
/// can produce a 500 or take the worker thread down.
http::Handler guarded(HubContext& ctx, std::string route, http::Handler handler);
/// Route options for a route of `scope` (empty: no token) named `name` in /metrics.
http::RouteOptions routeOptions(std::string name, std::string_view scope, std::size_t maxBodyBytes = 0);

using RouteRegistrar = std::function<void(http::Router&, HubContext&)>;

namespace privacy {
class RetentionJob;
}

class HubServer {
public:
    /// Opens the store named in config.storeUrl and reads the sealing keys. Errors are for a person. `clock`
    /// (outliving the server) is the context's clock and the store's.
    static Result<std::unique_ptr<HubServer>, std::string> create(HubConfig config,
                                                                  const Clock& clock = SystemClock::instance());
    /// Same with a store already open (tests that share one, bench).
    static Result<std::unique_ptr<HubServer>, std::string> create(HubConfig config, std::unique_ptr<HubStore> store,
                                                                  const Clock& clock = SystemClock::instance());
    ~HubServer();
    HubServer(const HubServer&) = delete;
    HubServer& operator=(const HubServer&) = delete;

    /// Adds routes (the dashboard's pages); call before start().
    void addRoutes(const RouteRegistrar& registrar);
    /// Binds (port 0 = any free port), starts serving on background threads, and returns the port once the
    /// server accepts connections.
    Result<int, std::string> start();
    /// Serves until SIGINT or SIGTERM (or stop() from another thread), then stops gracefully: the
    /// executable's main. Installs handlers for those signals while it runs (one run() per process).
    Result<void, std::string> run();
    /// Graceful: stops accepting, closes idle connections, lets in-flight requests finish within the
    /// configured grace (limits.shutdown_grace_ms). Idempotent.
    void stop();
    int port() const { return m_port; }
    HubContext& context() { return *m_ctx; }
    http::Router& router() { return m_router; }

private:
    HubServer() = default;

    std::unique_ptr<HubContext> m_ctx;
    http::Router m_router;
    std::unique_ptr<http::BeastServer> m_server;
    std::unique_ptr<privacy::RetentionJob> m_retention;  ///< [retention], while the server runs
    int m_port = 0;
};

/// Route groups (one file each).
void registerIngestRoutes(http::Router& router, HubContext& ctx);
void registerProfileRoutes(http::Router& router, HubContext& ctx);
void registerHeadOfficeRoutes(http::Router& router, HubContext& ctx);
void registerIdentityRoutes(http::Router& router, HubContext& ctx);
void registerCaseRoutes(http::Router& router, HubContext& ctx);
void registerFleetConfigRoutes(http::Router& router, HubContext& ctx);
/// The published configuration kiosk `kioskId` of `storeId` should run now (/v1/fleet); nothing when none is
/// assigned to it or the store cannot say.
std::optional<std::int64_t> expectedConfigVersion(HubContext& ctx, const std::string& storeId, const std::string& kioskId);
/// The notification queue's gauges and this process's delivery counters, for /metrics.
std::string renderCaseMetrics(HubContext& ctx);

}  // namespace touchpoint::hub
