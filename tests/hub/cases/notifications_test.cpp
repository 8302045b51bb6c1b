// Notification delivery from the store's durable queue: webhooks against a local HTTPS receiver that fails,
// stalls past the timeout, then accepts (every notification delivered once accepted, none lost, retries
// spaced, every signature verified; a receiver that never answers ends in dead letters that a replay
// revives), and e-mail through a local SMTP sink (Debian's python3-aiosmtpd) started by the test.

#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "common/clock.hpp"
#include "common/tls_cert.hpp"
#include "event/message.hpp"
#include "hub/cases/notification_sender.hpp"
#include "hub/store/hub_store.hpp"

extern char** environ;

namespace touchpoint::hub {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

std::int64_t steadyMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

class TempDir {
  public:
    TempDir() {
        std::string templ = (std::filesystem::temp_directory_path() / "touchpoint-notify-XXXXXX").string();
        if (::mkdtemp(templ.data())) m_path = templ;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(m_path, ec);
    }
    const std::filesystem::path& path() const { return m_path; }

  private:
    std::filesystem::path m_path;
};

int freePort() {
    const int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(s);
    return ntohs(a.sin_port);
}

IngestMessage message(const std::string& id, const std::string& event, const std::string& session,
                      std::int64_t atMs, json properties) {
    IngestMessage m;
    m.type = "track";
    m.messageId = id;
    m.event = event;
    m.anonymousId = session;
    m.channel = std::string(event::kKioskChannel);
    m.storeId = "store-1";
    m.kioskId = "k1";
    m.sourceKind = "kiosk";
    m.timestampMs = m.correctedMs = m.receivedMs = atMs;
    m.properties = std::move(properties);
    m.payloadText =
        json{{"type", "track"}, {"messageId", id}, {"event", event}, {"properties", m.properties}}.dump();
    return m;
}

/// Whether `text` holds any part of what `detractors` wrote about the shopper: the comment, or the phone number
/// in either spelling. (Not a bare "555": a case id's hex digits or the sink's peer port can hold those.)
bool carriesTheShoppersContact(std::string_view text) {
    for (const std::string_view personal : {"call me", "555 0199", "5550199"}) {
        if (text.find(personal) != std::string_view::npos) return true;
    }
    return false;
}

/// `cases` answers with NPS 2 and a comment, each with its shopper's consent to be contacted, and (when
/// `alertToo`) enough of them inside 15 minutes for the unhappy-share alert.
std::vector<IngestMessage> detractors(int cases, std::int64_t atMs) {
    std::vector<IngestMessage> out;
    for (int i = 0; i < cases; ++i) {
        const std::string fb = "fb-" + std::to_string(i), session = "session-" + std::to_string(i);
        out.push_back(message(fb, std::string(event::names::kFeedback), session, atMs + i * 1000,
                              {{"answers", {{"nps", 2}, {"reasons", {"queue"}}}},
                               {"misuse", false},
                               {"comment", "call me on 202 555 0199"}}));
        out.push_back(message(
            "consent-" + std::to_string(i), std::string(event::names::kConsent), session,
            atMs + i * 1000 + 500,
            {{"purposes", {"feedback_contact"}}, {"feedbackMessageId", fb}, {"phone", "+12025550199"}}));
    }
    return out;
}

std::unique_ptr<HubStore> openStore(const TempDir& dir, const HubConfig& config) {
    auto store = openHubStore("sqlite://" + (dir.path() / "hub.db").string(), config);
    EXPECT_TRUE(store.ok()) << (store.ok() ? "" : store.error().message);
    return store.ok() ? std::move(store).value() : nullptr;
}

void ingest(HubStore& store, const std::vector<IngestMessage>& batch) {
    std::vector<const IngestMessage*> ptrs;
    for (const auto& m : batch) ptrs.push_back(&m);
    IngestStats stats;
    auto r = store.ingest(ptrs, stats);
    ASSERT_TRUE(r.ok()) << r.error().message;
}

/// Waits (bounded) until `done` holds.
template <class F>
bool eventually(F done, std::chrono::milliseconds limit = 60s) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
        if (done()) return true;
        std::this_thread::sleep_for(20ms);
    }
    return done();
}

