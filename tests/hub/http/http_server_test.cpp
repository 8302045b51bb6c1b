// The hub's Beast server core against a small router, over real TLS on an ephemeral loopback port: every
// limit answers with its own status, idle connections cost no service, bodies are refused before they are
// buffered, and a stop is quick and lets in-flight requests finish.

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>
#include <vector>

#include "common/tls_cert.hpp"
#include "hub/http/beast_server.hpp"
#include "hub/http/rate_limiter.hpp"
#include "protocol/gzip.hpp"
#include "raw_tls_client.hpp"
#include "temp_dir.hpp"

namespace touchpoint::hub::http {
namespace {

using namespace std::chrono_literals;
using hub::testing::RawTlsClient;
using hub::testing::residentKiB;

constexpr std::size_t kEchoCap = 64 * 1024;

class BeastServerTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto pem = tls::makeCertificate({});
        ASSERT_TRUE(pem) << pem.error();
        ASSERT_TRUE(tls::writeFileAtomically(m_dir / "cert.pem", pem->certificate, 0644));
        ASSERT_TRUE(tls::writeFileAtomically(m_dir / "key.pem", pem->privateKey, 0600));
        m_options.certFile = (m_dir / "cert.pem").string();
        m_options.keyFile = (m_dir / "key.pem").string();
        m_options.workerThreads = 4;

        m_router.get("/healthz", {}, [](const Request&, Response& res) { res.setContent(R"({"status":"ok"})", "application/json"); });
        RouteOptions echo;
        echo.maxBodyBytes = kEchoCap;
        RouteOptions secure = echo;
        secure.scope = "ingest";
        RouteOptions page;
        page.hsts = true;
        m_router.post("/echo", echo, [](const Request& req, Response& res) {
            res.setContent(nlohmann::json{{"bytes", req.body.size()}, {"name", req.param("name")}}.dump(), "application/json");
        });
        m_router.post("/secure", secure, [](const Request& req, Response& res) {
            res.setContent(nlohmann::json{{"who", req.principal->subject}, {"bytes", req.body.size()}}.dump(), "application/json");
        });
        m_router.get("/slow", {}, [this](const Request&, Response& res) {
            m_slowStarted = true;
            std::this_thread::sleep_for(500ms);
            res.setContent("done", "text/plain");
        });
        m_router.get("/page", page, [](const Request&, Response& res) { res.setContent("<p>", "text/html"); });
        m_router.get("/items/{id}/parts/{kind:a|b}", {}, [](const Request& req, Response& res) {
            res.setContent(req.capture("id") + "/" + req.capture("kind"), "text/plain");
        });
        m_router.get("/stream", {}, [](const Request&, Response& res) {
            auto n = std::make_shared<int>(0);
            res.streamed("text/plain", [n](std::string& chunk, bool& done) {
                chunk = "part" + std::to_string((*n)++) + ";";
                done = *n == 5;
                return true;
            });
        });
        m_router.get("/throws", {}, [](const Request&, Response&) { throw std::runtime_error("boom"); });
    }

    void start() {
        m_server = std::make_unique<BeastServer>(m_options, m_router, [this](const Request& req, std::string_view scope) {
            ++m_authCalls;
            AuthOutcome out;
            if (req.header("Authorization") == "Bearer revoked") {
                out.status = 401;
                out.error = "token revoked";
                out.subject = "old-kiosk";
                return out;
            }
            if (req.header("Authorization") != "Bearer good") {
                out.status = 401;
                out.error = "unknown token";
                return out;
            }
            out.principal = Principal{"kiosk-1", std::string(scope), {}};
            return out;
        });
        auto port = m_server->start();
        ASSERT_TRUE(port) << port.error();
        m_port = *port;
    }

    std::unique_ptr<httplib::SSLClient> client() {
        auto c = std::make_unique<httplib::SSLClient>("127.0.0.1", m_port);
        c->enable_server_certificate_verification(false);
        c->set_read_timeout(5, 0);
        return c;
    }

    std::unique_ptr<RawTlsClient> raw() {
        auto c = std::make_unique<RawTlsClient>();
        EXPECT_TRUE(c->connect(m_port));
        return c;
    }

