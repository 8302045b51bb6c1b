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
    config.workerThreads = options.workerThreads;
    config.storeConnections = options.storeConnections;

    auto server = HubServer::create(config, options.clock ? *options.clock : SystemClock::instance());
    if (!server) return Fail(server.error());
    hub->m_server = std::move(server).value();
    auto& store = *hub->m_server->context().store;
    // Names carry the directory's unique suffix: several hubs may share one store in a test.
    const std::string suffix = hub->m_dir.filename().string().substr(std::string("touchpoint-hub-").size());
    auto ingest = createToken(store, "test-kiosk-" + suffix, "ingest");
    auto lookup = createToken(store, "test-staff-" + suffix, "lookup");
    auto office = createToken(store, "test-head-office-" + suffix, "head-office");
    if (!ingest || !lookup || !office) return Fail(std::string("could not create the test tokens"));
    hub->m_ingest = *ingest;
    hub->m_lookup = *lookup;
    hub->m_headOffice = *office;
    auto port = hub->m_server->start();
    if (!port) return Fail(port.error());
    hub->m_port = *port;
    return hub;
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
