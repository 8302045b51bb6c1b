// The dashboard's routes on a real HTTPS server (the hub's Beast server, ephemeral port, certificate made at test time)
// with fake hub services: sign-in and cookie, authorisation of every data call, CSV equal to the table shown.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <thread>

#include "common/tls_cert.hpp"
#include "hub/dashboard/dashboard.hpp"
#include "hub/http/beast_server.hpp"
#include "temp_dir.hpp"

namespace touchpoint::hub::dashboard {
namespace {

using nlohmann::json;
constexpr const char* kToken = "head-office-secret-token";

class DashboardRoutes : public ::testing::Test {
protected:
    void SetUp() override {
        auto pem = tls::makeCertificate(tls::CertificateRequest{});
        ASSERT_TRUE(pem.ok()) << pem.error();
        m_cert = (m_dir / "cert.pem").string();
        const std::string key = (m_dir / "key.pem").string();
        ASSERT_TRUE(tls::writeFileAtomically(m_cert, pem->certificate, 0644).ok());
        ASSERT_TRUE(tls::writeFileAtomically(key, pem->privateKey, 0600).ok());

        DashboardServices services;
        services.isHeadOfficeToken = [](std::string_view t) { return t == kToken; };
        services.stats = [this](const StatsQuery& q) -> Result<StatsReport, std::string> {
            ++m_statsCalls;
            if (m_failStats) return Fail(std::string("database is locked"));
            const int n = q.from == q.to ? 4 : 40;
            StatsReport r;
            r.from = q.from;
            r.to = q.to;
            r.store = q.store;
            r.overall.nps = {25.0, n, 0, 0, 0, Interval{5.5, 44.5}};
            r.overall.signins = n;
            r.overall.newMembers = 1;
            StoreFigures store{"store-0002", {}};
            store.figures.nps = {-10.0, 3, 0, 0, 0, std::nullopt};
            r.byStore.push_back(store);
            r.recentComments.push_back({1'793'613'600'000, "store-0002", 9, "great, \"quick\" service"});
            return r;
        };
        services.fleet = [] { return Result<std::vector<KioskRecord>, std::string>(std::vector<KioskRecord>{}); };
        m_dashboard = std::make_unique<Dashboard>(services, DashboardOptions{});

        m_dashboard->registerRoutes(m_router);
        http::ServerOptions options;
        options.certFile = m_cert;
        options.keyFile = key;
        m_server = std::make_unique<http::BeastServer>(options, m_router, [](const http::Request&, std::string_view) {
            return http::AuthOutcome{};  // no dashboard route declares a scope
        });
        auto port = m_server->start();
        ASSERT_TRUE(port) << port.error();
        m_port = *port;
    }
    void TearDown() override {
        if (m_server) m_server->stop();
    }

    /// A client that verifies the server against the test's certificate (peer and host, as kiosks do).
    std::unique_ptr<httplib::SSLClient> makeClient() {
        auto c = std::make_unique<httplib::SSLClient>("127.0.0.1", m_port);
        c->set_ca_cert_path(m_cert.c_str());
        c->enable_server_certificate_verification(true);
        return c;
    }

    std::string signIn(const std::string& token) {
    auto client = makeClient();
    auto& c = *client;
        auto res = c.Post("/dashboard/signin", httplib::Params{{"token", token}});
        if (!res) return "no response";
        if (res->status != 303) return "status " + std::to_string(res->status);
        const std::string cookie = res->get_header_value("Set-Cookie");
        const auto eq = cookie.find('=');
        const auto semi = cookie.find(';');
        if (eq == std::string::npos || semi == std::string::npos) return "no cookie; location " + res->get_header_value("Location");
        return cookie.substr(0, semi);
    }