    touchpoint::testing::TempDir m_dir;
    ServerOptions m_options;
    Router m_router;
    std::unique_ptr<BeastServer> m_server;
    int m_port = 0;
    std::atomic<int> m_authCalls{0};
    std::atomic<bool> m_slowStarted{false};
};

TEST(RouterTest, MatchesLiteralsCapturesAndWordLists) {
    Router r;
    r.get("/v1/export/{kind:events|feedback}", {}, {});
    r.del("/v1/profiles/{id}", {}, {});
    EXPECT_NE(r.match("GET", "/v1/export/events").route, nullptr);
    EXPECT_EQ(r.match("GET", "/v1/export/other").route, nullptr);
    EXPECT_EQ(r.match("POST", "/v1/export/events").route, nullptr);
    auto m = r.match("DELETE", "/v1/profiles/abc-1");
    ASSERT_NE(m.route, nullptr);
    EXPECT_EQ(m.captures.at("id"), "abc-1");
    EXPECT_EQ(r.match("DELETE", "/v1/profiles/").route, nullptr);
    EXPECT_EQ(r.match("DELETE", "/v1/profiles/" + std::string(300, 'a')).route, nullptr);
    EXPECT_EQ(r.match("DELETE", "/v1/profiles/a/b").route, nullptr);
}

TEST(ClientAddressTest, ForwardedForIsIgnoredUnlessThePeerIsATrustedProxy) {
    EXPECT_EQ(clientAddress("203.0.113.9", "1.2.3.4", {}), "203.0.113.9");
    EXPECT_EQ(clientAddress("203.0.113.9", "1.2.3.4", {"10.0.0.1"}), "203.0.113.9");
    EXPECT_EQ(clientAddress("10.0.0.1", "1.2.3.4", {"10.0.0.1"}), "1.2.3.4");
    // A client-written entry left of the real one proves nothing; a second trusted hop is skipped.
    EXPECT_EQ(clientAddress("10.0.0.1", "6.6.6.6, 1.2.3.4, 10.0.0.2", {"10.0.0.1", "10.0.0.2"}), "1.2.3.4");
    EXPECT_EQ(clientAddress("10.0.0.1", "not-an-address", {"10.0.0.1"}), "10.0.0.1");
}

TEST(RateLimiterTest, BurstThenRetryAfterThenRefill) {
    RateLimiter limiter({2, 3});
    const auto t0 = RateLimiter::Clock::now();
    for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter.take("a", t0), 0);
    EXPECT_GE(limiter.take("a", t0), 1);
    EXPECT_EQ(limiter.take("b", t0), 0);  // per key
    EXPECT_EQ(limiter.take("a", t0 + 600ms), 0);
    RateLimiter off({0, 0});
    for (int i = 0; i < 100; ++i) EXPECT_EQ(off.take("a", t0), 0);
}

TEST_F(BeastServerTest, ServesRoutesCapturesStreamsAndHsts) {
    start();
    auto c = client();
    auto r = c->Get("/healthz");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, R"({"status":"ok"})");
    EXPECT_FALSE(r->has_header("Strict-Transport-Security"));
    r = c->Get("/page");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->get_header_value("Strict-Transport-Security"), "max-age=31536000; includeSubDomains");
    r = c->Get("/items/x%2D1/parts/b");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, "x-1/b");
    r = c->Get("/items/x/parts/c");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 404);
    EXPECT_EQ(nlohmann::json::parse(r->body)["error"], "not found");
    r = c->Get("/stream");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, "part0;part1;part2;part3;part4;");
    r = c->Post("/echo?name=a%20b%21", "k=v", "application/octet-stream");
    ASSERT_TRUE(r);
    EXPECT_EQ(nlohmann::json::parse(r->body)["name"], "a b!");
    r = c->Get("/throws");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 500);
    r = c->Get("/healthz");  // the same keep-alive connection still serves
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
}

TEST_F(BeastServerTest, OversizedHeaderAnswers431) {
    m_options.limits.maxHeaderBytes = 4096;
    start();
    auto c = raw();
    ASSERT_TRUE(c->send("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: " + std::string(8000, 'a') + "\r\n\r\n"));
    auto r = c->read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 431);
    EXPECT_NE(r->body.find("header"), std::string::npos);
    EXPECT_EQ(m_server->counters().get(Refusal::HeaderTooLarge), 1);
}

