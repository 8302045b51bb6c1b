// Published kiosk configuration over a real HTTPS hub on this suite's store (SQLite or PostgreSQL): head
// office publishes, kiosks poll with If-None-Match, assignments along the hierarchy with start times on the
// hub's manual clock, rollback, precise errors for an invalid document, roles, and the fleet view of what
// each kiosk runs (docs/PROTOCOL.md "Kiosk configuration").

#include "api_test_support.hpp"
#include "content/fleet_document.hpp"

#define FLEET_CAT2(a, b) a##b
#define FLEET_CAT(a, b) FLEET_CAT2(a, b)
#define FLEET_SUITE FLEET_CAT(HUB_SUITE, FleetConfig)

namespace touchpoint::hub::testing {
namespace {

using nlohmann::json;

struct Poll {
    int status = 0;
    std::string etag;
    json body;
};

/// A document the kiosk's validator accepts: a two-step survey in English and Spanish.
json document(const std::string& npsQuestion = "How likely are you to recommend us?", int inactivityS = 45) {
    return {{"format", 1},
            {"survey",
             {{"id", "spring"},
              {"version", 1},
              {"titleKey", "survey.spring.title"},
              {"steps",
               {{{"id", "nps"}, {"type", "nps"}, {"questionKey", "survey.q.nps"}},
                {{"id", "comment"}, {"type", "comment"}, {"questionKey", "survey.q.comment"}}}}}},
            {"texts",
             {{"en",
               {{"survey.spring.title", "Spring visit"},
                {"survey.q.nps", npsQuestion},
                {"survey.q.comment", "Anything else?"}}},
              {"es",
               {{"survey.spring.title", "Visita de primavera"},
                {"survey.q.nps", "¿Nos recomendaría?"},
                {"survey.q.comment", "¿Algo más?"}}}}},
            {"settings",
             {{"languages", {"en", "es"}},
              {"defaultLanguage", "en"},
              {"inactivityS", inactivityS},
              {"stillThereS", 20}}}};
}

class FLEET_SUITE : public HubApiTest {
  protected:
    void SetUp() override { startHub(); }

    /// (Re)starts the hub on a fresh store with `cases` as its [cases].
    void startHub(const CasesConfig& cases = {}) {
        m_hub.reset();
        EphemeralHubOptions o;
        o.storeUrl = backendStoreUrl();
        o.clock = &m_hubClock;
        o.cases = cases;
        auto h = EphemeralHub::start(o);
        ASSERT_TRUE(h.ok()) << (h.ok() ? "" : h.error());
        m_hub = std::move(h).value();
    }

    Poll poll(const std::string& token, const std::string& ifNoneMatch = "") {
        httplib::SSLClient c("127.0.0.1", hub().port());
        c.set_ca_cert_path(hub().caFile().c_str());
        c.enable_server_certificate_verification(true);
        c.set_bearer_token_auth(token.c_str());
        httplib::Headers headers;
        if (!ifNoneMatch.empty()) headers.emplace("If-None-Match", ifNoneMatch);
        auto r = c.Get("/v1/kiosk/config", headers);
        if (!r) return {-1, "", nullptr};
        Poll p{r->status, r->get_header_value("ETag"), nullptr};
        if (!r->body.empty()) p.body = json::parse(r->body, nullptr, false);
        return p;
    }

    /// Publishes `doc` as `name` with `manager`'s token; the reply.
    Reply publish(const std::string& name, const json& doc, const json& assign = nullptr) {
        json body = {{"name", name}, {"document", doc}};
        if (!assign.is_null()) body["assign"] = assign;
        return post("/v1/fleet/documents", body.dump(), hub().token("head-office:manager"));
    }

    std::string isoIn(std::int64_t ms) const { return formatIsoUtcMs(m_hubClock.utcMs() + ms); }

