// The dashboard's Cases calls on this suite's store (SQLite or PostgreSQL), signed in through the dashboard:
// the list and one case for the session's role (contact masked for every role until a manager asks for it
// with ?reveal=contact, which an analyst is refused), notes and status for managers
// only and from this site only, and the case figures' SQL (first action, SLA, the next visit's NPS of the
// same profile) on known timings from a manual hub clock.

#include "api_test_support.hpp"
#include "hub/dashboard/hub_dashboard.hpp"

#define CASE_PAGE_CAT2(a, b) a##b
#define CASE_PAGE_CAT(a, b) CASE_PAGE_CAT2(a, b)
#define CASE_PAGE_SUITE CASE_PAGE_CAT(HUB_SUITE, CasePage)

namespace touchpoint::hub::testing {
namespace {

using nlohmann::json;

constexpr std::int64_t kMinuteMs = 60'000;
const event::Identity kPhone{event::Identity::Type::Phone, "+12025550123"};
const event::Identity kOtherPhone{event::Identity::Type::Phone, "+12025550199"};

class CASE_PAGE_SUITE : public HubApiTest {
  protected:
    void SetUp() override {
        // The hub runs on the kiosks' clock, so that answers, openings and resolutions are in one known
        // order.
        EphemeralHubOptions o;
        o.storeUrl = backendStoreUrl();
        o.clock = &m_clock;
        o.routes = dashboard::hubDashboardRoutes();
        auto h = EphemeralHub::start(o);
        ASSERT_TRUE(h.ok()) << (h.ok() ? "" : h.error());
        m_hub = std::move(h).value();
        m_kiosk.emplace(kiosk("store-1", "k1", m_clock));
    }

    std::unique_ptr<httplib::SSLClient> client() {
        auto c = std::make_unique<httplib::SSLClient>("127.0.0.1", hub().port());
        c->set_ca_cert_path(hub().caFile().c_str());
        c->enable_server_certificate_verification(true);
        return c;
    }

    /// The "name=value" session cookie of a dashboard sign-in with `token`.
    std::string signIn(const std::string& token) {
        auto res = client()->Post("/dashboard/signin", httplib::Params{{"token", token}});
        EXPECT_TRUE(res && res->status == 303);
        if (!res) return {};
        const std::string cookie = res->get_header_value("Set-Cookie");
        return cookie.substr(0, cookie.find(';'));
    }

    Reply pageGet(const std::string& path, const std::string& cookie) {
        auto res = client()->Get(path, httplib::Headers{{"Cookie", cookie}});
        return res ? Reply{res->status, res->body} : Reply{};
    }

    Reply pagePost(const std::string& path, const json& body, const std::string& cookie,
                   const std::string& origin = "") {
        httplib::Headers headers{{"Cookie", cookie}};
        if (!origin.empty()) headers.emplace("Origin", origin);
        auto res = client()->Post(path, headers, body.dump(), "application/json");
        return res ? Reply{res->status, res->body} : Reply{};
    }

    /// A shopper's visit: signed in with `phone`, one answer; a detractor also agrees to be contacted.
    std::string visit(const std::string& session, const event::Identity& phone, int nps) {
        json messages = json::array();
        messages.push_back(wire(m_kiosk->signin(session, "en-US", event::SigninMethod::Phone, phone, false)));
        m_clock.advanceMs(kMinuteMs);
        event::FeedbackAnswers a;
        a.surveyId = "store-visit";
        a.nps = nps;
        a.reasons = {"queue"};
        auto fb = m_kiosk->feedback(session, "en-US", a, std::nullopt);
        messages.push_back(wire(fb));
        if (nps <= 6) {
            event::ConsentRecord notice{"feedback-contact", "1", std::string(64, 'a'), {}};
            messages.push_back(
                wire(m_kiosk->feedbackContactConsent(session, "en-US", phone, notice, fb.messageId)));
        }
        for (const auto& status : send(messages)) EXPECT_EQ(status, "accepted");
        return fb.messageId;
    }