TEST_F(BeastServerTest, ContentLengthOverTheCapAnswers413BeforeTheBody) {
    start();
    auto c = raw();
    ASSERT_TRUE(c->send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n"));
    auto r = c->read(2s);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 413);
    EXPECT_EQ(m_server->counters().get(Refusal::BodyTooLarge), 1);
}

TEST_F(BeastServerTest, ChunkedBodiesOverTheCapAre413WithoutBeingBuffered) {
    start();
    const long before = residentKiB();
    const std::string piece(16 * 1024, 'x');
    char sizeLine[32];
    std::snprintf(sizeLine, sizeof sizeLine, "%zx\r\n", piece.size());
    const std::string chunk = sizeLine + piece + "\r\n";
    for (int round = 0; round < 8; ++round) {
        auto c = raw();
        ASSERT_TRUE(c->send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"));
        std::size_t sent = 0;
        // Keep sending (up to 32 MB) until the answer is there: it must come once the cap is passed.
        while (sent < 32u * 1024 * 1024 && !c->readable(0ms)) {
            if (!c->send(chunk)) break;
            sent += piece.size();
        }
        auto r = c->read(2s);
        ASSERT_TRUE(r) << "round " << round;
        EXPECT_EQ(r->status, 413);
        // The client pushes into its kernel socket buffers (MBs on loopback) before it sees the answer.
        EXPECT_LT(sent, 8u * 1024 * 1024) << "the refusal came late";
    }
    EXPECT_EQ(m_server->counters().get(Refusal::BodyTooLarge), 8);
    EXPECT_LT(residentKiB() - before, 16 * 1024) << "bodies were buffered";
}

TEST_F(BeastServerTest, GzipBombStopsAtTheInflatedCap) {
    start();
    auto compressed = protocol::gzipCompress(std::string(64 * 1024 * 1024, '\0'), 9);
    ASSERT_TRUE(compressed);
    const auto bomb = std::make_unique<std::string>(compressed->data(), compressed->size());  // not its 64 MB buffer
    compressed = Fail(std::string());
    ASSERT_LT(bomb->size(), kEchoCap);  // passes the wire cap
    const long before = residentKiB();
    auto c = client();
    httplib::Headers h{{"Content-Encoding", "gzip"}};
    auto r = c->Post("/echo", h, *bomb, "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 413);
    EXPECT_NE(r->body.find("inflates"), std::string::npos);
    EXPECT_EQ(m_server->counters().get(Refusal::InflatedTooLarge), 1);
    EXPECT_LT(residentKiB() - before, 16 * 1024);
    // A good gzip body under the cap is inflated for the handler; a corrupt one is a 400.
    r = c->Post("/echo", h, protocol::gzipCompress(std::string(1000, 'a')).value(), "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(nlohmann::json::parse(r->body)["bytes"], 1000);
    r = c->Post("/echo", h, "not gzip", "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400);
}

TEST_F(BeastServerTest, UnauthenticatedBodyIsRefusedOnTheHeadersAlone) {
    start();
    auto c = raw();
    // 100 MB announced, not a byte sent: the 401 must come anyway.
    ASSERT_TRUE(c->send("POST /secure HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"));
    auto r = c->read(2s);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401);
    EXPECT_EQ(nlohmann::json::parse(r->body)["error"], "unknown token");
    EXPECT_TRUE(c->closedByPeer(3s));
    EXPECT_EQ(m_server->counters().get(Refusal::Unauthenticated), 1);

    // With the token and Expect: 100-continue the client is told to go on, then answered.
    auto ok = raw();
    ASSERT_TRUE(ok->send("POST /secure HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer good\r\nExpect: 100-continue\r\n"
                        "Content-Length: 5\r\n\r\n"));
    auto cont = ok->read(2s);
    ASSERT_TRUE(cont);
    EXPECT_EQ(cont->status, 100);
    ASSERT_TRUE(ok->send("hello"));
    r = ok->read(2s);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(nlohmann::json::parse(r->body)["who"], "kiosk-1");
}

TEST_F(BeastServerTest, SlowRequestsGet408AndIdleConnectionsAreClosed) {
    m_options.limits.requestTimeout = 300ms;
    m_options.limits.idleTimeout = 400ms;
    start();
    auto slow = raw();
    ASSERT_TRUE(slow->send("GET /healthz HTTP/1.1\r\nHo"));
    auto r = slow->read(2s);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 408);
    EXPECT_EQ(m_server->counters().get(Refusal::RequestTimeout), 1);

    auto idle = raw();
    const auto t0 = std::chrono::steady_clock::now();
    EXPECT_TRUE(idle->closedByPeer(3s));
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
    EXPECT_EQ(m_server->counters().get(Refusal::IdleTimeout), 1);
}

TEST_F(BeastServerTest, ConnectionsPerAddressAreCapped) {
    m_options.limits.maxConnectionsPerAddress = 4;
    start();
    auto held = hub::testing::connectMany(m_port, 4);
    ASSERT_EQ(held.size(), 4u);
    RawTlsClient fifth;
    EXPECT_FALSE(fifth.connect(m_port));
    EXPECT_EQ(m_server->counters().get(Refusal::AddressConnections), 1);
    held.pop_back();
    std::this_thread::sleep_for(100ms);
    EXPECT_TRUE(fifth.connect(m_port));
}

TEST_F(BeastServerTest, RateLimitsAnswer429WithRetryAfter) {
    m_options.limits.perAddress = {1, 3};
    start();
    auto c = client();
    for (int i = 0; i < 3; ++i) EXPECT_EQ(c->Get("/healthz")->status, 200);
    auto r = c->Get("/healthz");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 429);
    EXPECT_GE(std::stoi(r->get_header_value("Retry-After")), 1);
    EXPECT_EQ(m_server->counters().get(Refusal::RateLimitedAddress), 1);
}

TEST_F(BeastServerTest, TokenRateLimitCountsPerToken) {
    m_options.limits.perToken = {1, 2};
    start();
    auto c = client();
    httplib::Headers h{{"Authorization", "Bearer good"}};
    EXPECT_EQ(c->Post("/secure", h, "a", "text/plain")->status, 200);
    EXPECT_EQ(c->Post("/secure", h, "a", "text/plain")->status, 200);
    auto r = c->Post("/secure", h, "a", "text/plain");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 429);
    EXPECT_FALSE(r->get_header_value("Retry-After").empty());
    EXPECT_EQ(m_server->counters().get(Refusal::RateLimitedToken), 1);
    EXPECT_EQ(m_server->refusals().count("kiosk-1", Refusal::RateLimitedToken), 1);
}

