#pragma once
// A complete hub in-process on 127.0.0.1 and an ephemeral port, for tests (ours, the kiosk's, staff mode's)
// and the bench: its own temporary directory with a fresh certificate, sealing key pair, store and one token
// per scope. Everything is removed on destruction.
//
//   auto hub = touchpoint::hub::EphemeralHub::start();          // SQLite in the temp dir
//   kioskConfig.hub.url = hub->url(); kioskConfig.hub.token = hub->ingestToken(); ...

#include <filesystem>
#include <memory>
#include <string>

#include "hub/http/hub_server.hpp"

namespace touchpoint::hub {

class EphemeralHub;

struct EphemeralHubOptions {
    std::string storeUrl;   ///< empty: a SQLite file in the temp dir; or a postgresql:// URL
    LoyaltyConfig loyalty;  ///< defaults as in the config file
    int workerThreads = 4;
    int storeConnections = 2;
    const Clock* clock = nullptr;  ///< the hub's clock (receivedAt, serverTime); default the system clock
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
    const std::string& ingestToken() const { return m_ingest; }
    const std::string& lookupToken() const { return m_lookup; }
    const std::string& headOfficeToken() const { return m_headOffice; }
    HubServer& server() { return *m_server; }
    const std::string& sealingSecretKeyFile() const { return m_sealingSecretKeyFile; }
    HubStore& store() { return *m_server->context().store; }
    void stop();

private:
    EphemeralHub() = default;
    std::filesystem::path m_dir;
    std::unique_ptr<HubServer> m_server;
    int m_port = 0;
    std::string m_publicKey, m_ingest, m_lookup, m_headOffice, m_sealingSecretKeyFile;
};

}  // namespace touchpoint::hub
