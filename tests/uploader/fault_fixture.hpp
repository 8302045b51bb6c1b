#pragma once
// Shared setup for the uploader's fault suite: a CA and server certificate made per test, the in-process
// HTTPS hub receiver on an ephemeral port, a real outbox file in a TempDir, and an uploader with a short,
// deterministic backoff (jitter fixed at its ceiling) so request counts can be checked against the schedule.

#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/tls_cert.hpp"
#include "common/uuid.hpp"
#include "outbox/outbox.hpp"
#include "protocol/hub_receiver.hpp"
#include "temp_dir.hpp"
#include "uploader/uploader.hpp"

namespace touchpoint::uploader::testing {

using namespace std::chrono_literals;

inline event::Message makeMessage(int n) {
    event::Message m;
    m.type = event::MessageType::Track;
    m.messageId = newUuidV4();
    m.timestampMs = SystemClock::instance().utcMs();
    m.event = std::string(event::names::kFeedback);
    m.anonymousId = "session-" + std::to_string(n);
    m.properties = {{"surveyId", "store-visit"}, {"answers", {{"nps", n % 11}}}, {"n", n}};
    m.context.storeId = "store-0001";
    m.context.kioskId = "kiosk-01";
    m.context.sessionId = m.anonymousId;
    m.kind = event::EventKind::Feedback;
    m.priority = event::Priority::Feedback;
    return m;
}

/// The most requests a client following the schedule (full jitter fixed at the ceiling) can make within
/// `elapsed`: the first is immediate, then one after each delay. A storm would exceed it.
inline int maxAttemptsWithin(std::chrono::milliseconds elapsed, std::chrono::milliseconds base,
                             std::chrono::milliseconds cap) {
    Backoff b(base, cap, [] { return 1.0; });
    int attempts = 1;
    std::int64_t t = 0;
    for (int failures = 1;; ++failures) {
        t += b.ceiling(failures).count();
        if (t > elapsed.count()) return attempts;
        ++attempts;
    }
}

struct HealthLog {
    std::mutex mutex;
    std::vector<std::pair<UploaderState, std::string>> seen;
    std::int64_t mostSentPlusQueued = 0;  ///< a message counted both sent and still queued shows here
    void add(const HealthSnapshot& h) {
        std::lock_guard lock(mutex);
        mostSentPlusQueued = std::max(mostSentPlusQueued, h.eventsSent + h.queueDepth);
        if (seen.empty() || seen.back().first != h.state || seen.back().second != h.causeCode) {
            seen.emplace_back(h.state, h.causeCode);
        }
    }
    bool contains(UploaderState state, const std::string& cause) {
        std::lock_guard lock(mutex);
        for (const auto& [s, c] : seen) {
            if (s == state && c == cause) return true;
        }
        return false;
    }
    std::string dump() {
        std::lock_guard lock(mutex);
        std::string out;
        for (const auto& [s, c] : seen) out += std::string(toString(s)) + ":" + c + " ";
        return out;
    }
};

class UploaderFaultTest : public ::testing::Test {
protected:
    static constexpr auto kBase = 50ms;
    static constexpr auto kCap = 400ms;

    void SetUp() override {
        auto ca = tls::makeCertificate(caRequest());
        ASSERT_TRUE(ca.ok()) << ca.error();
        m_ca = ca.value();
        caFile = (dir / "ca.pem").string();
        ASSERT_TRUE(tls::writeFileAtomically(caFile, m_ca.certificate, 0644).ok());
        outboxPath = dir / "outbox.db";
        outbox::OutboxOptions oo;
        oo.path = outboxPath;
        auto ob = outbox::Outbox::open(oo);
        ASSERT_TRUE(ob.ok()) << ob.error().message;
        box = std::move(ob.value());
    }

    void TearDown() override {
        // The uploader first: destroying it closes its keep-alive connection, which the server would
        // otherwise wait out before it can stop.
        uploader.reset();
        if (hub) hub->stop();
    }

    static tls::CertificateRequest caRequest() {
        tls::CertificateRequest r;
        r.commonName = "Touchpoint Test CA";
        r.dnsNames.clear();
        r.ipAddresses.clear();
        r.isCa = true;
        return r;
    }