/// The lines of `log` that say a request was refused.
std::vector<std::string> refusalLines(const std::string& log) {
    std::vector<std::string> lines;
    std::istringstream in(log);
    for (std::string line; std::getline(in, line);) {
        if (line.find("msg=\"request refused\"") != std::string::npos) lines.push_back(line);
    }
    return lines;
}

TEST_F(BeastServerTest, EveryRefusalIsLoggedWithItsSourceAndNetworkAndCountedPerSource) {
    m_options.limits.perToken = {1, 1};
    start();
    auto c = client();
    ::testing::internal::CaptureStderr();
    httplib::Headers good{{"Authorization", "Bearer good"}};
    EXPECT_EQ(c->Post("/secure", good, "a", "text/plain")->status, 200);
    EXPECT_EQ(c->Post("/secure", good, "a", "text/plain")->status, 429);
    EXPECT_EQ(c->Post("/secure", {{"Authorization", "Bearer revoked"}}, "a", "text/plain")->status, 401);
    EXPECT_EQ(c->Post("/secure", {{"Authorization", "Bearer nobody-knows"}}, "a", "text/plain")->status, 401);
    EXPECT_EQ(c->Get("/no/such/page?phone=2025550123")->status, 404);
    const auto lines = refusalLines(::testing::internal::GetCapturedStderr());

    ASSERT_EQ(lines.size(), 4u) << ::testing::PrintToString(lines);
    EXPECT_NE(lines[0].find("reason=rate_limited_token status=429 route=/secure source=kiosk-1 network=127.0.0.0/24"),
              std::string::npos)
        << lines[0];
    EXPECT_NE(lines[1].find("reason=unauthenticated status=401 route=/secure source=old-kiosk network=127.0.0.0/24"),
              std::string::npos)
        << lines[1];
    EXPECT_NE(lines[2].find("reason=unauthenticated status=401 route=/secure source=- network=127.0.0.0/24"),
              std::string::npos)
        << lines[2];
    EXPECT_NE(lines[3].find("reason=not_found status=404 route=- source=- network=127.0.0.0/24"), std::string::npos)
        << lines[3];
    for (const auto& line : lines) {
        EXPECT_EQ(line.find("127.0.0.1"), std::string::npos) << "the network, not the address: " << line;
        EXPECT_EQ(line.find("5550123"), std::string::npos) << "nothing from the target's query: " << line;
        EXPECT_EQ(line.find("nobody-knows"), std::string::npos) << "never the token: " << line;
    }

    EXPECT_EQ(m_server->refusals().count("kiosk-1", Refusal::RateLimitedToken), 1);
    EXPECT_EQ(m_server->refusals().count("old-kiosk", Refusal::Unauthenticated), 1);
    EXPECT_EQ(m_server->refusals().count("", Refusal::Unauthenticated), 0) << "no source, no per-source count";
    EXPECT_EQ(m_server->counters().get(Refusal::Unauthenticated), 2);
    const auto text = m_server->refusals().render();
    EXPECT_NE(text.find("touchpoint_hub_http_refusals_by_source_total{source=\"old-kiosk\",reason=\"unauthenticated\"} 1"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("touchpoint_hub_http_refusals_by_source_total{source=\"kiosk-1\",reason=\"rate_limited_token\"} 1"),
              std::string::npos)
        << text;
}

TEST_F(BeastServerTest, TwoHundredIdleConnectionsDoNotStopHealthz) {
    m_options.limits.maxConnectionsPerAddress = 1000;
    start();
    auto idle = hub::testing::connectMany(m_port, 200);
    ASSERT_EQ(idle.size(), 200u);
    // Half of them also sent half a request.
    for (int i = 0; i < 100; ++i) ASSERT_TRUE(idle[static_cast<std::size_t>(i)]->send("POST /echo HTTP/1.1\r\nHost"));
    const auto t0 = std::chrono::steady_clock::now();
    auto c = client();
    auto r = c->Get("/healthz");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);
}

