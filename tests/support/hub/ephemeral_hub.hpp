#pragma once
// A complete hub in-process on 127.0.0.1 and an ephemeral port, for tests (ours, the kiosk's, staff mode's)
// and the bench: its own temporary directory with a fresh certificate, sealing key pair, store and one token
// per kind. Everything is removed on destruction.
//
//   auto hub = touchpoint::hub::EphemeralHub::start();          // SQLite in the temp dir
//   kioskConfig.hub.url = hub->url(); kioskConfig.hub.token = hub->ingestToken(); ...

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "hub/admin/hub_admin.hpp"
#include "hub/http/hub_server.hpp"

namespace touchpoint::hub {

class EphemeralHub;

struct EphemeralHubOptions {
    std::string storeUrl;   ///< empty: a SQLite file in the temp dir; or a postgresql:// URL
    LoyaltyConfig loyalty;  ///< defaults as in the config file
    CasesConfig cases;      ///< [cases], defaults as in the config file
    int workerThreads = 4;
    int storeConnections = 2;
    /// [limits]: what a client may cost the server; tests of a limit set it small (docs/OPERATIONS.md).
    ServerLimits limits;
    const Clock* clock = nullptr;  ///< the hub's clock (receivedAt, serverTime); default the system clock
    /// The store and kiosk ingestToken() and lookupToken() are bound to (a kiosk under test uses these ids).
    std::string storeId = "store-1";
    std::string kioskId = "k1";
    /// Extra routes added before the server starts (the dashboard's: dashboard::hubDashboardRoutes()).
    RouteRegistrar routes;
    /// Another hub whose sealing key pair this one uses (hubs behind one load balancer share it, so either opens
    /// what kiosks sealed); it outlives this one. Default: a key pair of its own.
    const EphemeralHub* sameSealingKeysAs = nullptr;
};

class EphemeralHub {
public:
    static Result<std::unique_ptr<EphemeralHub>, std::string> start(const EphemeralHubOptions& options = {});
    ~EphemeralHub();
    EphemeralHub(const EphemeralHub&) = delete;
    EphemeralHub& operator=(const EphemeralHub&) = delete;

    int port() const { return m_port; }
    std::string url() const { return "https://127.0.0.1:" + std::to_string(m_port); }
    const std::filesystem::path& dir() const { return m_dir; }
    /// PEM file of the hub's self-signed certificate (SAN localhost, 127.0.0.1): the kiosk's CA file.
    std::filesystem::path caFile() const { return m_dir / "hub-cert.pem"; }
    const std::string& sealingPublicKeyB64() const { return m_publicKey; }
    /// The store URL it runs on (another hub given it shares the store).
    const std::string& storeUrl() const { return m_storeUrl; }
    /// The kiosk token of options.storeId / options.kioskId.
    const std::string& ingestToken() const { return m_ingest; }
    /// A staff token bound to the same kiosk.
    const std::string& lookupToken() const { return m_lookup; }
    /// A head-office token with the admin role.
    const std::string& headOfficeToken() const { return m_headOffice; }
    /// A kiosk token bound to this store and kiosk, made on first use (then the same one).
    std::string kioskToken(const std::string& storeId, const std::string& kioskId);
    /// A staff token bound to this store and kiosk, made on first use (then the same one); its name is
    /// tokenName("staff:STORE/KIOSK").
    std::string staffToken(const std::string& storeId, const std::string& kioskId);
    /// The stored name of a token this hub made: "kiosk", "staff" and "head-office" for ingestToken(),
    /// lookupToken() and headOfficeToken(); else the key that made it ("head-office:analyst",
    /// "store-1/k2", "staff:store-1/k2"). Names carry the hub's suffix, unique when hubs share one store.
    std::string tokenName(const std::string& made) const;
    /// A write key of kind web | app | server, or a head-office token of role analyst | manager | admin
    /// (kind "head-office:ROLE"), made on first use.
    std::string token(const std::string& kind);
    HubServer& server() { return *m_server; }
    const std::string& sealingSecretKeyFile() const { return m_sealingSecretKeyFile; }
    HubStore& store() { return *m_server->context().store; }
    void stop();

private:
    EphemeralHub() = default;
    std::filesystem::path m_dir;
    std::unique_ptr<HubServer> m_server;
    int m_port = 0;
    /// Creates the token for `spec` once (by spec.name) and returns it.
    std::string made(const TokenSpec& spec);
    std::string m_publicKey, m_ingest, m_lookup, m_headOffice, m_suffix, m_storeUrl, m_sealingSecretKeyFile;
    std::mutex m_mutex;
    std::map<std::string, std::string> m_made;
};

}  // namespace touchpoint::hub