    ManualClock m_hubClock{SystemClock::instance().utcMs() / 1000 * 1000};
};

TEST_F(FLEET_SUITE, PublishPollRevalidateScheduleAndRollBack) {
    const auto k1 = hub().kioskToken("store-1", "k1");
    const auto other = hub().kioskToken("store-2", "k1");
    EXPECT_EQ(poll(k1).status, 404);  // nothing published yet
    EXPECT_EQ(poll(k1).body["error"], "no_config");

    // Published for all stores: every kiosk gets it, with its config version and an ETag naming it.
    const auto first = publish("spring", document(), {{"scope", "all"}});
    ASSERT_EQ(first.status, 201) << first.body;
    const auto v1 = first.json()["configVersion"].get<std::int64_t>();
    EXPECT_EQ(first.json()["revision"], 1);
    EXPECT_EQ(first.json()["surveyVersion"], 1);
    auto got = poll(k1);
    ASSERT_EQ(got.status, 200);
    EXPECT_EQ(got.etag, "\"cfg-" + std::to_string(v1) + "\"");
    EXPECT_EQ(got.body["configVersion"], v1);
    EXPECT_EQ(got.body["survey"]["id"], "spring");
    EXPECT_EQ(got.body["survey"]["version"], 1);
    EXPECT_EQ(got.body["texts"]["es"]["survey.q.nps"], "¿Nos recomendaría?");
    // Unchanged: 304 without a body.
    const auto same = poll(k1, got.etag);
    EXPECT_EQ(same.status, 304);
    EXPECT_TRUE(same.body.is_null());
    EXPECT_EQ(poll(k1, "W/" + got.etag).status, 304);
    EXPECT_EQ(poll(k1, "\"cfg-0\", " + got.etag).status, 304);
    EXPECT_EQ(poll(k1, "\"cfg-0\"").status, 200);

    // A new revision for store-1 only: its kiosks see a new ETag; the other store keeps the first.
    json rebranded = document("How likely are you to recommend us?", 60);
    rebranded["texts"]["en"]["attract.brand"] = "Spring at the store";
    const auto second = publish("spring", rebranded, {{"scope", "store:store-1"}});
    ASSERT_EQ(second.status, 201) << second.body;
    const auto v2 = second.json()["configVersion"].get<std::int64_t>();
    EXPECT_EQ(second.json()["revision"], 2);
    EXPECT_EQ(second.json()["surveyVersion"], 1);  // an attract text and a setting changed, not a question
    const auto now2 = poll(k1, got.etag);
    ASSERT_EQ(now2.status, 200);
    EXPECT_EQ(now2.etag, "\"cfg-" + std::to_string(v2) + "\"");
    EXPECT_EQ(now2.body["texts"]["en"]["attract.brand"], "Spring at the store");
    EXPECT_EQ(now2.body["settings"]["inactivityS"], 60);
    EXPECT_EQ(poll(other, got.etag).status, 304);

    // A revision with a changed question, scheduled for tomorrow: not served until the hub's clock passes it.
    json changed = document();
    changed["survey"]["steps"][0]["questionKey"] = "survey.q.nps_store";
    for (const char* lang : {"en", "es"})
        changed["texts"][lang]["survey.q.nps_store"] = "Recommend this store?";
    for (const char* lang : {"en", "es"}) changed["texts"][lang].erase("survey.q.nps");
    const auto third =
        publish("spring", changed, {{"scope", "store:store-1"}, {"startsAt", isoIn(24 * 3600 * 1000)}});
    ASSERT_EQ(third.status, 201) << third.body;
    const auto v3 = third.json()["configVersion"].get<std::int64_t>();
    EXPECT_EQ(third.json()["surveyVersion"], 2);  // a changed question is a new survey version
    EXPECT_EQ(poll(k1, now2.etag).status, 304);
    m_hubClock.advanceMs(24 * 3600 * 1000 - 1000);
    EXPECT_EQ(poll(k1, now2.etag).status, 304);
    m_hubClock.advanceMs(1000);
    const auto scheduled = poll(k1, now2.etag);
    ASSERT_EQ(scheduled.status, 200);
    EXPECT_EQ(scheduled.body["configVersion"], v3);
    EXPECT_EQ(scheduled.body["survey"]["version"], 2);

    // Roll back store-1 to the second version: a new assignment; the history keeps all three.
    const auto rollback =
        post("/v1/fleet/assignments", json{{"scope", "store:store-1"}, {"configVersion", v2}}.dump(),
             hub().token("head-office:admin"));
    ASSERT_EQ(rollback.status, 201) << rollback.body;
    const auto rolled = poll(k1, scheduled.etag);
    ASSERT_EQ(rolled.status, 200);
    EXPECT_EQ(rolled.body["configVersion"], v2);
    const auto history = get("/v1/fleet/assignments", hub().token("head-office:analyst"));
    ASSERT_EQ(history.status, 200) << history.body;
    EXPECT_EQ(history.json()["assignments"].size(), 4u);
    EXPECT_EQ(post("/v1/fleet/assignments", json{{"scope", "all"}, {"configVersion", 999999}}.dump(),
                   hub().headOfficeToken())
                  .status,
              404);

    // A kiosk scope is nearer than its store; a region nearer than all stores.
    ASSERT_EQ(post("/v1/fleet/assignments", json{{"scope", "kiosk:store-1/k1"}, {"configVersion", v1}}.dump(),
                   hub().headOfficeToken())
                  .status,
              201);
    EXPECT_EQ(poll(k1).body["configVersion"], v1);
    EXPECT_EQ(poll(hub().kioskToken("store-1", "k2")).body["configVersion"], v2);
    ASSERT_EQ(post("/v1/fleet/assignments", json{{"scope", "region:north"}, {"configVersion", v3}}.dump(),
                   hub().headOfficeToken())
                  .status,
              201);
    EXPECT_EQ(poll(other).body["configVersion"], v1);  // store-2 is in no region yet
    auto c = httplib::SSLClient("127.0.0.1", hub().port());
    c.set_ca_cert_path(hub().caFile().c_str());
    c.enable_server_certificate_verification(true);
    c.set_bearer_token_auth(hub().token("head-office:manager").c_str());
    auto put = c.Put("/v1/fleet/regions/store-2", json{{"region", "north"}}.dump(), "application/json");
    ASSERT_TRUE(put);
    ASSERT_EQ(put->status, 200) << put->body;
    EXPECT_EQ(poll(other).body["configVersion"], v3);

    // Documents: listed without bodies, one with its body.
    const auto list = get("/v1/fleet/documents?name=spring", hub().token("head-office:analyst"));
    ASSERT_EQ(list.status, 200) << list.body;
    ASSERT_EQ(list.json()["documents"].size(), 3u);
    EXPECT_FALSE(list.json()["documents"][0].contains("document"));
    const auto one = get("/v1/fleet/documents/" + std::to_string(v3), hub().token("head-office:analyst"));
    ASSERT_EQ(one.status, 200) << one.body;
    EXPECT_EQ(one.json()["document"]["survey"]["steps"][0]["questionKey"], "survey.q.nps_store");
    EXPECT_EQ(get("/v1/fleet/documents/999999", hub().headOfficeToken()).status, 404);
    EXPECT_EQ(get("/v1/fleet/documents/x", hub().headOfficeToken()).status, 404);
}

TEST_F(FLEET_SUITE, InvalidDocumentsAreRefusedWithEveryPathAndNothingIsPublished) {
    // Every problem comes back with its path: which language lacks which text, which step is wrong.
    auto problems = [&](const json& doc) {
        const auto r = publish("spring", doc, {{"scope", "all"}});
        EXPECT_EQ(r.status, 422) << r.body;
        EXPECT_EQ(r.json()["error"], "invalid_document") << r.body;
        std::string text;
        const json errors = r.json()["errors"];
        EXPECT_TRUE(errors.is_array()) << r.body;
        for (const auto& e : errors)
            text += e["path"].get<std::string>() + " | " + e["message"].get<std::string>() + "\n";
        return text;
    };
    json missingText = document();
    missingText["texts"]["es"].erase("survey.q.comment");
    missingText["texts"]["es"].erase("survey.q.nps");
    const auto texts = problems(missingText);
    EXPECT_NE(texts.find("texts.es"), std::string::npos) << texts;
    EXPECT_NE(texts.find("survey.q.comment"), std::string::npos) << texts;
    EXPECT_NE(texts.find("survey.q.nps"), std::string::npos) << texts;
    json badStep = document();
    badStep["survey"]["steps"][1]["when"] = {{"step", "nope"}};
    badStep["settings"]["inactivityS"] = 5;
    const auto steps = problems(badStep);
    EXPECT_NE(steps.find("survey.steps[1]"), std::string::npos) << steps;
    EXPECT_EQ(get("/v1/fleet/documents", hub().headOfficeToken()).json()["documents"].size(), 0u);
    EXPECT_EQ(poll(hub().ingestToken()).status, 404);

    // The envelope: strict types, bounded names, strict times, at most a year ahead.
    const auto manager = hub().token("head-office:manager");
    for (const json& body : std::vector<json>{
             json::array(),
             {{"name", "has space"}, {"document", document()}},
             {{"name", std::string(65, 'n')}, {"document", document()}},
             {{"name", 7}, {"document", document()}},
             {{"name", "x"}, {"document", "text"}},
             {{"name", "x"}, {"document", document()}, {"extra", 1}},
             {{"name", "x"}, {"document", document()}, {"assign", {{"scope", "planet:earth"}}}},
             {{"name", "x"},
              {"document", document()},
              {"assign", {{"scope", "all"}, {"startsAt", "tomorrow"}}}},
             {{"name", "x"},
              {"document", document()},
              {"assign", {{"scope", "all"}, {"startsAt", isoIn(400LL * 24 * 3600 * 1000)}}}},
         }) {
        EXPECT_EQ(post("/v1/fleet/documents", body.dump(), manager).status, 400)
            << body.dump().substr(0, 200);
    }
    EXPECT_EQ(post("/v1/fleet/documents", "{not json", manager).status, 400);
    // Deep nesting inside the document and invalid UTF-8 in a text: refused with a clear answer, the hub
    // lives on.
    const std::string deep = R"({"name":"x","document":{"format":1,"survey":)" + std::string(100'000, '[') +
                             std::string(100'000, ']') + "}}";
    const auto nested = post("/v1/fleet/documents", deep, manager);
    EXPECT_EQ(nested.status, 400) << nested.body.substr(0, 200);
    json badText = document();
    badText["texts"]["en"]["survey.q.nps"] = "fine";
    std::string raw = json{{"name", "x"}, {"document", badText}}.dump();
    raw.replace(raw.find("fine"), 4, "f\xff\xfe");
    EXPECT_EQ(post("/v1/fleet/documents", raw, manager).status, 400);  // not JSON: JSON text is UTF-8
    EXPECT_EQ(get("/healthz", "").status, 200);
    const auto huge =
        json{{"name", "x"}, {"document", {{"pad", std::string(content::kMaxDocumentBytes + 10'000, 'a')}}}};
    EXPECT_EQ(post("/v1/fleet/documents", huge.dump(), manager).status, 413);
    EXPECT_EQ(
        post("/v1/fleet/assignments", json{{"scope", "all"}, {"configVersion", "1"}}.dump(), manager).status,
        400);
    auto c = httplib::SSLClient("127.0.0.1", hub().port());
    c.set_ca_cert_path(hub().caFile().c_str());
    c.enable_server_certificate_verification(true);
    c.set_bearer_token_auth(manager.c_str());
    auto put =
        c.Put("/v1/fleet/regions/store-1", json{{"region", std::string(65, 'r')}}.dump(), "application/json");
    ASSERT_TRUE(put);
    EXPECT_EQ(put->status, 400);
    EXPECT_EQ(get("/v1/fleet/documents", hub().headOfficeToken()).json()["documents"].size(), 0u);
}

TEST_F(FLEET_SUITE, ContactThresholdsAboveTheHubsUnhappyThresholdsAreRefusedByPublishAndValidate) {
    CasesConfig cases;
    cases.unhappyNpsMax = 4;
    cases.unhappyCsatMax = 1;
    startHub(cases);
    const auto manager = hub().token("head-office:manager");
    const auto withFeedback = [](bool question, int nps, int csat) {
        json doc = document();
        doc["settings"]["feedback"] = {
            {"contactQuestion", question}, {"contactNpsMax", nps}, {"contactCsatMax", csat}};
        return doc;
    };
    const auto errorsText = [](const json& errors) {
        std::string text;
        for (const auto& e : errors)
            text += e["path"].get<std::string>() + ": " + e["message"].get<std::string>() + "\n";
        return text;
    };

    // One above each of this hub's values (not the defaults 6 and 2): both refused, each naming both values.
    const json tooHigh = withFeedback(true, 5, 2);
    const auto refused = publish("spring", tooHigh, {{"scope", "all"}});
    EXPECT_EQ(refused.status, 422) << refused.body;
    const auto text = errorsText(refused.json()["errors"]);
    EXPECT_NE(
        text.find("settings.feedback.contactNpsMax: 5 is above the hub's [cases] unhappy_nps_max 4: shoppers "
                  "would be promised a call no case is opened for"),
        std::string::npos)
        << text;
    EXPECT_NE(text.find("settings.feedback.contactCsatMax: 2 is above the hub's [cases] unhappy_csat_max 1"),
              std::string::npos)
        << text;
    const auto validated = post("/v1/fleet/documents/validate", json{{"document", tooHigh}}.dump(), manager);
    EXPECT_EQ(validated.status, 200) << validated.body;
    EXPECT_EQ(validated.json()["valid"], false) << validated.body;
    EXPECT_EQ(errorsText(validated.json()["errors"]), text);
    // Only the NPS one over: only it is named.
    const auto npsOnly = publish("spring", withFeedback(true, 5, 1));
    EXPECT_EQ(npsOnly.status, 422) << npsOnly.body;
    EXPECT_EQ(npsOnly.json()["errors"].size(), 1u) << npsOnly.body;
    EXPECT_EQ(get("/v1/fleet/documents", hub().headOfficeToken()).json()["documents"].size(), 0u);
    EXPECT_EQ(poll(hub().ingestToken()).status, 404);

    // At the hub's values, or with the question off (nobody is asked), the document passes and reaches
    // kiosks.
    const json atLimit = withFeedback(true, 4, 1);
    const auto ok = post("/v1/fleet/documents/validate", json{{"document", atLimit}}.dump(), manager);
    EXPECT_EQ(ok.json()["valid"], true) << ok.body;
    EXPECT_EQ(publish("spring", atLimit, {{"scope", "all"}}).status, 201);
    const auto p = poll(hub().ingestToken());
    ASSERT_EQ(p.status, 200);
    EXPECT_EQ(p.body["settings"]["feedback"],
              (json{{"contactQuestion", true}, {"contactNpsMax", 4}, {"contactCsatMax", 1}}));
    EXPECT_EQ(publish("spring", withFeedback(false, 10, 5)).status, 201);
}

TEST_F(FLEET_SUITE, OnlyManagersAndAdminsPublishAndOnlyKioskTokensPoll) {
    const auto analyst = hub().token("head-office:analyst");
    const json body = {{"name", "spring"}, {"document", document()}, {"assign", {{"scope", "all"}}}};
    EXPECT_EQ(post("/v1/fleet/documents", body.dump(), analyst).status, 403);
    EXPECT_EQ(
        post("/v1/fleet/assignments", json{{"scope", "all"}, {"configVersion", 1}}.dump(), analyst).status,
        403);
    EXPECT_EQ(post("/v1/fleet/documents", body.dump(), hub().ingestToken()).status, 403);
    EXPECT_EQ(post("/v1/fleet/documents", body.dump(), "").status, 401);
    EXPECT_EQ(get("/v1/fleet/documents", analyst).status, 200);
    const auto published = post("/v1/fleet/documents", body.dump(), hub().headOfficeToken());
    ASSERT_EQ(published.status, 201) << published.body;

    EXPECT_EQ(poll(hub().ingestToken()).status, 200);
    EXPECT_EQ(poll(hub().token("web")).status, 403);  // a public write key is no kiosk
    EXPECT_EQ(poll(hub().lookupToken()).status, 403);
    EXPECT_EQ(poll(hub().headOfficeToken()).status, 403);
    EXPECT_EQ(poll("").status, 401);
}

TEST_F(FLEET_SUITE, HeartbeatsReportTheAppliedVersionAndRefusalsAndTheFleetShowsWhoIsBehind) {
    const auto published = publish("spring", document(), {{"scope", "all"}});
    ASSERT_EQ(published.status, 201) << published.body;
    const auto v1 = published.json()["configVersion"].get<std::int64_t>();
    const auto second = publish("spring", document("Recommend us?"), {{"scope", "store:store-1"}});
    ASSERT_EQ(second.status, 201) << second.body;
    const auto v2 = second.json()["configVersion"].get<std::int64_t>();

    auto k1 = kiosk("store-1", "k1", m_clock);
    auto k2 = kiosk("store-1", "k2", m_clock);
    auto k3 = kiosk("store-2", "k1", m_clock);
    auto k4 = kiosk("store-2", "k2", m_clock);
    ASSERT_EQ(send({wire(k1.heartbeat({{"queueDepth", 0}, {"configVersion", v2}, {"configRefusal", ""}}))}),
              std::vector<std::string>{"accepted"});
    ASSERT_EQ(send({wire(k2.heartbeat({{"queueDepth", 0},
                                       {"configVersion", v1},
                                       {"configRefusal", "texts.es: no text for \"survey.q.new\""}}))}),
              std::vector<std::string>{"accepted"});
    ASSERT_EQ(send({wire(k3.heartbeat({{"queueDepth", 0}, {"configVersion", v1}}))}),
              std::vector<std::string>{"accepted"});
    ASSERT_EQ(send({wire(k4.heartbeat({{"queueDepth", 0}}))}),
              std::vector<std::string>{"accepted"});  // reports nothing
    // Hostile values reject that heartbeat only.
    EXPECT_EQ(send({wire(k4.heartbeat({{"configRefusal", std::string(501, 'x')}}))}),
              std::vector<std::string>{"rejected"});
    EXPECT_EQ(send({wire(k4.heartbeat({{"configVersion", -1}}))}), std::vector<std::string>{"rejected"});
    EXPECT_EQ(send({wire(k4.heartbeat({{"configVersion", "7"}}))}), std::vector<std::string>{"rejected"});

    const auto fleet = get("/v1/fleet", hub().token("head-office:analyst"));
    ASSERT_EQ(fleet.status, 200) << fleet.body;
    std::map<std::string, json> byKiosk;
    const json kiosks = fleet.json()["kiosks"];
    for (const auto& k : kiosks)
        byKiosk[k["store"].get<std::string>() + "/" + k["kiosk"].get<std::string>()] = k;
    ASSERT_EQ(byKiosk.size(), 4u) << fleet.body;
    EXPECT_EQ(byKiosk["store-1/k1"]["configVersion"], v2);
    EXPECT_EQ(byKiosk["store-1/k1"]["expectedConfigVersion"], v2);
    EXPECT_EQ(byKiosk["store-1/k1"]["configBehind"], false);
    EXPECT_EQ(byKiosk["store-1/k1"]["configRefusal"], "");
    EXPECT_EQ(byKiosk["store-1/k2"]["configVersion"], v1);
    EXPECT_EQ(byKiosk["store-1/k2"]["expectedConfigVersion"], v2);
    EXPECT_EQ(byKiosk["store-1/k2"]["configBehind"], true);
    EXPECT_EQ(byKiosk["store-1/k2"]["configRefusal"], "texts.es: no text for \"survey.q.new\"");
    EXPECT_EQ(byKiosk["store-2/k1"]["configBehind"], false);
    EXPECT_EQ(byKiosk["store-2/k1"]["expectedConfigVersion"], v1);
    EXPECT_EQ(byKiosk["store-2/k2"]["configVersion"], nullptr);
    EXPECT_EQ(byKiosk["store-2/k2"]["configRefusal"], nullptr);
    EXPECT_EQ(byKiosk["store-2/k2"]["configBehind"], true);  // should run v1 and has not said it does

    // The refusal is cleared by the next heartbeat that reports none.
    ASSERT_EQ(send({wire(k2.heartbeat({{"configVersion", v2}, {"configRefusal", ""}}))}),
              std::vector<std::string>{"accepted"});
    const json after = get("/v1/fleet", hub().headOfficeToken()).json()["kiosks"];
    bool seen = false;
    for (const auto& k : after) {
        if (k["store"] == "store-1" && k["kiosk"] == "k2") {
            EXPECT_EQ(k["configRefusal"], "");
            EXPECT_EQ(k["configBehind"], false);
            seen = true;
        }
    }
    EXPECT_TRUE(seen) << after;
}

}  // namespace
}  // namespace touchpoint::hub::testing
