#include "ctl/ctl_context.hpp"

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/clock.hpp"
#include "common/tls_cert.hpp"
#include "event/sealing.hpp"

namespace touchpoint::ctl {

const config::KioskConfig* Context::kioskConfig() {
    if (!m_configLoaded) {
        m_configLoaded = true;
        if (m_global.config) {
            auto loaded = config::loadKioskConfig(*m_global.config);
            if (!loaded) {
                // Every problem, one per line; the last line is the summary main prints.
                const std::string all = loaded.error().format();
                std::fprintf(stderr, "%s", all.c_str());
                throw RuntimeError("invalid config " + m_global.config->string() + " (" +
                                   std::to_string(loaded.error().issues.size()) + " problem(s) above)");
            }
            m_config = std::move(loaded.value());
        }
    }
    return m_config ? &*m_config : nullptr;
}

std::filesystem::path Context::dbPath() {
    if (m_global.db) return *m_global.db;
    if (const auto* cfg = kioskConfig()) return cfg->outbox.path;
    throw UsageError("--db PATH is required (or --config FILE with an [outbox] path)");
}

outbox::Outbox& Context::outbox() {
    if (!m_outbox) {
        outbox::OutboxOptions options;
        options.path = dbPath();
        if (const auto* cfg = kioskConfig()) options.byteBudget = cfg->outbox.byteBudget;
        outbox::OpenReport report;
        auto opened = outbox::Outbox::open(options, &report);
        if (!opened) throw RuntimeError(opened.error().message);
        if (report.recovered) {
            std::fprintf(stderr, "touchpointctl: the outbox was corrupt (%s); it was moved to %s and a fresh one started\n",
                         report.recoveryReason.c_str(), report.movedAsideTo.c_str());
        }
        m_outbox = std::move(opened.value());
    }
    return *m_outbox;
}

std::string Context::phoneRegion() {
    if (const auto* cfg = kioskConfig()) return cfg->device.phoneRegion;
    return "US";
}

namespace {

struct TestKeys {
    std::string sealingPublicKey;
    std::string sealingSecretKey;
    std::string identityHashKey;
};

/// Test keys live beside the db so repeated runs (and the hub in a test) agree on them. They are test-only:
/// a real kiosk never holds the sealing secret key.
TestKeys loadOrCreateTestKeys(const std::filesystem::path& file, bool& created) {
    created = false;
    if (std::filesystem::exists(file)) {
        std::ifstream in(file);
        nlohmann::json j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
        if (j.is_discarded() || !j.contains("sealingPublicKey") || !j.contains("identityHashKey")) {
            throw RuntimeError("test key file " + file.string() + " is not valid; remove it to make new keys");
        }
        return {j.value("sealingPublicKey", ""), j.value("sealingSecretKey", ""), j.value("identityHashKey", "")};
    }
    const event::KeyPair kp = event::generateSealingKeyPair();
    TestKeys keys{kp.publicKeyB64, kp.secretKeyB64, event::IdentityHasher::generateKeyB64()};
    const nlohmann::json j{{"note", "touchpointctl test keys (no --config given); never use these in a store"},
                           {"sealingPublicKey", keys.sealingPublicKey},
                           {"sealingSecretKey", keys.sealingSecretKey},
                           {"identityHashKey", keys.identityHashKey}};
    if (auto written = tls::writeFileAtomically(file.string(), j.dump(2) + "\n", 0600); !written) {
        throw RuntimeError("cannot write test keys: " + written.error());
    }
    created = true;
    return keys;
}

}  // namespace

const event::KioskEventFactory& Context::factory() {
    if (m_factory) return *m_factory;
    event::DeviceIdentity device;
    device.appVersion = "touchpointctl";
    device.bootId = currentBootId();
    std::string publicKey;
    std::string hashKey;
    if (const auto* cfg = kioskConfig()) {
        device.storeId = cfg->device.storeId;
        device.kioskId = cfg->device.kioskId;
        device.timeZone = cfg->device.timeZone;
        publicKey = cfg->privacy.sealingPublicKeyB64;
        hashKey = cfg->privacy.identityHashKeyB64;
    } else {
        const std::filesystem::path keyFile = dbPath().string() + ".test-keys.json";
        bool created = false;
        const TestKeys keys = loadOrCreateTestKeys(keyFile, created);
        device.storeId = "test-store";
        device.kioskId = "test-kiosk";
        device.timeZone = "UTC";
        publicKey = keys.sealingPublicKey;
        hashKey = keys.identityHashKey;
        std::fprintf(stderr,
                     "touchpointctl: no --config: using test defaults (store test-store, kiosk test-kiosk, time zone "
                     "UTC, phone region US) and test keys %s %s\n",
                     created ? "written to" : "reused from", keyFile.c_str());
    }
    auto sealer = event::Sealer::fromPublicKeyB64(publicKey);
    if (!sealer) throw RuntimeError("sealing public key: " + sealer.error());
    auto hasher = event::IdentityHasher::fromKeyB64(hashKey);
    if (!hasher) throw RuntimeError("identity hash key: " + hasher.error());
    m_factory = std::make_unique<event::KioskEventFactory>(device, sealer.value(), hasher.value(),
                                                           SystemClock::instance());
    return *m_factory;
}

std::string formatAge(std::int64_t ms) {
    if (ms < 0) ms = 0;
    std::int64_t s = ms / 1000;
    std::ostringstream out;
    if (s >= 86400) out << s / 86400 << "d";
    if (s >= 3600) out << (s % 86400) / 3600 << "h";
    if (s >= 60) out << (s % 3600) / 60 << "m";
    out << s % 60 << "s";
    return out.str();
}

}  // namespace touchpoint::ctl
