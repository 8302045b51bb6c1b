// Staff mode against real things: lookups over HTTPS on loopback with certificates made here, the offline
// cache when that server is gone, and a dead letter made by a real uploader, listed and replayed through the
// staff controller.
#include <gtest/gtest.h>

#include <set>

#include <httplib.h>

#include <chrono>
#include <thread>

#include "app/staff_lookup_client.hpp"
#include "app/staff_outbox.hpp"
#include "app/staff_status_cache.hpp"
#include "app/uploader_sync.hpp"
#include "common/tls_cert.hpp"
#include "event/sealing.hpp"
#include "outbox/outbox.hpp"
#include "protocol/hub_receiver.hpp"
#include "staff/lookup_service.hpp"
#include "staff/pin.hpp"
#include "staff/staff_controller.hpp"
#include "temp_dir.hpp"
#include "uploader/uploader.hpp"

namespace touchpoint::kiosk::staff {
namespace {

using namespace std::chrono_literals;
using touchpoint::testing::TempDir;

const char* kBody = R"({"found": true, "firstInitial": "J", "tier": "Silver", "points": 340,
  "nextTier": "Gold", "pointsToNextTier": 160, "progress": 0.68, "journeyStage": "retention"})";

tls::CertificateRequest caRequest() {
    tls::CertificateRequest r;
    r.commonName = "Staff Test CA";
    r.dnsNames.clear();
    r.ipAddresses.clear();
    r.isCa = true;
    return r;
}

/// A minimal lookup endpoint: the real hub's is tested by the hub suite; this checks our side of the wire.
class LookupServer {
public:
    LookupServer(const std::string& certFile, const std::string& keyFile)
        : m_server(certFile.c_str(), keyFile.c_str()) {
        m_server.Get("/v1/profiles/lookup", [this](const httplib::Request& req, httplib::Response& res) {
            ++requests;
            if (req.get_header_value("Authorization") != "Bearer staff-token") {
                res.status = 401;
                res.set_content(R"({"error":"unknown token"})", "application/json");
                return;
            }
            if (req.get_param_value("phone") != "+12025550143") {
                res.status = 404;
                res.set_content(R"({"error":"not found"})", "application/json");
                return;
            }
            res.set_content(kBody, "application/json");
        });
        m_port = m_server.bind_to_any_port("127.0.0.1");
        m_thread = std::thread([this] { m_server.listen_after_bind(); });
        while (!m_server.is_running()) std::this_thread::sleep_for(5ms);
    }
    ~LookupServer() { stop(); }
    void stop() {
        m_server.stop();
        if (m_thread.joinable()) m_thread.join();
    }
    std::string url() const { return "https://127.0.0.1:" + std::to_string(m_port); }
    std::atomic<int> requests{0};

private:
    httplib::SSLServer m_server;
    int m_port = 0;
    std::thread m_thread;
};

struct Pki {
    TempDir& dir;
    tls::Pem ca;
    std::string caFile;
    std::string certFile;
    std::string keyFile;

    explicit Pki(TempDir& d) : dir(d) {
        ca = tls::makeCertificate(caRequest()).value();
        const tls::Pem server = tls::makeCertificate({}, ca).value();
        caFile = (dir / "ca.pem").string();
        certFile = (dir / "server.pem").string();
        keyFile = (dir / "server.key").string();
        EXPECT_TRUE(tls::writeFileAtomically(caFile, ca.certificate, 0644));
        EXPECT_TRUE(tls::writeFileAtomically(certFile, server.certificate, 0644));
        EXPECT_TRUE(tls::writeFileAtomically(keyFile, server.privateKey, 0600));
    }
};

uploader::HttpsClientOptions clientOptions(const std::string& url, const std::string& caFile) {
    uploader::HttpsClientOptions o;
    o.baseUrl = url;
    o.caFile = caFile;
    o.connectTimeout = 5s;
    o.totalTimeout = 20s;
    return o;
}