struct Attempt {
    std::string delivery;
    std::int64_t atMs = 0;
    bool signatureOk = false;
    int status = 0;
};

// The signature receivers check against: HMAC-SHA256 in lower-case hex (RFC 4231, test cases 1 and 2).
TEST(Notifications, SignatureIsHmacSha256InLowerCaseHex) {
    EXPECT_EQ(hmacSha256Hex(std::string(20, '\x0b'), "Hi There"),
              "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    EXPECT_EQ(hmacSha256Hex("Jefe", "what do ya want for nothing?"),
              "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Notifications, WebhooksSurviveAFailingThenStallingReceiverWithSignedBodiesAndNoStorm) {
    TempDir dir;
    auto pem = tls::makeCertificate(tls::CertificateRequest{});
    ASSERT_TRUE(pem.ok());
    const auto cert = (dir.path() / "cert.pem").string(), key = (dir.path() / "key.pem").string();
    const auto secretFile = (dir.path() / "webhook.secret").string();
    const std::string secret = "s3cr3t-for-hmac";
    ASSERT_TRUE(tls::writeFileAtomically(cert, pem->certificate, 0644).ok());
    ASSERT_TRUE(tls::writeFileAtomically(key, pem->privateKey, 0600).ok());
    ASSERT_TRUE(tls::writeFileAtomically(secretFile, secret + "\n", 0600).ok());

    // The receiver: the first request of each delivery gets a 500, the second stalls past the sender's
    // timeout, the third is accepted.
    httplib::SSLServer receiver(cert.c_str(), key.c_str());
    std::mutex mutex;
    std::vector<Attempt> attempts;
    std::map<std::string, int> seen;
    std::vector<std::string> acceptedBodies;
    receiver.Post("/hooks/touchpoint", [&](const httplib::Request& req, httplib::Response& res) {
        Attempt a;
        a.delivery = req.get_header_value("X-Touchpoint-Delivery");
        a.atMs = steadyMs();
        a.signatureOk =
            req.get_header_value("X-Touchpoint-Signature") == "sha256=" + hmacSha256Hex(secret, req.body);
        int n = 0;
        {
            std::lock_guard lock(mutex);
            n = ++seen[a.delivery];
        }
        if (n == 2) std::this_thread::sleep_for(1200ms);  // the sender gives up after 500 ms
        a.status = n == 1 ? 500 : n == 2 ? 503 : 200;
        res.status = a.status;
        std::lock_guard lock(mutex);
        if (a.status == 200) acceptedBodies.push_back(req.body);
        attempts.push_back(a);
    });
    const int port = receiver.bind_to_any_port("127.0.0.1");
    std::thread serving([&] { receiver.listen_after_bind(); });
    ASSERT_TRUE(eventually([&] { return receiver.is_running(); }, 5s));

    HubConfig config;
    AlertRule share;
    share.name = "unhappy-share";
    share.minResponses = 4;
    config.cases.alerts.push_back(share);
    config.notifications.linkBaseUrl = "https://hub.example.com";
    config.notifications.caFile = cert;
    config.notifications.baseDelayMs = 100;
    config.notifications.maxDelayMs = 400;
    config.notifications.timeoutMs = 500;
    config.notifications.maxAttempts = 4;
    WebhookTarget ops;
    ops.name = "ops";
    ops.url = "https://127.0.0.1:" + std::to_string(port) + "/hooks/touchpoint";
    ops.secretFile = secretFile;
    ops.slack = true;
    WebhookTarget down = ops;
    down.name = "down";
    down.url = "https://127.0.0.1:" + std::to_string(freePort()) + "/nobody-listens";
    config.notifications.webhooks = {ops, down};

    auto store = openStore(dir, config);
    ASSERT_TRUE(store);
    ingest(*store, detractors(4, SystemClock::instance().utcMs() - 60'000));  // 4 cases and 1 alert
    ingest(*store, detractors(4, SystemClock::instance().utcMs() - 60'000));  // re-sent: nothing new
    auto states = store->cases().notificationStates();
    ASSERT_TRUE(states.ok());
    ASSERT_EQ((*states)["pending"], 10) << "(4 cases + 1 alert) x 2 webhooks, queued once";

    auto transport = makeNotificationTransport(config.notifications);
    ASSERT_TRUE(transport.ok()) << transport.error();
    NotificationCounters counters;
    auto options = senderOptionsFrom(config.cases, config.notifications);
    options.pollMs = 50;
    NotificationSender sender(store->cases(), std::move(transport).value(), options, SystemClock::instance(),
                              counters);
    sender.start();
    ASSERT_TRUE(eventually([&] {
        auto s = store->cases().notificationStates();
        return s.ok() && (*s)["delivered"] == 5 && (*s)["dead"] == 5;
    })) << "delivered "
        << counters.delivered.load() << ", dead " << counters.deadLettered.load();

    {
        std::lock_guard lock(mutex);
        // Exactly three attempts per delivery reached the receiver: no notification lost, none sent in a
        // storm.
        ASSERT_EQ(seen.size(), 5u);
        for (const auto& [delivery, n] : seen) EXPECT_EQ(n, 3) << delivery;
        ASSERT_EQ(acceptedBodies.size(), 5u);
        std::map<std::string, std::vector<std::int64_t>> times;
        for (const auto& a : attempts) {
            EXPECT_TRUE(a.signatureOk) << "delivery " << a.delivery;
            times[a.delivery].push_back(a.atMs);
        }
        for (auto& [delivery, t] : times) {
            std::sort(t.begin(), t.end());
            for (std::size_t i = 1; i < t.size(); ++i) {
                EXPECT_GE(t[i] - t[i - 1], 50) << "retries of " << delivery << " are spaced by the backoff";
            }
        }
        int alerts = 0;
        for (const auto& body : acceptedBodies) {
            const auto j = json::parse(body);
            EXPECT_TRUE(j.contains("text")) << "Slack-compatible text";
            EXPECT_FALSE(carriesTheShoppersContact(body)) << "nothing personal: " << body;
            EXPECT_EQ(j["store"], "store-1");
            if (j["type"] == "alert") {
                ++alerts;
                EXPECT_EQ(j["link"], "https://hub.example.com/v1/alerts?store=store-1");
            } else {
                EXPECT_EQ(j["link"].get<std::string>().rfind("https://hub.example.com/v1/cases/", 0), 0u);
            }
        }
        EXPECT_EQ(alerts, 1);
    }
    EXPECT_EQ(counters.delivered.load(), 5);
    EXPECT_EQ(counters.deadLettered.load(), 5);

    // A replay brings the dead letters back; they fail again against nobody and are dead again, none lost.
    auto replayed = store->cases().replayDeadNotifications(SystemClock::instance().utcMs());
    ASSERT_TRUE(replayed.ok());
    EXPECT_EQ(*replayed, 5);
    ASSERT_TRUE(eventually([&] { return counters.deadLettered == 10; }));
    sender.stop();
    states = store->cases().notificationStates();
    EXPECT_EQ((*states)["delivered"], 5);
    EXPECT_EQ((*states)["dead"], 5);
    EXPECT_EQ((*states)["pending"] + (*states)["delivering"], 0);

    receiver.stop();
    serving.join();
}

TEST(Notifications, TwoSendersOnOneQueueDeliverEachNotificationOnce) {
    TempDir dir;
    auto pem = tls::makeCertificate(tls::CertificateRequest{});
    ASSERT_TRUE(pem.ok());
    const auto cert = (dir.path() / "cert.pem").string(), key = (dir.path() / "key.pem").string();
    const auto secretFile = (dir.path() / "webhook.secret").string();
    ASSERT_TRUE(tls::writeFileAtomically(cert, pem->certificate, 0644).ok());
    ASSERT_TRUE(tls::writeFileAtomically(key, pem->privateKey, 0600).ok());
    ASSERT_TRUE(tls::writeFileAtomically(secretFile, "k\n", 0600).ok());
    httplib::SSLServer receiver(cert.c_str(), key.c_str());
    std::mutex mutex;
    std::map<std::string, int> seen;
    receiver.Post("/h", [&](const httplib::Request& req, httplib::Response& res) {
        std::lock_guard lock(mutex);
        ++seen[req.get_header_value("X-Touchpoint-Delivery")];
        res.status = 204;
    });
    const int port = receiver.bind_to_any_port("127.0.0.1");
    std::thread serving([&] { receiver.listen_after_bind(); });
    ASSERT_TRUE(eventually([&] { return receiver.is_running(); }, 5s));

    HubConfig config;
    config.notifications.caFile = cert;
    WebhookTarget ops;
    ops.name = "ops";
    ops.url = "https://127.0.0.1:" + std::to_string(port) + "/h";
    ops.secretFile = secretFile;
    config.notifications.webhooks = {ops};
    auto store = openStore(dir, config);
    ASSERT_TRUE(store);
    ingest(*store, detractors(12, SystemClock::instance().utcMs()));

    NotificationCounters counters;
    std::vector<std::unique_ptr<NotificationSender>> senders;
    for (int i = 0; i < 2; ++i) {
        auto transport = makeNotificationTransport(config.notifications);
        ASSERT_TRUE(transport.ok());
        auto options = senderOptionsFrom(config.cases, config.notifications);
        options.pollMs = 10;
        options.batch = 2;
        senders.push_back(std::make_unique<NotificationSender>(store->cases(), std::move(transport).value(),
                                                               options, SystemClock::instance(), counters));
    }
    for (auto& s : senders) s->start();
    ASSERT_TRUE(eventually([&] { return counters.delivered >= 12; }));
    for (auto& s : senders) s->stop();
    std::lock_guard lock(mutex);
    EXPECT_EQ(seen.size(), 12u);
    for (const auto& [delivery, n] : seen) EXPECT_EQ(n, 1) << delivery;
    EXPECT_EQ(counters.delivered.load(), 12);
    receiver.stop();
    serving.join();
}

TEST(Notifications, StoppingCutsAStalledDeliveryShortAndHandsItBack) {
    TempDir dir;
    auto pem = tls::makeCertificate(tls::CertificateRequest{});
    ASSERT_TRUE(pem.ok());
    const auto cert = (dir.path() / "cert.pem").string(), key = (dir.path() / "key.pem").string();
    const auto secretFile = (dir.path() / "webhook.secret").string();
    ASSERT_TRUE(tls::writeFileAtomically(cert, pem->certificate, 0644).ok());
    ASSERT_TRUE(tls::writeFileAtomically(key, pem->privateKey, 0600).ok());
    ASSERT_TRUE(tls::writeFileAtomically(secretFile, "k\n", 0600).ok());
    httplib::SSLServer receiver(cert.c_str(), key.c_str());
    std::atomic<int> arrived{0};
    receiver.Post("/slow", [&](const httplib::Request&, httplib::Response& res) {
        ++arrived;
        std::this_thread::sleep_for(3s);
        res.status = 200;
    });
    const int port = receiver.bind_to_any_port("127.0.0.1");
    std::thread serving([&] { receiver.listen_after_bind(); });
    ASSERT_TRUE(eventually([&] { return receiver.is_running(); }, 5s));

    HubConfig config;
    config.notifications.caFile = cert;
    config.notifications.timeoutMs = 30'000;
    WebhookTarget slow;
    slow.name = "slow";
    slow.url = "https://127.0.0.1:" + std::to_string(port) + "/slow";
    slow.secretFile = secretFile;
    config.notifications.webhooks = {slow};
    auto store = openStore(dir, config);
    ASSERT_TRUE(store);
    ingest(*store, detractors(1, SystemClock::instance().utcMs()));
    auto transport = makeNotificationTransport(config.notifications);
    ASSERT_TRUE(transport.ok());
    NotificationCounters counters;
    auto options = senderOptionsFrom(config.cases, config.notifications);
    options.pollMs = 10;
    NotificationSender sender(store->cases(), std::move(transport).value(), options, SystemClock::instance(),
                              counters);
    sender.start();
    ASSERT_TRUE(eventually([&] { return arrived.load() == 1; }, 20s));
    const auto before = steadyMs();
    sender.stop();
    EXPECT_LT(steadyMs() - before, 2'500) << "the hub's stop is not held up by a receiver that stalls";
    auto states = store->cases().notificationStates();
    ASSERT_TRUE(states.ok());
    EXPECT_EQ((*states)["pending"], 1) << "handed back, due for the next process";
    auto again =
        store->cases().claimNotifications(SystemClock::instance().utcMs(), 60'000, "next-process", 10);
    ASSERT_TRUE(again.ok());
    ASSERT_EQ(again->size(), 1u);
    EXPECT_EQ((*again)[0].attempts, 1) << "the cut-short attempt is not counted";
    EXPECT_EQ((*states)["delivered"] + (*states)["dead"] + (*states)["delivering"], 0);
    receiver.stop();
    serving.join();
}

TEST(Notifications, EmailReachesTheSmtpRelayWithTheSubjectAndNothingPersonal) {
    const char* python = "/usr/bin/python3";
    ASSERT_EQ(::access(python, X_OK), 0) << "no " << python << " (packaging/install-deps.sh installs python3-aiosmtpd)";
    TempDir dir;
    const int port = freePort();
    const auto out = (dir.path() / "smtp.log").string();
    posix_spawn_file_actions_t files;
    posix_spawn_file_actions_init(&files);
    posix_spawn_file_actions_addopen(&files, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&files, 1, 2);
    const std::string listen = "127.0.0.1:" + std::to_string(port);
    const char* argv[] = {python, "-u", "-m", "aiosmtpd", "-n", "-l", listen.c_str(), nullptr};
    pid_t pid = 0;
    ASSERT_EQ(posix_spawn(&pid, python, &files, nullptr, const_cast<char**>(argv), environ), 0);
    posix_spawn_file_actions_destroy(&files);
    struct Reap {
        pid_t pid;
        ~Reap() {
            ::kill(pid, SIGTERM);
            int status = 0;
            ::waitpid(pid, &status, 0);
        }
    } reap{pid};
    ASSERT_TRUE(eventually(
        [&] {
            const int s = ::socket(AF_INET, SOCK_STREAM, 0);
            sockaddr_in a{};
            a.sin_family = AF_INET;
            a.sin_port = htons(static_cast<std::uint16_t>(port));
            a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            const bool up = ::connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
            ::close(s);
            return up;
        },
        20s))
        << "aiosmtpd did not start (is python3-aiosmtpd installed?)";

    HubConfig config;
    SmtpRelay relay;
    relay.url = "smtp://127.0.0.1:" + std::to_string(port);
    relay.starttls = false;  // the local sink speaks plain SMTP
    relay.from = "touchpoint@example.com";
    relay.to = {"store-managers@example.com"};
    config.notifications.smtp = relay;
    config.notifications.linkBaseUrl = "https://hub.example.com";
    auto store = openStore(dir, config);
    ASSERT_TRUE(store);
    ingest(*store, detractors(1, SystemClock::instance().utcMs()));

    auto transport = makeNotificationTransport(config.notifications);
    ASSERT_TRUE(transport.ok()) << transport.error();
    NotificationCounters counters;
    NotificationSender sender(store->cases(), std::move(transport).value(),
                              senderOptionsFrom(config.cases, config.notifications), SystemClock::instance(),
                              counters);
    EXPECT_EQ(sender.runOnce(), 1);
    EXPECT_EQ(counters.delivered.load(), 1);
    std::string mail;
    ASSERT_TRUE(eventually(
        [&] {
            std::ifstream in(out);
            std::stringstream ss;
            ss << in.rdbuf();
            mail = ss.str();
            return mail.find("END MESSAGE") != std::string::npos;
        },
        20s))
        << mail;
    EXPECT_NE(mail.find("Subject: [Touchpoint] New case at store store-1: contact-request"),
              std::string::npos)
        << mail;
    EXPECT_NE(mail.find("https://hub.example.com/v1/cases/"), std::string::npos) << mail;
    EXPECT_FALSE(carriesTheShoppersContact(mail)) << "nothing personal: " << mail;
}

}  // namespace
}  // namespace touchpoint::hub