    tls::Pem serverCert(tls::CertificateRequest r = {}) {
        auto c = tls::makeCertificate(r, m_ca);
        EXPECT_TRUE(c.ok());
        return c.ok() ? c.value() : tls::Pem{};
    }

    void startHub(tls::Pem cert, int port = 0, std::int64_t clockOffsetMs = 0) {
        protocol::HubReceiverOptions o;
        o.serverCertificate = std::move(cert);
        o.token = "kiosk-token";
        o.port = port;
        o.clockOffsetMs = clockOffsetMs;
        auto r = protocol::HubReceiver::start(o);
        ASSERT_TRUE(r.ok()) << r.error();
        hub = std::move(r.value());
    }

    UploaderOptions options(const std::string& url) {
        UploaderOptions o;
        o.http.baseUrl = url;
        o.http.caFile = caFile;
        o.http.connectTimeout = 2s;
        o.http.totalTimeout = 10s;
        o.http.lowSpeedBytesPerS = 100;
        o.http.lowSpeedTime = 1s;
        o.token = "kiosk-token";
        o.outboxPath = outboxPath;
        o.backoffBase = kBase;
        o.backoffCap = kCap;
        o.random01 = [] { return 1.0; };
        o.recoveryDelayMax = 100ms;
        o.drainRatePerS = 1e6;
        o.idlePoll = 50ms;
        o.statsRefresh = 0ms;
        o.heartbeatInterval = 0ms;
        return o;
    }

    void startUploader(UploaderOptions o) {
        auto u = Uploader::create(std::move(o));
        ASSERT_TRUE(u.ok()) << u.error();
        uploader = std::move(u.value());
        uploader->setOnHealthChanged([this](const HealthSnapshot& h) { healthLog.add(h); });
        uploader->start();
    }

    std::vector<std::string> enqueue(int n) {
        std::vector<std::string> ids;
        for (int i = 0; i < n; ++i) {
            auto m = makeMessage(i);
            auto r = box->enqueue(m);
            EXPECT_TRUE(r.ok()) << r.error().message;
            ids.push_back(m.messageId);
        }
        return ids;
    }

    std::int64_t pending() {
        auto s = box->stats();
        EXPECT_TRUE(s.ok());
        return s.ok() ? s->pendingCount : -1;
    }

    /// Polls the outbox until nothing is pending; never a timing assertion, only a generous limit.
    bool waitDrained(std::chrono::seconds limit = 60s) {
        const auto until = std::chrono::steady_clock::now() + limit;
        while (std::chrono::steady_clock::now() < until) {
            if (pending() == 0) return true;
            std::this_thread::sleep_for(20ms);
        }
        return false;
    }

    bool waitHealth(const std::function<bool(const HealthSnapshot&)>& pred, std::chrono::seconds limit = 60s) {
        const auto until = std::chrono::steady_clock::now() + limit;
        while (std::chrono::steady_clock::now() < until) {
            if (pred(uploader->health())) return true;
            std::this_thread::sleep_for(10ms);
        }
        return false;
    }

    /// No event lost, none accepted twice.
    void expectDeliveredExactlyOnce(const std::vector<std::string>& ids) {
        EXPECT_EQ(pending(), 0);
        const auto st = hub->stats();
        for (const auto& id : ids) {
            const auto it = st.acceptCount.find(id);
            ASSERT_NE(it, st.acceptCount.end()) << "never accepted: " << id;
            EXPECT_EQ(it->second, 1) << "accepted twice: " << id;
        }
        EXPECT_EQ(st.acceptCount.size(), ids.size());
    }

    touchpoint::testing::TempDir dir;
    std::string caFile;
    std::filesystem::path outboxPath;
    std::unique_ptr<outbox::Outbox> box;
    std::unique_ptr<protocol::HubReceiver> hub;
    std::unique_ptr<Uploader> uploader;
    HealthLog healthLog;
    tls::Pem m_ca;
};

}  // namespace touchpoint::uploader::testing
