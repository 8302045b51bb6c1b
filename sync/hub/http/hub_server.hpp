#pragma once
// The hub's HTTPS server (cpp-httplib over OpenSSL). Other parts of the hub (the dashboard) add their own
// routes through addRoutes() before start(); every route reaches the store, config and auth via HubContext.
// Tests and the kiosk's GUI tests start one in-process on an ephemeral port: set config.port = 0, start(),
// read the port, stop().

#include <httplib.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/clock.hpp"
#include "event/sealing.hpp"
#include "hub/config/hub_config.hpp"
#include "hub/store/hub_store.hpp"
#include "hub/http/metrics.hpp"

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
    const Clock* clock = &SystemClock::instance();

    /// Reads Bearer or Basic (token as user name) credentials and checks the scope. On failure it has
    /// already written the 401/403 JSON answer and returns nullopt.
    std::optional<TokenRecord> authorize(const httplib::Request& req, httplib::Response& res, std::string_view scope);

    // For route groups that do their own auth and rendering (the dashboard):
    /// True when `token` is known, not revoked and has `scope`.
    bool tokenHasScope(std::string_view token, std::string_view scope);
    /// The /v1/stats document for UTC days from..to (inclusive); an error when the store cannot answer.
    Result<nlohmann::json, std::string> statsJson(const std::string& fromDay, const std::string& toDay,
                                                  const std::optional<std::string>& store);
    /// The /v1/fleet document: {"kiosks":[...], "serverTime": ...}.
    Result<nlohmann::json, std::string> fleetJson();
};

/// Sends `{"error": message}` with the status.
void sendError(httplib::Response& res, int status, const std::string& message);
void sendJson(httplib::Response& res, const nlohmann::json& body, int status = 200);

/// Wraps a handler: counts it in /metrics and turns any escaped exception into a JSON 400, so no input
/// can produce a 500 or take the worker thread down.
httplib::Server::Handler guarded(HubContext& ctx, std::string route,
                                 std::function<void(const httplib::Request&, httplib::Response&)> handler);

using RouteRegistrar = std::function<void(httplib::Server&, HubContext&)>;

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
    /// Binds (port 0 = any free port), starts serving on a background thread, and returns the port once the
    /// server accepts connections.
    Result<int, std::string> start();
    /// Blocks serving on the calling thread until stop() (the executable's main).
    Result<void, std::string> run();
    void stop();
    int port() const { return m_port; }
    HubContext& context() { return *m_ctx; }
    httplib::Server& http() { return *m_http; }

private:
    HubServer() = default;
    Result<void, std::string> bind();

    std::unique_ptr<HubContext> m_ctx;
    std::unique_ptr<httplib::SSLServer> m_http;
    std::thread m_thread;
    int m_port = 0;
};

/// Route groups (one file each).
void registerIngestRoutes(httplib::Server& server, HubContext& ctx);
void registerProfileRoutes(httplib::Server& server, HubContext& ctx);
void registerHeadOfficeRoutes(httplib::Server& server, HubContext& ctx);

}  // namespace touchpoint::hub
