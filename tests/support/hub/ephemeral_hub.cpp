#include "hub/ephemeral_hub.hpp"

#include <cstdlib>

#include "common/tls_cert.hpp"
#include "hub/admin/hub_admin.hpp"

namespace touchpoint::hub {

Result<std::unique_ptr<EphemeralHub>, std::string> EphemeralHub::start(const EphemeralHubOptions& options) {
    std::unique_ptr<EphemeralHub> hub(new EphemeralHub());
    std::string templ = (std::filesystem::temp_directory_path() / "touchpoint-hub-XXXXXX").string();
    if (!::mkdtemp(templ.data())) return Fail(std::string("mkdtemp failed"));
    hub->m_dir = templ;

    auto pem = tls::makeCertificate(tls::CertificateRequest{});
    if (!pem) return Fail("certificate: " + pem.error());
    HubConfig config;
    config.port = 0;
    config.tlsCertFile = hub->caFile().string();
    config.tlsKeyFile = (hub->m_dir / "hub-key.pem").string();
    if (auto r = tls::writeFileAtomically(config.tlsCertFile, pem->certificate, 0644); !r) return Fail(r.error());
    if (auto r = tls::writeFileAtomically(config.tlsKeyFile, pem->privateKey, 0600); !r) return Fail(r.error());
    if (const EphemeralHub* other = options.sameSealingKeysAs) {
        hub->m_publicKey = other->m_publicKey;
        hub->m_sealingSecretKeyFile = other->m_sealingSecretKeyFile;
    } else {
        const auto keys = event::generateSealingKeyPair();
        hub->m_publicKey = keys.publicKeyB64;
        hub->m_sealingSecretKeyFile = (hub->m_dir / "sealing-secret.key").string();
        if (auto r = tls::writeFileAtomically(hub->m_sealingSecretKeyFile, keys.secretKeyB64, 0600); !r) {
            return Fail(r.error());
        }
    }
    config.sealingSecretKeyFiles = {hub->m_sealingSecretKeyFile};
    config.storeUrl = options.storeUrl.empty() ? "sqlite://" + (hub->m_dir / "hub.db").string() : options.storeUrl;
    config.loyalty = options.loyalty;
    config.cases = options.cases;
    config.workerThreads = options.workerThreads;
    config.storeConnections = options.storeConnections;
    config.limits = options.limits;

    auto server = HubServer::create(config, options.clock ? *options.clock : SystemClock::instance());
    if (!server) return Fail(server.error());
    hub->m_server = std::move(server).value();
    auto& store = *hub->m_server->context().store;
    // Names carry the directory's unique suffix: several hubs may share one store in a test.
    const std::string suffix = hub->m_dir.filename().string().substr(std::string("touchpoint-hub-").size());
    hub->m_suffix = suffix;
    auto ingest = createToken(store, {"test-kiosk-" + suffix, "kiosk", options.storeId, options.kioskId, ""});
    auto lookup = createToken(store, {"test-staff-" + suffix, "staff", options.storeId, options.kioskId, ""});
    auto office = createToken(store, {"test-head-office-" + suffix, "head-office", "", "", "admin"});
    if (!ingest || !lookup || !office) return Fail(std::string("could not create the test tokens"));
    hub->m_made[options.storeId + "/" + options.kioskId] = *ingest;
    hub->m_ingest = *ingest;
    hub->m_lookup = *lookup;
    hub->m_headOffice = *office;
    hub->m_storeUrl = config.storeUrl;
    if (options.routes) hub->m_server->addRoutes(options.routes);
    auto port = hub->m_server->start();
    if (!port) return Fail(port.error());
    hub->m_port = *port;
    return hub;
}

std::string EphemeralHub::made(const TokenSpec& spec) {
    std::lock_guard lock(m_mutex);
    if (auto it = m_made.find(spec.name); it != m_made.end()) return it->second;
    TokenSpec named = spec;
    named.name = spec.name + "-" + m_suffix;  // unique when several hubs share one store
    auto t = createToken(store(), named);
    if (!t) return {};  // the test's request then fails with 401, naming no token
    m_made[spec.name] = *t;
    return *t;
}

std::string EphemeralHub::kioskToken(const std::string& storeId, const std::string& kioskId) {
    {
        std::lock_guard lock(m_mutex);
        if (auto it = m_made.find(storeId + "/" + kioskId); it != m_made.end()) return it->second;
    }
    return made({storeId + "/" + kioskId, "kiosk", storeId, kioskId, ""});
}

std::string EphemeralHub::staffToken(const std::string& storeId, const std::string& kioskId) {
    return made({"staff:" + storeId + "/" + kioskId, "staff", storeId, kioskId, ""});
}

std::string EphemeralHub::tokenName(const std::string& made) const {
    if (made == "kiosk" || made == "staff" || made == "head-office") return "test-" + made + "-" + m_suffix;
    return made + "-" + m_suffix;
}

std::string EphemeralHub::token(const std::string& kind) {
    if (kind.rfind("head-office:", 0) == 0) return made({kind, "head-office", "", "", kind.substr(12)});
    return made({kind, kind, "", "", ""});
}

void EphemeralHub::stop() {
    if (m_server) m_server->stop();
}

EphemeralHub::~EphemeralHub() {
    stop();
    m_server.reset();  // closes the store before its files go
    std::error_code ec;
    if (!m_dir.empty()) std::filesystem::remove_all(m_dir, ec);
}

}  // namespace touchpoint::hub