    std::string today() const { return formatIsoUtcMs(m_clock.utcMs()).substr(0, 10); }

    std::optional<event::KioskEventFactory> m_kiosk;
};

TEST_F(CASE_PAGE_SUITE, TheSessionsRoleDecidesWhatItSeesAndMayChange) {
    visit("visit-1", kPhone, 2);
    const auto manager = signIn(hub().token("head-office:manager"));
    const auto analyst = signIn(hub().token("head-office:analyst"));
    EXPECT_EQ(pageGet("/dashboard/api/cases", "").status, 401);

    const auto list = pageGet("/dashboard/api/cases?status=open", analyst);
    ASSERT_EQ(list.status, 200) << list.body;
    ASSERT_EQ(list.json()["cases"].size(), 1u) << list.body;
    const std::string id = list.json()["cases"][0]["id"];
    EXPECT_EQ(pageGet("/dashboard/api/cases?status=closed", analyst).status, 400) << "the /v1 validation";

    const auto masked = pageGet("/dashboard/api/cases/" + id, analyst).json();
    EXPECT_EQ(masked["contact"]["masked"], true);
    EXPECT_EQ(masked["contact"]["value"].get<std::string>().find("5550123"), std::string::npos);
    EXPECT_EQ(pagePost("/dashboard/api/cases/" + id + "/notes", {{"text", "called"}}, analyst).status, 403);
    EXPECT_EQ(pagePost("/dashboard/api/cases/" + id + "/status", {{"status", "in_progress"}}, analyst).status,
              403);

    const auto refused = pageGet("/dashboard/api/cases/" + id + "?reveal=contact", analyst);
    EXPECT_EQ(refused.status, 403) << refused.body;
    EXPECT_EQ(refused.body.find("5550123"), std::string::npos) << refused.body;

    const auto managerDefault = pageGet("/dashboard/api/cases/" + id, manager).json();
    EXPECT_EQ(managerDefault["contact"]["masked"], true) << "masked by default for managers too";
    EXPECT_EQ(managerDefault["contact"]["value"].get<std::string>().find("5550123"), std::string::npos);
    EXPECT_EQ(pageGet("/dashboard/api/cases/" + id + "?reveal=everything", manager).status, 400);
    const auto shown = pageGet("/dashboard/api/cases/" + id + "?reveal=contact", manager).json();
    EXPECT_EQ(shown["contact"]["value"], "+12025550123");
    EXPECT_EQ(shown["contact"]["masked"], false);
    EXPECT_EQ(pagePost("/dashboard/api/cases/" + id + "/notes", {{"text", "called"}}, manager,
                       "https://attacker.example")
                  .status,
              403)
        << "a change from another site";
    EXPECT_EQ(
        pagePost("/dashboard/api/cases/" + id + "/notes", {{"text", std::string(4001, 'x')}}, manager).status,
        400)
        << "the /v1 note limit";
    EXPECT_EQ(pagePost("/dashboard/api/cases/" + id + "/notes", {{"text", "called"}}, manager).status, 200);
    EXPECT_EQ(pagePost("/dashboard/api/cases/" + id + "/status", {{"status", "resolved"}}, manager).status,
              400)
        << "an outcome is required";

    std::vector<std::string> actions;
    const auto seenAgain = pageGet("/dashboard/api/cases/" + id, manager).json();
    for (const auto& a : seenAgain["audit"])
        actions.push_back(a["action"].get<std::string>() + ":" + a["detail"].get<std::string>());
    // The analyst's view, the manager's masked view and the reveal: the refusal and the 400 wrote nothing.
    ASSERT_GE(actions.size(), 5u);
    EXPECT_EQ(actions[0], "viewed:contact masked");
    EXPECT_EQ(actions[1], "viewed:contact masked");
    EXPECT_EQ(actions[2], "viewed:contact shown");
    EXPECT_EQ(actions[3].rfind("note:", 0), 0u);
}

TEST_F(CASE_PAGE_SUITE, FiguresFromTheCasesOpenedInTheRange) {
    const std::string day = today();
    visit("returns-1", kPhone, 3);          // this shopper comes back after the resolution
    visit("stays-away-1", kOtherPhone, 1);  // this one does not
    // Sessions end after 30 idle minutes on the hub's clock: each step signs in again.
    const auto token = hub().token("head-office:manager");
    const auto list = pageGet("/dashboard/api/cases", signIn(token)).json()["cases"];
    ASSERT_EQ(list.size(), 2u) << list.dump();
    const std::string away = list[0]["id"];       // newest first
    const std::string returning = list[1]["id"];  // opened at T

    m_clock.advanceMs(10 * kMinuteMs);  // T + 11 min: a note is the first action
    ASSERT_EQ(
        pagePost("/dashboard/api/cases/" + returning + "/notes", {{"text", "called"}}, signIn(token)).status,
        200);
    m_clock.advanceMs(50 * kMinuteMs);  // the other case, opened a minute later, taken up after 60 min
    ASSERT_EQ(pagePost("/dashboard/api/cases/" + away + "/status",
                       {{"status", "in_progress"}, {"assignee", "amy"}}, signIn(token))
                  .status,
              200);
    m_clock.advanceMs(120 * kMinuteMs);
    ASSERT_EQ(pagePost("/dashboard/api/cases/" + returning + "/status",
                       {{"status", "resolved"}, {"outcome", "voucher sent"}}, signIn(token))
                  .status,
              200);
    m_clock.advanceMs(3 *
                      kDayMs);  // the other case is resolved past its 48-hour SLA; its shopper never returns
    ASSERT_EQ(pagePost("/dashboard/api/cases/" + away + "/status",
                       {{"status", "resolved"}, {"outcome", "apologised"}}, signIn(token))
                  .status,
              200);
    visit("returns-2", kPhone, 10);
    const auto manager = signIn(token);

    const auto r = pageGet("/dashboard/api/case-figures?from=" + day + "&to=" + today(), manager);
    ASSERT_EQ(r.status, 200) << r.body;
    const auto f = r.json();
    EXPECT_EQ(f["opened"], 2);
    EXPECT_EQ(f["open"], 0);
    EXPECT_EQ(f["inProgress"], 0);
    EXPECT_EQ(f["resolved"], 2);
    EXPECT_EQ(f["overdue"], 0);
    EXPECT_EQ(f["firstAction"]["cases"], 2);
    EXPECT_EQ(f["firstAction"]["medianMs"], 10 * kMinuteMs + kMinuteMs)
        << f.dump();  // the note, after 11 min
    EXPECT_EQ(f["firstAction"]["p90Ms"], 60 * kMinuteMs) << f.dump();
    EXPECT_EQ(f["resolvedWithinSla"]["cases"], 1);
    EXPECT_EQ(f["resolvedWithinSla"]["percent"], 50.0);
    // Only the returning shopper's answer after the resolution: not either shopper's answer that opened a
    // case.
    EXPECT_EQ(f["nextVisitNps"]["answers"], 1) << f.dump();
    EXPECT_EQ(f["nextVisitNps"]["tooFew"], true);
    EXPECT_TRUE(f["nextVisitNps"]["nps"].is_null());

    const auto other =
        pageGet("/dashboard/api/case-figures?from=" + day + "&to=" + today() + "&store=store-2", manager);
    ASSERT_EQ(other.status, 200) << other.body;
    EXPECT_EQ(other.json()["opened"], 0);
    EXPECT_EQ(pageGet("/dashboard/api/case-figures?from=" + today() + "&to=" + day, manager).status, 400);
    EXPECT_EQ(pageGet("/dashboard/api/case-figures?from=" + day + "&to=" + day, "").status, 401);
}

}  // namespace
}  // namespace touchpoint::hub::testing
