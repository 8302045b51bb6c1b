// The dashboard's "Surveys & fleet" calls on this suite's store (SQLite or PostgreSQL), signed in through the
// dashboard: the documents and assignments for every head-office role, publishing, assigning and rolling back
// for managers only and from this site only, the validate-only call (the publish check, nothing stored), and
// which kiosk runs which version, which are behind and which refused and why.

#include <algorithm>
#include <map>

#include "api_test_support.hpp"
#include "hub/dashboard/hub_dashboard.hpp"

#define FLEET_PAGE_CAT2(a, b) a##b
#define FLEET_PAGE_CAT(a, b) FLEET_PAGE_CAT2(a, b)
#define FLEET_PAGE_SUITE FLEET_PAGE_CAT(HUB_SUITE, FleetPage)

namespace touchpoint::hub::testing {
namespace {

using nlohmann::json;

/// A document the kiosk's validator accepts: NPS, then a choice shown to detractors, in English and Spanish.
json pageDocument(const std::string& npsQuestion = "How likely are you to recommend us?") {
    return {{"format", 1},
            {"survey",
             {{"id", "autumn"},
              {"version", 1},
              {"titleKey", "survey.autumn.title"},
              {"steps",
               {{{"id", "nps"}, {"type", "nps"}, {"questionKey", "survey.q.nps"}},
                {{"id", "why"},
                 {"type", "choice"},
                 {"questionKey", "survey.q.why"},
                 {"options", {{{"id", "queue"}, {"labelKey", "survey.opt.queue"}}}},
                 {"when", {{"step", "nps"}, {"min", 0}, {"max", 6}}}}}}}},
            {"texts",
             {{"en",
               {{"survey.autumn.title", "Autumn visit"},
                {"survey.q.nps", npsQuestion},
                {"survey.q.why", "What went wrong?"},
                {"survey.opt.queue", "The queue"}}},
              {"es",
               {{"survey.autumn.title", "Visita de otoño"},
                {"survey.q.nps", "¿Nos recomendaría?"},
                {"survey.q.why", "¿Qué salió mal?"},
                {"survey.opt.queue", "La cola"}}}}},
            {"settings", {{"languages", {"en", "es"}}, {"defaultLanguage", "en"}}}};
}

class FLEET_PAGE_SUITE : public HubApiTest {
  protected:
    void SetUp() override {
        EphemeralHubOptions o;
        o.storeUrl = backendStoreUrl();
        o.routes = dashboard::hubDashboardRoutes();
        auto h = EphemeralHub::start(o);
        ASSERT_TRUE(h.ok()) << (h.ok() ? "" : h.error());
        m_hub = std::move(h).value();
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

    Reply pagePost(const std::string& path, const std::string& body, const std::string& cookie,
                   const std::string& origin = "") {
        httplib::Headers headers{{"Cookie", cookie}};
        if (!origin.empty()) headers.emplace("Origin", origin);
        auto res = client()->Post(path, headers, body, "application/json");
        return res ? Reply{res->status, res->body} : Reply{};
    }
    Reply pagePost(const std::string& path, const json& body, const std::string& cookie,
                   const std::string& origin = "") {
        return pagePost(path, body.dump(), cookie, origin);
    }

    std::size_t documentCount(const std::string& cookie) {
        return pageGet("/dashboard/api/fleet/documents", cookie).json()["documents"].size();
    }

    std::string sameSite() { return "https://127.0.0.1:" + std::to_string(hub().port()); }
};

TEST_F(FLEET_PAGE_SUITE, TheSessionsRoleDecidesWhoPublishesAndAssigns) {
    const auto manager = signIn(hub().token("head-office:manager"));
    const auto analyst = signIn(hub().token("head-office:analyst"));
    EXPECT_EQ(pageGet("/dashboard/api/fleet/documents", "").status, 401);
    EXPECT_EQ(pagePost("/dashboard/api/fleet/documents", json{{"name", "a"}}, "").status, 401);

    // Publishing: managers only, same site only; the /v1 checks and answers.
    const json publish = {{"name", "autumn"}, {"document", pageDocument()}};
    const auto refused = pagePost("/dashboard/api/fleet/documents", publish, analyst);
    EXPECT_EQ(refused.status, 403) << refused.body;
    EXPECT_EQ(pagePost("/dashboard/api/fleet/documents", publish, manager, "https://attacker.example").status,
              403)
        << "a publish from another site";
    EXPECT_EQ(pagePost("/dashboard/api/fleet/documents", publish, manager, "null").status, 403);
    EXPECT_EQ(documentCount(manager), 0u) << "nothing refused was stored";
    const auto first = pagePost("/dashboard/api/fleet/documents", publish, manager, sameSite());
    ASSERT_EQ(first.status, 201) << first.body;
    EXPECT_EQ(first.json()["revision"], 1);
    EXPECT_EQ(first.json()["surveyVersion"], 1);
    const auto v1 = first.json()["configVersion"].get<std::int64_t>();

    // Both roles read the list, and learn what the page may offer them.
    const auto asAnalyst = pageGet("/dashboard/api/fleet/documents", analyst);
    ASSERT_EQ(asAnalyst.status, 200) << asAnalyst.body;
    EXPECT_EQ(asAnalyst.json()["viewer"]["role"], "analyst");
    EXPECT_EQ(asAnalyst.json()["viewer"]["mayPublish"], false);
    ASSERT_EQ(asAnalyst.json()["documents"].size(), 1u);
    EXPECT_EQ(asAnalyst.json()["documents"][0]["createdBy"], first.json()["createdBy"]);
    const auto asManager = pageGet("/dashboard/api/fleet/documents", manager).json();
    EXPECT_EQ(asManager["viewer"]["mayPublish"], true);
    EXPECT_EQ(asManager["languages"], json({"en", "es", "fr", "de", "pt"}));
    const auto& keys = asManager["textKeys"];
    EXPECT_NE(std::find(keys.begin(), keys.end(), "attract.brand"), keys.end()) << keys;
    EXPECT_EQ(std::find(keys.begin(), keys.end(), "survey.q.nps"), keys.end())
        << "survey keys are the survey's";

    const auto opened = pageGet("/dashboard/api/fleet/documents/" + std::to_string(v1), analyst);
    ASSERT_EQ(opened.status, 200) << opened.body;
    EXPECT_EQ(opened.json()["document"]["texts"]["es"]["survey.q.why"], "¿Qué salió mal?");
    EXPECT_EQ(pageGet("/dashboard/api/fleet/documents/999", analyst).status, 404);
    EXPECT_EQ(pageGet("/dashboard/api/fleet/documents/x1", analyst).status, 404);

    // Assigning (and so rolling back): managers only, same site only.
    const json assign = {{"configVersion", v1}, {"scope", "store:store-1"}};
    EXPECT_EQ(pagePost("/dashboard/api/fleet/assignments", assign, analyst).status, 403);
    EXPECT_EQ(
        pagePost("/dashboard/api/fleet/assignments", assign, manager, "https://attacker.example").status,
        403);
    EXPECT_TRUE(pageGet("/dashboard/api/fleet/assignments", analyst).json()["assignments"].empty());
    EXPECT_EQ(pagePost("/dashboard/api/fleet/assignments", json{{"configVersion", v1}, {"scope", "shop:1"}},
                       manager)
                  .status,
              400);
    EXPECT_EQ(pagePost("/dashboard/api/fleet/assignments",
                       json{{"configVersion", v1}, {"scope", "all"}, {"startsAt", "tomorrow"}}, manager)
                  .status,
              400);
    EXPECT_EQ(
        pagePost("/dashboard/api/fleet/assignments", json{{"configVersion", 999}, {"scope", "all"}}, manager)
            .status,
        404);
    const auto made = pagePost("/dashboard/api/fleet/assignments", assign, manager);
    ASSERT_EQ(made.status, 201) << made.body;
    const auto list = pageGet("/dashboard/api/fleet/assignments", analyst).json()["assignments"];
    ASSERT_EQ(list.size(), 1u) << list;
    EXPECT_EQ(list[0]["scope"], "store:store-1");
    EXPECT_EQ(list[0]["configVersion"], v1);

    // The same answers as the /v1 routes give a bearer token.
    const auto v1List = get("/v1/fleet/assignments", hub().token("head-office:analyst"));
    ASSERT_EQ(v1List.status, 200);
    EXPECT_EQ(v1List.json()["assignments"], list);
}

TEST_F(FLEET_PAGE_SUITE, ValidateOnlyAnswersTheValidatorsErrorsAndStoresNothing) {
    const auto manager = signIn(hub().token("head-office:manager"));
    const auto analyst = signIn(hub().token("head-office:analyst"));

    const auto good = pagePost("/dashboard/api/fleet/validate", json{{"document", pageDocument()}}, manager);
    ASSERT_EQ(good.status, 200) << good.body;
    EXPECT_EQ(good.json()["valid"], true);
    EXPECT_TRUE(good.json()["errors"].empty());

    // An emptied question in one language: the path names the language and the key.
    json emptied = pageDocument();
    emptied["texts"]["es"]["survey.q.nps"] = "";
    const auto bad =
        pagePost("/dashboard/api/fleet/validate", json{{"name", "autumn"}, {"document", emptied}},
                 analyst);  // it changes nothing, so every role may ask
    ASSERT_EQ(bad.status, 200) << bad.body;
    EXPECT_EQ(bad.json()["valid"], false);
    bool named = false;
    const json badErrors = bad.json()["errors"];
    for (const auto& e : badErrors) named = named || e["path"] == "texts.es.survey.q.nps";
    EXPECT_TRUE(named) << bad.body;

    // Branching that names a later step, and an option without a label.
    json branching = pageDocument();
    branching["survey"]["steps"][1]["when"]["step"] = "why";
    branching["survey"]["steps"][1]["options"][0].erase("labelKey");
    const auto errors =
        pagePost("/dashboard/api/fleet/validate", json{{"document", branching}}, manager).json();
    std::vector<std::string> paths;
    for (const auto& e : errors["errors"]) paths.push_back(e["path"]);
    EXPECT_NE(std::find(paths.begin(), paths.end(), "survey.steps[1].when.step"), paths.end()) << errors;
    EXPECT_NE(std::find(paths.begin(), paths.end(), "survey.steps[1].options[0]"), paths.end()) << errors;

    // The same answer from the /v1 route; a wrong body is a 400 for that body only.
    const auto v1 = post("/v1/fleet/documents/validate", json{{"document", emptied}}.dump(),
                         hub().token("head-office:analyst"));
    ASSERT_EQ(v1.status, 200) << v1.body;
    EXPECT_EQ(v1.json()["errors"], bad.json()["errors"]);
    EXPECT_EQ(pagePost("/dashboard/api/fleet/validate", std::string("[1,2]"), manager).status, 400);
    EXPECT_EQ(pagePost("/dashboard/api/fleet/validate", std::string("{\"document\": "), manager).status, 400);
    EXPECT_EQ(pagePost("/dashboard/api/fleet/validate", json{{"document", 1}}, manager).status, 400);
    EXPECT_EQ(pagePost("/dashboard/api/fleet/validate", json{{"document", pageDocument()}, {"assign", "all"}},
                       manager)
                  .status,
              400)
        << "validation takes no assignment";
    EXPECT_EQ(pagePost("/dashboard/api/fleet/validate",
                       json{{"name", "bad name"}, {"document", pageDocument()}}, manager)
                  .status,
              400);
    std::string deep = "{\"document\": ";
    for (int i = 0; i < 40; ++i) deep += "[";
    for (int i = 0; i < 40; ++i) deep += "]";
    deep += "}";
    EXPECT_EQ(pagePost("/dashboard/api/fleet/validate", deep, manager).status, 400);
    EXPECT_EQ(pagePost("/dashboard/api/fleet/validate", json{{"document", pageDocument()}}, manager,
                       "https://attacker.example")
                  .status,
              403);
    EXPECT_EQ(pagePost("/dashboard/api/fleet/validate", json{{"document", pageDocument()}}, "").status, 401);

    // Validation stored nothing; a publish of the emptied text is refused with the same errors.
    EXPECT_EQ(documentCount(manager), 0u);
    const auto refused =
        pagePost("/dashboard/api/fleet/documents", json{{"name", "autumn"}, {"document", emptied}}, manager);
    ASSERT_EQ(refused.status, 422) << refused.body;
    EXPECT_EQ(refused.json()["errors"], bad.json()["errors"]);
    EXPECT_EQ(documentCount(manager), 0u);
}

TEST_F(FLEET_PAGE_SUITE, KiosksShowTheirVersionWhoIsBehindAndWhoRefusedAndWhy) {
    const auto manager = signIn(hub().token("head-office:manager"));
    const auto v1 =
        pagePost("/dashboard/api/fleet/documents",
                 json{{"name", "autumn"}, {"document", pageDocument()}, {"assign", {{"scope", "all"}}}},
                 manager)
            .json()["configVersion"]
            .get<std::int64_t>();
    const auto v2 =
        pagePost("/dashboard/api/fleet/documents",
                 json{{"name", "autumn"}, {"document", pageDocument("Would you recommend us?")}}, manager)
            .json()["configVersion"]
            .get<std::int64_t>();
    ASSERT_EQ(pagePost("/dashboard/api/fleet/assignments",
                       json{{"configVersion", v2}, {"scope", "store:store-1"}}, manager)
                  .status,
              201);

    auto k1 = kiosk("store-1", "k1", SystemClock::instance());
    auto k2 = kiosk("store-1", "k2", SystemClock::instance());
    auto k3 = kiosk("store-2", "k1", SystemClock::instance());
    // k1 runs v2; k2 was given v2, refused it and keeps v1; k3 runs v1, which is what store-2 should run.
    ASSERT_EQ(send({wire(k1.heartbeat({{"queueDepth", 0}, {"configVersion", v2}, {"configRefusal", ""}}))}),
              std::vector<std::string>{"accepted"});
    ASSERT_EQ(send({wire(k2.heartbeat({{"queueDepth", 0},
                                       {"configVersion", v1},
                                       {"configRefusal", "texts.es: no text for \"survey.q.nps\""}}))}),
              std::vector<std::string>{"accepted"});
    ASSERT_EQ(send({wire(k3.heartbeat({{"queueDepth", 0}, {"configVersion", v1}}))}),
              std::vector<std::string>{"accepted"});

    const auto r = pageGet("/dashboard/api/fleet/kiosks", signIn(hub().token("head-office:analyst")));
    ASSERT_EQ(r.status, 200) << r.body;
    std::map<std::string, json> byKiosk;
    const json kiosks = r.json()["kiosks"];
    for (const auto& k : kiosks)
        byKiosk[k["store"].get<std::string>() + "/" + k["kiosk"].get<std::string>()] = k;
    ASSERT_EQ(byKiosk.size(), 3u) << r.body;
    EXPECT_EQ(byKiosk["store-1/k1"]["configVersion"], v2);
    EXPECT_EQ(byKiosk["store-1/k1"]["configBehind"], false);
    EXPECT_EQ(byKiosk["store-1/k2"]["configVersion"], v1);
    EXPECT_EQ(byKiosk["store-1/k2"]["expectedConfigVersion"], v2);
    EXPECT_EQ(byKiosk["store-1/k2"]["configBehind"], true);
    EXPECT_EQ(byKiosk["store-1/k2"]["configRefusal"], "texts.es: no text for \"survey.q.nps\"");
    EXPECT_EQ(byKiosk["store-2/k1"]["expectedConfigVersion"], v1);
    EXPECT_EQ(byKiosk["store-2/k1"]["configBehind"], false);

    // What /v1/fleet says of the same kiosks.
    const auto fleet = get("/v1/fleet", hub().token("head-office:analyst"));
    ASSERT_EQ(fleet.status, 200);
    const json fleetKiosks = fleet.json()["kiosks"];
    ASSERT_EQ(fleetKiosks.size(), 3u);
    for (const auto& k : fleetKiosks) {
        const auto& mine = byKiosk[k["store"].get<std::string>() + "/" + k["kiosk"].get<std::string>()];
        for (const char* member :
             {"configVersion", "expectedConfigVersion", "configBehind", "configRefusal", "lastSeen"})
            EXPECT_EQ(mine[member], k[member]) << member;
    }

    // Rolling store-1 back to v1: every kiosk there should run v1 again, and k2 (which keeps v1) is not
    // behind.
    ASSERT_EQ(pagePost("/dashboard/api/fleet/assignments",
                       json{{"configVersion", v1}, {"scope", "store:store-1"}}, manager)
                  .status,
              201);
    const auto after = pageGet("/dashboard/api/fleet/kiosks", manager).json()["kiosks"];
    for (const auto& k : after) {
        EXPECT_EQ(k["expectedConfigVersion"], v1) << k;
        const bool runsV1 = k["configVersion"] == v1;
        EXPECT_EQ(k["configBehind"], !runsV1) << k;
    }
}

}  // namespace
}  // namespace touchpoint::hub::testing
