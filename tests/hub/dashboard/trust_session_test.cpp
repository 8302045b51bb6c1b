// Dashboard sessions live in the hub's store (issue 15): two hubs on one store share them, and a session ends
// on its next request once its token is revoked or its role changes.

#include "api_test_support.hpp"
#include "hub/dashboard/hub_dashboard.hpp"

#define SESSION_CAT2(a, b) a##b
#define SESSION_CAT(a, b) SESSION_CAT2(a, b)
#define SESSION_SUITE SESSION_CAT(HUB_SUITE, Sessions)

namespace touchpoint::hub::testing {
namespace {

class SESSION_SUITE : public ::testing::Test {
protected:
    void SetUp() override {
        EphemeralHubOptions o;
        o.storeUrl = backendStoreUrl();
        o.routes = dashboard::hubDashboardRoutes();
        auto a = EphemeralHub::start(o);
        ASSERT_TRUE(a.ok()) << (a.ok() ? "" : a.error());
        m_a = std::move(a).value();
        o.storeUrl = m_a->storeUrl();  // a second hub process on the same store
        auto b = EphemeralHub::start(o);
        ASSERT_TRUE(b.ok()) << (b.ok() ? "" : b.error());
        m_b = std::move(b).value();
    }

    static std::unique_ptr<httplib::SSLClient> client(EphemeralHub& hub) {
        auto c = std::make_unique<httplib::SSLClient>("127.0.0.1", hub.port());
        c->set_ca_cert_path(hub.caFile().c_str());
        c->enable_server_certificate_verification(true);
        return c;
    }

    /// Signs in on `hub` with `token`; the "name=value" cookie, or "" when refused.
    static std::string signIn(EphemeralHub& hub, const std::string& token) {
        auto res = client(hub)->Post("/dashboard/signin", httplib::Params{{"token", token}});
        if (!res || res->status != 303) return {};
        const std::string cookie = res->get_header_value("Set-Cookie");
        return cookie.substr(0, cookie.find(';'));
    }

    static int data(EphemeralHub& hub, const std::string& cookie) {
        auto res = client(hub)->Get("/dashboard/api/data?from=2026-11-01&to=2026-11-02",
                                    httplib::Headers{{"Cookie", cookie}});
        return res ? res->status : -1;
    }

    std::unique_ptr<EphemeralHub> m_a, m_b;
};

TEST_F(SESSION_SUITE, ARevokedTokensSessionGets401OnItsNextRequestOnEveryHub) {
    const auto token = m_a->token("head-office:analyst");
    const auto cookie = signIn(*m_a, token);
    ASSERT_FALSE(cookie.empty());
    EXPECT_EQ(data(*m_a, cookie), 200);
    EXPECT_EQ(data(*m_b, cookie), 200);  // the other hub process knows the session
    const auto tokens = m_a->store().listTokens().value();
    std::string name;
    for (const auto& t : tokens) {
        if (t.role == "analyst") name = t.name;
    }
    ASSERT_FALSE(name.empty());
    ASSERT_TRUE(*m_a->store().revokeToken(name));
    EXPECT_EQ(data(*m_b, cookie), 401);
    EXPECT_EQ(data(*m_a, cookie), 401);
}

TEST_F(SESSION_SUITE, ARoleChangeEndsTheSessionsOfThatToken) {
    const auto token = m_a->token("head-office:manager");
    const auto cookie = signIn(*m_a, token);
    ASSERT_FALSE(cookie.empty());
    const auto other = signIn(*m_b, m_a->headOfficeToken());
    EXPECT_EQ(data(*m_b, cookie), 200);
    const auto tokens = m_a->store().listTokens().value();
    std::string name;
    for (const auto& t : tokens) {
        if (t.role == "manager") name = t.name;
    }
    ASSERT_TRUE(*m_a->store().setTokenRole(name, "analyst"));
    EXPECT_EQ(data(*m_a, cookie), 401);
    EXPECT_EQ(data(*m_b, other), 200);  // another token's session is untouched
    const auto again = signIn(*m_a, token);  // the token still signs in, with its new role
    EXPECT_EQ(data(*m_b, again), 200);
}

}  // namespace
}  // namespace touchpoint::hub::testing