    testing::TempDir m_dir;
    std::string m_cert;
    std::atomic<int> m_statsCalls{0};
    std::atomic<bool> m_failStats{false};
    std::unique_ptr<Dashboard> m_dashboard;
    http::Router m_router;
    std::unique_ptr<http::BeastServer> m_server;
    int m_port = 0;
};

TEST_F(DashboardRoutes, PagesAndDataNeedASession) {
    auto client = makeClient();
    auto& c = *client;
    auto page = c.Get("/");
    ASSERT_TRUE(page);
    EXPECT_EQ(page->status, 303);
    EXPECT_EQ(page->get_header_value("Location"), "/dashboard/signin");
    auto data = c.Get("/dashboard/api/data?from=2026-11-01&to=2026-11-03");
    ASSERT_TRUE(data);
    EXPECT_EQ(data->status, 401);
    auto csv = c.Get("/dashboard/csv/scores?from=2026-11-01&to=2026-11-03");
    ASSERT_TRUE(csv);
    EXPECT_EQ(csv->status, 401);
    auto hidden = c.Get("/dashboard/assets/index.html");
    ASSERT_TRUE(hidden);
    EXPECT_EQ(hidden->status, 404) << "the page itself is only served behind the session";
    auto forged = c.Get("/dashboard/api/data?from=2026-11-01&to=2026-11-03",
                        httplib::Headers{{"Cookie", "__Host-tp_session=" + std::string(64, 'a')}});
    ASSERT_TRUE(forged);
    EXPECT_EQ(forged->status, 401);
    EXPECT_EQ(m_statsCalls.load(), 0);
}

TEST_F(DashboardRoutes, WrongTokenIsRefusedAndRightTokenSetsAStrictCookie) {
    auto client = makeClient();
    auto& c = *client;
    auto wrong = c.Post("/dashboard/signin", httplib::Params{{"token", "nope"}});
    ASSERT_TRUE(wrong);
    EXPECT_EQ(wrong->status, 303);
    EXPECT_EQ(wrong->get_header_value("Location"), "/dashboard/signin?error=token");
    EXPECT_FALSE(wrong->has_header("Set-Cookie"));

    auto ok = c.Post("/dashboard/signin", httplib::Params{{"token", kToken}});
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->status, 303);
    EXPECT_EQ(ok->get_header_value("Location"), "/");
    const std::string cookie = ok->get_header_value("Set-Cookie");
    EXPECT_EQ(cookie.rfind("__Host-tp_session=", 0), 0u) << cookie;
    for (const char* attr : {"; HttpOnly", "; Secure", "; SameSite=Strict", "; Path=/"})
        EXPECT_NE(cookie.find(attr), std::string::npos) << attr << " missing in " << cookie;
    EXPECT_EQ(cookie.find("Domain"), std::string::npos);