TEST(StaffLookupHttps, FreshAnswerThenTheLastKnownOneWhenTheHubIsGone) {
    uploader::CurlGlobal curl;
    TempDir dir;
    Pki pki(dir);
    auto server = std::make_unique<LookupServer>(pki.certFile, pki.keyFile);
    const std::string url = server->url();
    ManualClock clock;
    auto cache = app::StatusCache::open({dir / "staff-cache.db"}, clock);
    ASSERT_TRUE(cache) << cache.error();
    LookupService service(std::make_unique<app::HttpsLookupTransport>(clientOptions(url, pki.caFile)), "staff-token",
                          std::move(*cache));
    const event::Identity phone{event::Identity::Type::Phone, "+12025550143"};

    auto found = service.lookup(1, phone, "hash-p");
    ASSERT_EQ(found.outcome, LookupOutcome::Found) << found.detail;
    EXPECT_EQ(found.status->tier, "Silver");
    EXPECT_EQ(found.status->pointsToNextTier, 160);

    auto unknown = service.lookup(2, {event::Identity::Type::Phone, "+12025550199"}, "hash-q");
    EXPECT_EQ(unknown.outcome, LookupOutcome::NotFound) << unknown.detail;

    LookupService wrongToken(std::make_unique<app::HttpsLookupTransport>(clientOptions(url, pki.caFile)), "kiosk-token",
                             nullptr);
    EXPECT_EQ(wrongToken.lookup(3, phone, "hash-p").problem, LookupProblem::TokenRejected);

    // A CA that did not sign the server: a certificate problem, never silently accepted.
    TempDir other;
    Pki otherPki(other);
    LookupService wrongCa(std::make_unique<app::HttpsLookupTransport>(clientOptions(url, otherPki.caFile)),
                          "staff-token", nullptr);
    EXPECT_EQ(wrongCa.lookup(4, phone, "hash-p").problem, LookupProblem::Certificate);
    EXPECT_EQ(server->requests, 3);

    server->stop();
    clock.advanceMs(20 * 60'000);
    auto offline = service.lookup(5, phone, "hash-p");
    EXPECT_EQ(offline.outcome, LookupOutcome::Cached) << offline.detail;
    EXPECT_EQ(offline.problem, LookupProblem::Offline);
    ASSERT_TRUE(offline.status);
    EXPECT_EQ(offline.status->points, 340);
    EXPECT_EQ(clock.utcMs() - offline.fetchedUtcMs, 20 * 60'000);
}

TEST(StaffDeadLetters, ARejectedEventIsListedAndReplayedThroughTheUploader) {
    uploader::CurlGlobal curl;
    TempDir dir;
    Pki pki(dir);
    const tls::Pem serverPem{testing::readFile(pki.certFile), testing::readFile(pki.keyFile)};
    const auto outboxPath = dir / "outbox.db";
    auto box = outbox::Outbox::open({outboxPath});
    ASSERT_TRUE(box) << box.error().message;

    SystemClock& clock = SystemClock::instance();
    const event::KeyPair keys = event::generateSealingKeyPair();
    event::KioskEventFactory events({"store-0001", "kiosk-01", "UTC", "0.1.0", "boot"},
                                    event::Sealer::fromPublicKeyB64(keys.publicKeyB64).value(),
                                    event::IdentityHasher::fromKeyB64(event::IdentityHasher::generateKeyB64()).value(),
                                    clock);
    app::OutboxAuditSink audit(**box);
    app::OutboxDeadLetters deadLetters(**box);

    // The hub rejects the first audit event: the uploader dead-letters it with the hub's reason.
    event::Message first = events.staffLookup("staff-session", 0, {event::Identity::Type::Member, "M-1"});
    ASSERT_TRUE(audit.record(first));
    protocol::HubReceiverOptions ho;
    ho.serverCertificate = serverPem;
    auto hub = protocol::HubReceiver::start(ho);
    ASSERT_TRUE(hub) << hub.error();
    const int port = (*hub)->port();
    (*hub)->rejectMessage(first.messageId, "properties.pinSlot: unknown slot");

    uploader::UploaderOptions uo;
    uo.http = clientOptions((*hub)->url(), pki.caFile);
    uo.token = "kiosk-token";
    uo.outboxPath = outboxPath;
    uo.backoffBase = 50ms;
    uo.backoffCap = 200ms;
    uo.recoveryDelayMax = 10ms;
    uo.idlePoll = 50ms;
    uo.statsRefresh = 0ms;
    uo.heartbeatInterval = 0ms;
    const auto waitFor = [](const std::function<bool()>& pred) {
        const auto until = std::chrono::steady_clock::now() + 60s;
        while (std::chrono::steady_clock::now() < until) {
            if (pred()) return true;
            std::this_thread::sleep_for(20ms);
        }
        return false;
    };
    {
        auto up = uploader::Uploader::create(uo);
        ASSERT_TRUE(up) << up.error();
        (*up)->start();
        ASSERT_TRUE(waitFor([&] { return (*box)->stats()->deadLetterCount == 1; }));
        // The uploader goes first: the receiver's stop() waits for its keep-alive connection to close.
    }
    (*hub)->stop();
    hub->reset();

    // The hub is fixed (a fresh one on the same port that accepts everything); the kiosk restarts.
    ho.port = port;
    auto fixedHub = protocol::HubReceiver::start(ho);
    ASSERT_TRUE(fixedHub) << fixedHub.error();
    auto up = uploader::Uploader::create(uo);
    ASSERT_TRUE(up) << up.error();
    (*up)->start();
    app::UploaderSyncControl sync(up->get(), clock);

    StaffSettings settings;
    settings.pinHashes = {hashPin("2468").value()};
    settings.lockoutFile = dir / "staff-lock.json";
    StaffDeps deps;
    deps.clock = &clock;
    deps.events = &events;
    deps.audit = &audit;
    deps.deadLetters = &deadLetters;
    deps.sync = &sync;
    deps.identity = {"store-0001", "kiosk-01", "0.1.0", dir / "kiosk.toml", outboxPath};
    StaffController staff(settings, deps);
    staff.open();
    for (char d : std::string("2468")) staff.apply(StaffIntent::digit(d));
    staff.apply(StaffIntent::of(StaffIntent::Kind::PinSubmit));
    staff.waitForWorker();
    ASSERT_EQ(staff.vm().page, StaffPage::Home);

    staff.apply(StaffIntent::open(StaffPage::DeadLetters));
    ASSERT_EQ(staff.vm().deadLetters.rows.size(), 1u);
    const DeadLetterRow row = staff.vm().deadLetters.rows[0];
    EXPECT_EQ(row.reason, "properties.pinSlot: unknown slot");
    EXPECT_EQ(row.kind, "staff_lookup");

    staff.apply(StaffIntent::withId(StaffIntent::Kind::AskReplay, row.id));
    staff.apply(StaffIntent::of(StaffIntent::Kind::Confirm));
    EXPECT_EQ(staff.vm().deadLetters.lastActionCount, 1);
    EXPECT_TRUE(staff.vm().deadLetters.rows.empty());
    ASSERT_TRUE(waitFor([&] { return (*fixedHub)->stats().acceptCount.count(first.messageId) == 1; }));
    ASSERT_TRUE(waitFor([&] { return (*box)->stats()->pendingCount == 0; }));
    EXPECT_EQ((*box)->stats()->deadLetterCount, 0);

    ASSERT_TRUE(waitFor([&] { return sync.snapshot().state == SyncState::Online; }));
    staff.apply(StaffIntent::of(StaffIntent::Kind::Back));
    staff.apply(StaffIntent::open(StaffPage::SyncHealth));
    EXPECT_EQ(staff.vm().sync.stateKey, "staff.sync.state.online");
    EXPECT_EQ(staff.vm().sync.queueDepth, 0);
    EXPECT_TRUE(staff.vm().sync.lastSuccessAgoMs);
    up->reset();
}

TEST(StaffRecovery, ASetAsideOutboxGoesBackInTheLiveQueueOnceAndIsThenNoLongerOffered) {
    TempDir dir;
    const auto live = dir / "outbox.db";
    const auto aside = dir / "outbox.db.corrupt-20261203T101500Z";
    const event::KeyPair keys = event::generateSealingKeyPair();
    event::KioskEventFactory events({"store-0001", "kiosk-01", "UTC", "0.1.0", "boot"},
                                    event::Sealer::fromPublicKeyB64(keys.publicKeyB64).value(),
                                    event::IdentityHasher::fromKeyB64(event::IdentityHasher::generateKeyB64()).value(),
                                    SystemClock::instance());
    std::vector<std::string> ids;
    {
        // The file that was set aside: readable here (the damaged-file reading is recover_test's subject).
        auto old = outbox::Outbox::open({aside});
        ASSERT_TRUE(old) << old.error().message;
        for (int i = 0; i < 40; ++i) {
            event::FeedbackAnswers a;
            a.surveyId = "store-visit";
            a.nps = i % 11;
            auto m = events.feedback("session-" + std::to_string(i), "en-US", a, std::nullopt);
            ids.push_back(m.messageId);
            ASSERT_TRUE((*old)->enqueue(m));
        }
    }
    auto box = outbox::Outbox::open({live});
    ASSERT_TRUE(box) << box.error().message;
    app::OutboxSetAsideRecovery recovery(outbox::OutboxOptions{live});
    EXPECT_EQ(recovery.pendingFiles(), 1);

    auto first = recovery.recoverAll();
    ASSERT_TRUE(first) << first.error();
    EXPECT_EQ(first->files, 1);
    EXPECT_EQ(first->reenqueued, 40);
    EXPECT_EQ(first->unreadable, 0);
    EXPECT_EQ((*box)->stats()->pendingCount, 40) << "the app's own connection sees them";
    auto batch = (*box)->readBatch(1 << 20, 100);
    ASSERT_TRUE(batch);
    std::set<std::string> queued;
    for (const auto& row : *batch) queued.insert(row.messageId);
    EXPECT_EQ(queued, std::set<std::string>(ids.begin(), ids.end())) << "message ids unchanged";

    EXPECT_EQ(recovery.pendingFiles(), 0);
    auto again = recovery.recoverAll();
    ASSERT_TRUE(again) << again.error();
    EXPECT_EQ(again->files, 0);
    EXPECT_EQ((*box)->stats()->pendingCount, 40);
    EXPECT_TRUE(std::filesystem::exists(aside)) << "the evidence stays";
}

}  // namespace
}  // namespace touchpoint::kiosk::staff