TEST_F(BeastServerTest, TlsBelow12AndNonAeadSuitesAreRefused) {
    start();
    RawTlsClient old;
    EXPECT_FALSE(old.connect(m_port, TLS1_1_VERSION));
    RawTlsClient cbc;
    EXPECT_FALSE(cbc.connect(m_port, TLS1_2_VERSION, "ECDHE-RSA-AES128-SHA:ECDHE-ECDSA-AES128-SHA:AES128-SHA"));
    RawTlsClient good12;
    EXPECT_TRUE(good12.connect(m_port, TLS1_2_VERSION, "ECDHE-ECDSA-AES128-GCM-SHA256"));
    RawTlsClient good13;
    EXPECT_TRUE(good13.connect(m_port, TLS1_3_VERSION));
}

TEST_F(BeastServerTest, StopLetsInFlightRequestsFinishAndClosesIdleOnesQuickly) {
    start();
    auto idle = hub::testing::connectMany(m_port, 10);
    ASSERT_EQ(idle.size(), 10u);
    auto inflight = raw();
    ASSERT_TRUE(inflight->send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"));
    while (!m_slowStarted) std::this_thread::sleep_for(5ms);
    const auto t0 = std::chrono::steady_clock::now();
    m_server->stop();
    const auto took = std::chrono::steady_clock::now() - t0;
    EXPECT_LT(took, 2s);
    auto r = inflight->read(1s);
    ASSERT_TRUE(r) << "the in-flight request lost its answer";
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "done");
    EXPECT_EQ(r->header("Connection"), "close");
    for (auto& c : idle) EXPECT_TRUE(c->closedByPeer(500ms));
    RawTlsClient late;
    EXPECT_FALSE(late.connect(m_port));
}

}  // namespace
}  // namespace touchpoint::hub::http