    const std::string session = cookie.substr(0, cookie.find(';'));
    auto page = c.Get("/", httplib::Headers{{"Cookie", session}});
    ASSERT_TRUE(page);
    EXPECT_EQ(page->status, 200);
    EXPECT_NE(page->body.find("Touchpoint head office"), std::string::npos);
    EXPECT_NE(page->get_header_value("Content-Security-Policy").find("script-src 'self'"), std::string::npos);
}

TEST_F(DashboardRoutes, DataWithSessionOrBearerAndCsvEqualsTheTableShown) {
    const std::string session = signIn(kToken);
    ASSERT_EQ(session.rfind("__Host-tp_session=", 0), 0u) << session;
    auto client = makeClient();
    auto& c = *client;
    auto data = c.Get("/dashboard/api/data?from=2026-11-01&to=2026-11-03", httplib::Headers{{"Cookie", session}});
    ASSERT_TRUE(data);
    ASSERT_EQ(data->status, 200) << data->body;
    const json doc = json::parse(data->body);
    EXPECT_EQ(doc["stats"]["overall"]["nps"]["responses"], 40);
    ASSERT_EQ(doc["daily"].size(), 3u);
    EXPECT_EQ(doc["daily"][1]["nps"]["responses"], 4) << "overall per-day figures come from per-day stats";
    EXPECT_EQ(doc["stores"], json::array({"store-0002"}));

    auto bearer = c.Get("/dashboard/csv/comments?from=2026-11-01&to=2026-11-03",
                        httplib::Headers{{"Authorization", std::string("Bearer ") + kToken}});
    ASSERT_TRUE(bearer);
    ASSERT_EQ(bearer->status, 200);
    EXPECT_EQ(bearer->get_header_value("Content-Type"), "text/csv; charset=utf-8");
    EXPECT_EQ(bearer->body, "Time (UTC),Store,NPS,Comment\r\n2026-11-02T10:00:00.000Z,store-0002,9,"
                            "\"great, \"\"quick\"\" service\"\r\n");
    const json& shown = doc["tables"]["comments"]["rows"][0];
    EXPECT_EQ(shown[3], "great, \"quick\" service");

    auto scores = c.Get("/dashboard/csv/scores?from=2026-11-01&to=2026-11-03", httplib::Headers{{"Cookie", session}});
    ASSERT_TRUE(scores);
    ASSERT_EQ(scores->status, 200);
    EXPECT_NE(scores->body.find("\r\nAll stores,25.0,5.5,44.5,40,"), std::string::npos) << scores->body;
    EXPECT_NE(scores->body.find("\r\nstore-0002,-10.0,,,3,"), std::string::npos) << scores->body;

    auto unknown = c.Get("/dashboard/csv/secrets?from=2026-11-01&to=2026-11-03", httplib::Headers{{"Cookie", session}});
    ASSERT_TRUE(unknown);
    EXPECT_EQ(unknown->status, 404);
}

TEST_F(DashboardRoutes, FormsPostedFromAnotherSiteAreRefused) {
    auto client = makeClient();
    auto& c = *client;
    const std::string body = std::string("token=") + kToken;
    auto foreign = c.Post("/dashboard/signin", httplib::Headers{{"Origin", "https://evil.example"}}, body,
                          "application/x-www-form-urlencoded");
    ASSERT_TRUE(foreign);
    EXPECT_EQ(foreign->status, 403);
    EXPECT_FALSE(foreign->has_header("Set-Cookie"));
    auto hidden = c.Post("/dashboard/signin", httplib::Headers{{"Origin", "null"}}, body, "application/x-www-form-urlencoded");
    ASSERT_TRUE(hidden);
    EXPECT_EQ(hidden->status, 403) << "a page that hides its origin is not trusted either";
    const std::string self = "https://127.0.0.1:" + std::to_string(m_port);
    auto same = c.Post("/dashboard/signin", httplib::Headers{{"Origin", self}}, body, "application/x-www-form-urlencoded");
    ASSERT_TRUE(same);
    EXPECT_EQ(same->status, 303);
    EXPECT_TRUE(same->has_header("Set-Cookie"));
}

TEST_F(DashboardRoutes, SignOutEndsTheSession) {
    const std::string session = signIn(kToken);
    auto client = makeClient();
    auto& c = *client;
    auto out = c.Post("/dashboard/signout", httplib::Headers{{"Cookie", session}}, "", "application/x-www-form-urlencoded");
    ASSERT_TRUE(out);
    EXPECT_EQ(out->status, 303);
    EXPECT_NE(out->get_header_value("Set-Cookie").find("Max-Age=0"), std::string::npos);
    auto after = c.Get("/dashboard/api/data?from=2026-11-01&to=2026-11-01", httplib::Headers{{"Cookie", session}});
    ASSERT_TRUE(after);
    EXPECT_EQ(after->status, 401);
}

TEST_F(DashboardRoutes, BadQueriesAreClearErrorsAndStoreTroubleIs503) {
    auto client = makeClient();
    auto& c = *client;
    httplib::Headers auth{{"Authorization", std::string("Bearer ") + kToken}};
    auto bad = c.Get("/dashboard/api/data?from=2026-13-01&to=2026-11-03", auth);
    ASSERT_TRUE(bad);
    EXPECT_EQ(bad->status, 400);
    EXPECT_EQ(json::parse(bad->body)["error"], "from: expected a date YYYY-MM-DD");
    auto missing = c.Get("/dashboard/api/data", auth);
    ASSERT_TRUE(missing);
    EXPECT_EQ(missing->status, 400);
    auto wrongBearer = c.Get("/dashboard/api/data?from=2026-11-01&to=2026-11-03",
                             httplib::Headers{{"Authorization", "Bearer nope"}});
    ASSERT_TRUE(wrongBearer);
    EXPECT_EQ(wrongBearer->status, 401);
    m_failStats = true;
    auto down = c.Get("/dashboard/api/data?from=2026-11-01&to=2026-11-03", auth);
    ASSERT_TRUE(down);
    EXPECT_EQ(down->status, 503);
    EXPECT_EQ(json::parse(down->body)["error"], "stats unavailable: database is locked");
}

TEST_F(DashboardRoutes, RepeatedWrongTokensAreThrottled) {
    for (int i = 0; i < 10; ++i) EXPECT_EQ(signIn("guess-" + std::to_string(i)), "no cookie; location /dashboard/signin?error=token");
    EXPECT_EQ(signIn(kToken), "status 429") << "even the right token waits once the limit is hit";
}

TEST_F(DashboardRoutes, EmbeddedAssetsAreServedWithTypes) {
    auto client = makeClient();
    auto& c = *client;
    auto chart = c.Get("/dashboard/assets/chart.umd.js");
    ASSERT_TRUE(chart);
    EXPECT_EQ(chart->status, 200);
    EXPECT_EQ(chart->get_header_value("Content-Type"), "text/javascript; charset=utf-8");
    EXPECT_NE(chart->body.find("Chart.js v4"), std::string::npos);
    EXPECT_GT(chart->body.size(), 100'000u);
    auto css = c.Get("/dashboard/assets/style.css");
    ASSERT_TRUE(css);
    EXPECT_EQ(css->status, 200);
    auto none = c.Get("/dashboard/assets/passwd");
    ASSERT_TRUE(none);
    EXPECT_EQ(none->status, 404);
}

}  // namespace
}  // namespace touchpoint::hub::dashboard
