// The Segment HTTP API shapes end to end over HTTPS (SQLite or PostgreSQL, as api_test.cpp): the type from the
// path, /v1/group and /v1/import, time fallbacks, channels, the content types browser SDKs send, and group
// traits on a timeline masked for roles that do not see personal values.

#include <algorithm>

#include "api_test_support.hpp"
#include "hub/ingest/identity.hpp"

#define TP_SEGMENT_CONCAT2(a, b) a##b
#define TP_SEGMENT_CONCAT(a, b) TP_SEGMENT_CONCAT2(a, b)
#define SEGMENT_SUITE TP_SEGMENT_CONCAT(HUB_SUITE, Segment)

namespace touchpoint::hub::testing {
namespace {

using nlohmann::json;

class SEGMENT_SUITE : public HubApiTest {
protected:
    /// A web write key named `name` whose secret is `key`, as `token add --kind web` makes one.
    void addWebKey(const std::string& key, const std::string& name) {
        TokenRecord record;
        record.name = name;
        record.scope = "ingest";
        record.kind = "web";
        ASSERT_TRUE(hub().store().addToken(tokenHash(key), record));
    }
    std::string status(const Reply& r) {
        const auto j = r.json();
        if (r.status != 200 || !j.is_object() || !j.contains("receipts")) return "http " + std::to_string(r.status) + " " + r.body;
        const auto& rc = j["receipts"][0];
        return rc["status"].get<std::string>() + (rc.contains("reason") ? ": " + rc["reason"].get<std::string>() : "");
    }
    /// The profile's timeline as `office` reads it (an admin unless told).
    json timelineOf(const std::string& email, const std::string& office = {}) {
        const auto found = get("/v1/profiles/lookup?email=" + email, hub().lookupToken());
        if (found.status != 200) return json{{"status", found.status}};
        const auto id = found.json()["profileId"].get<std::string>();
        return get("/v1/profiles/" + id + "/timeline", office.empty() ? hub().headOfficeToken() : office).json();
    }
};

TEST_F(SEGMENT_SUITE, EverySingleCallEndpointTakesTheTypeFromThePath) {
    const auto t = formatIsoUtcMs(m_clock.utcMs());
    // The retailer's back end: its messages name no channel, so they are server traffic, but a screen is an app view.
    const std::string token = hub().token("server");
    const json base = {{"userId", "u-1"}, {"originalTimestamp", t}};
    auto with = [&](const std::string& id, json extra) {
        json m = base;
        m["messageId"] = id;
        m.update(extra);
        return m.dump();
    };
    EXPECT_EQ(status(post("/v1/identify", with("i-1", {{"traits", {{"email", "seg@example.com"}}}}), token)), "accepted");
    EXPECT_EQ(status(post("/v1/track", with("t-1", {{"event", "Order Completed"}}), token)), "accepted");
    EXPECT_EQ(status(post("/v1/page", with("p-1", {{"name", "Home"}}), token)), "accepted");
    EXPECT_EQ(status(post("/v1/screen", with("s-1", {{"name", "Cart"}}), token)), "accepted");
    EXPECT_EQ(status(post("/v1/group", with("g-1", {{"groupId", "acme"}, {"traits", {{"name", "Acme"}}}}), token)),
              "accepted");
    EXPECT_EQ(status(post("/v1/alias", with("a-1", {{"previousId", "anon-7"}}), token)), "accepted");
    EXPECT_EQ(status(post("/v1/track", with("t-2", {{"type", "identify"}}), token)),
              "rejected: type: this endpoint takes track messages");
    EXPECT_EQ(status(post("/v1/group", with("g-2", json::object()), token)), "rejected: groupId: missing or empty");

    const auto timeline = timelineOf("seg@example.com");
    ASSERT_TRUE(timeline.contains("touchpoints")) << timeline.dump();
    std::multiset<std::string> types;
    for (const auto& p : timeline["touchpoints"]) types.insert(p["type"].get<std::string>() + "@" + p["channel"].get<std::string>());
    EXPECT_EQ(types, (std::multiset<std::string>{"identify@server", "track@server", "page@server", "screen@app",
                                                 "group@server", "alias@server"}));
    ASSERT_EQ(timeline["groups"].size(), 1u) << timeline.dump();
    EXPECT_EQ(timeline["groups"][0]["groupId"], "acme");
    EXPECT_EQ(timeline["groups"][0]["traits"]["name"], "Acme");
}

TEST_F(SEGMENT_SUITE, TheBrowserLibrarysShortPathsAndItsCorsPreflightAreAnswered) {
    // analytics.js (@segment/analytics-next) runs on the retailer's own site and posts to /v1/t, /v1/p, ...
    // with the write key as HTTP Basic and a text/plain JSON body; the Authorization header makes the browser
    // ask first (OPTIONS), and it lets the page read an answer only when it allows the page's origin.
    httplib::SSLClient c("127.0.0.1", hub().port());
    c.set_ca_cert_path(hub().caFile().c_str());
    c.enable_server_certificate_verification(true);
    const httplib::Headers ask = {{"Origin", "https://shop.example"},
                                  {"Access-Control-Request-Method", "POST"},
                                  {"Access-Control-Request-Headers", "authorization,content-type"}};
    for (const char* path :
         {"/v1/t", "/v1/p", "/v1/i", "/v1/g", "/v1/a", "/v1/s", "/v1/b", "/v1/batch", "/v1/track"}) {
        const auto pre = c.Options(path, ask);
        ASSERT_TRUE(pre) << path;
        EXPECT_EQ(pre->status, 204) << path;
        EXPECT_EQ(pre->get_header_value("Access-Control-Allow-Origin"), "*") << path;
        EXPECT_NE(pre->get_header_value("Access-Control-Allow-Headers").find("Authorization"),
                  std::string::npos)
            << path;
        EXPECT_EQ(pre->get_header_value("Access-Control-Allow-Methods"), "POST") << path;
    }

    const std::string key = hub().token("web");
    c.set_basic_auth(key.c_str(), "");
    const auto t = formatIsoUtcMs(m_clock.utcMs());
    auto message = [&](const std::string& id, json extra) {
        json m = {{"messageId", id},
                  {"anonymousId", "anon-web-1"},
                  {"timestamp", t},
                  {"writeKey", key},
                  {"context", {{"library", {{"name", "analytics.js"}, {"version", "next-1.84.3"}}}}}};
        m.update(extra);
        return m.dump();
    };
    const std::vector<std::pair<std::string, std::string>> posts = {
        {"/v1/p", message("w-p", {{"type", "page"}, {"name", "Home"}})},
        {"/v1/t", message("w-t", {{"type", "track"}, {"event", "Product Viewed"}})},
        {"/v1/i",
         message("w-i",
                 {{"type", "identify"}, {"userId", "web-1"}, {"traits", {{"email", "short@example.com"}}}})},
        {"/v1/g", message("w-g", {{"type", "group"}, {"userId", "web-1"}, {"groupId", "acme"}})},
        {"/v1/a", message("w-a", {{"type", "alias"}, {"userId", "web-1"}, {"previousId", "web-old-1"}})},
        {"/v1/b",
         json{{"batch", {json::parse(message("w-b", {{"type", "track"}, {"event", "Cart Viewed"}}))}}}
             .dump()},
    };
    for (const auto& [path, body] : posts) {
        const auto r = c.Post(path, {{"Origin", "https://shop.example"}}, body, "text/plain");
        ASSERT_TRUE(r) << path;
        EXPECT_EQ(r->status, 200) << path << " " << r->body;
        EXPECT_EQ(r->get_header_value("Access-Control-Allow-Origin"), "*") << path;
        const auto receipts = json::parse(r->body, nullptr, false);
        ASSERT_TRUE(receipts.contains("receipts")) << path << " " << r->body;
        EXPECT_EQ(receipts["receipts"][0]["status"], "accepted") << path << " " << r->body;
    }
    EXPECT_EQ(status(post("/v1/t", message("w-x", {{"type", "identify"}}), key)),
              "rejected: type: this endpoint takes track messages");

    // A refusal is readable by the page too; routes pages never call allow no other origin.
    httplib::SSLClient anonymous("127.0.0.1", hub().port());
    anonymous.set_ca_cert_path(hub().caFile().c_str());
    anonymous.enable_server_certificate_verification(true);
    const auto refused =
        anonymous.Post("/v1/t", message("w-y", {{"type", "track"}, {"event", "E"}}), "text/plain");
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 401);
    EXPECT_EQ(refused->get_header_value("Access-Control-Allow-Origin"), "*");
    anonymous.set_bearer_token_auth(hub().headOfficeToken().c_str());
    const auto stats = anonymous.Get("/v1/stats");
    ASSERT_TRUE(stats);
    EXPECT_FALSE(stats->has_header("Access-Control-Allow-Origin"));
    const auto noPreflight = anonymous.Options("/v1/stats", ask);
    ASSERT_TRUE(noPreflight);
    EXPECT_EQ(noPreflight->status, 404);

    const auto timeline = timelineOf("short@example.com");
    ASSERT_TRUE(timeline.contains("touchpoints")) << timeline.dump();
    std::multiset<std::string> types;
    for (const auto& p : timeline["touchpoints"])
        types.insert(p["type"].get<std::string>() + "@" + p["channel"].get<std::string>());
    EXPECT_EQ(types, (std::multiset<std::string>{"page@web", "track@web", "identify@web", "group@web",
                                                 "alias@web", "track@web"}));

    // The write key in the bodies is not kept: stored messages and exports never hold a token.
    const auto exported = get("/v1/export/events?format=json", hub().headOfficeToken());
    ASSERT_EQ(exported.status, 200) << exported.body;
    EXPECT_EQ(exported.body.find(key), std::string::npos);
    const auto rows = exported.json();
    ASSERT_TRUE(rows.is_array()) << exported.body;
    EXPECT_EQ(rows.size(), 6u) << exported.body;
    for (const auto& row : rows) EXPECT_FALSE(row["payload"].contains("writeKey")) << row.dump();
}

TEST_F(SEGMENT_SUITE, ImportIsABatchAndAServerKeysChannelsComeFromTheMessage) {
    const auto t = m_clock.utcMs();
    auto msg = [&](const std::string& id, const std::string& type, const std::string& channel) {
        json m = {{"type", type}, {"messageId", id}, {"userId", "u-2"}, {"timestamp", formatIsoUtcMs(t)},
                  {"event", "Order Completed"}, {"channel", channel}};
        if (type == "identify") m["traits"] = {{"email", "chan@example.com"}};
        return m;
    };
    const json batch = {msg("c-1", "identify", "browser"), msg("c-2", "track", "server"), msg("c-3", "screen", "server"),
                        msg("c-4", "track", "mobile")};
    const auto r = post("/v1/import", json{{"batch", batch}}.dump(), hub().token("server"));
    ASSERT_EQ(r.status, 200) << r.body;
    for (const auto& rc : r.json()["receipts"]) EXPECT_EQ(rc["status"], "accepted") << rc.dump();
    std::map<std::string, std::string> channelOf;
    const auto timeline = timelineOf("chan@example.com");
    ASSERT_TRUE(timeline.contains("touchpoints")) << timeline.dump();
    for (const auto& p : timeline["touchpoints"]) channelOf[p["messageId"]] = p["channel"];
    EXPECT_EQ(channelOf, (std::map<std::string, std::string>{{"c-1", "web"}, {"c-2", "server"}, {"c-3", "app"}, {"c-4", "app"}}));

    // A web key's traffic is web, whatever a message claims.
    const json claims = {msg("w-1", "track", "server"), msg("w-2", "track", "mobile")};
    const auto w = post("/v1/import", json{{"batch", claims}}.dump(), hub().token("web"));
    ASSERT_EQ(w.status, 200) << w.body;
    std::map<std::string, std::string> webChannels;
    std::string cursor;
    const auto day = formatIsoUtcDay(t);
    const auto rows = hub().store().exportPage(ExportKind::Events, day, day, "", cursor, 100);
    ASSERT_TRUE(rows) << rows.error().message;
    for (const auto& row : *rows) {
        const auto& e = std::get<ExportedEvent>(row);
        if (e.fact.messageId == "w-1" || e.fact.messageId == "w-2") webChannels[e.fact.messageId] = e.channel;
    }
    EXPECT_EQ(webChannels, (std::map<std::string, std::string>{{"w-1", "web"}, {"w-2", "web"}}));
}

TEST_F(SEGMENT_SUITE, JsonBodiesLabelledAsFormOrTextAreRead) {
    // What analytics-next sends with sendBeacon or a CORS-simple fetch: JSON with another content type.
    const auto t = formatIsoUtcMs(m_clock.utcMs());
    const json one = {{"type", "track"}, {"messageId", "beacon-1"}, {"anonymousId", "a"}, {"event", "E"}, {"timestamp", t}};
    json two = one;
    two["messageId"] = "beacon-2";
    EXPECT_EQ(status(post("/v1/batch", json{{"batch", {one}}}.dump(), hub().token("web"), false, 0, "text/plain")),
              "accepted");
    EXPECT_EQ(status(post("/v1/batch", json{{"batch", {two}}}.dump(), hub().token("web"), false, 0,
                          "application/x-www-form-urlencoded")),
              "accepted");
    // A real form body is still not JSON: the whole body is refused with a 400, as before.
    const auto form = post("/v1/batch", "a=1&b=2", hub().token("web"), false, 0, "application/x-www-form-urlencoded");
    EXPECT_EQ(form.status, 400) << form.body;
    EXPECT_EQ(hub().store().countEvents().value(), 2);
}

TEST_F(SEGMENT_SUITE, AGroupLinkFollowsAProfileMergeAndTheNewestTraitsWin) {
    const auto t = m_clock.utcMs();
    auto group = [&](const std::string& id, std::int64_t at, const std::string& name) {
        return json{{"type", "group"}, {"messageId", id}, {"userId", "user-a"}, {"groupId", "acme"},
                    {"timestamp", formatIsoUtcMs(at)}, {"traits", {{"name", name}}}};
    };
    // The retailer's back end sends these: a public web key may not merge two profiles that hold identifiers.
    const std::string key = hub().token("server");
    auto sendAll = [&](const std::vector<json>& messages) {
        std::vector<std::string> out;
        json batch = json::array();
        for (const auto& m : messages) batch.push_back(m);
        const auto r = post("/v1/batch", json{{"batch", batch}}.dump(), key);
        if (r.status != 200) return std::vector<std::string>{"http " + std::to_string(r.status)};
        const json body = r.json();
        for (const auto& rc : body["receipts"]) out.push_back(rc["status"].get<std::string>());
        return out;
    };
    // The older profile survives a merge: user-b's is older, so the group link must move to it.
    ASSERT_EQ(sendAll({webIdentify("id-b", t - 120'000, "", "user-b", {{"email", "merge@example.com"}})}),
              std::vector<std::string>{"accepted"});
    // Arrival order is not capture order: the newer traits win whichever lands last.
    ASSERT_EQ(sendAll({group("g-new", t, "Acme Corp"), group("g-old", t - 60'000, "Acme (old)")}),
              (std::vector<std::string>{"accepted", "accepted"}));
    // One identify names both user ids' email: the two profiles become one, and the group link moves with it.
    ASSERT_EQ(sendAll({webIdentify("id-a", t + 2, "", "user-a", {{"email", "merge@example.com"}})}),
              std::vector<std::string>{"accepted"});
    const auto timeline = timelineOf("merge@example.com");
    ASSERT_EQ(timeline["groups"].size(), 1u) << timeline.dump();
    EXPECT_EQ(timeline["groups"][0]["traits"]["name"], "Acme Corp");
    EXPECT_EQ(timeline["groups"][0]["firstSeen"], formatIsoUtcMs(t - 60'000));
}

TEST_F(SEGMENT_SUITE, GroupTraitsOnATimelineAreMaskedForRolesThatDoNotSeePersonalValues) {
    const auto t = m_clock.utcMs();
    const json traits = {{"name", "Acme Corp"}, {"email", "billing@acme.example"},
                         {"note", "invoices to billing@acme.example"}, {"employees", 120}};
    ASSERT_EQ(send({webIdentify("gm-id", t, "", "owner-1", {{"email", "owner@example.com"}}),
                    json{{"type", "group"}, {"messageId", "gm-1"}, {"userId", "owner-1"}, {"groupId", "acme"},
                         {"timestamp", formatIsoUtcMs(t + 1)}, {"traits", traits}}}),
              (std::vector<std::string>{"accepted", "accepted"}));

    // An admin sees the traits as the group call sent them.
    const auto admin = timelineOf("owner@example.com");
    ASSERT_EQ(admin["groups"].size(), 1u) << admin.dump();
    EXPECT_EQ(admin["groups"][0]["traits"], traits);

    // Analysts and managers get the masks an events export gives them for the same group message.
    const auto day = formatIsoUtcDay(t);
    for (const char* role : {"head-office:analyst", "head-office:manager"}) {
        const auto office = hub().token(role);
        const auto seen = timelineOf("owner@example.com", office);
        ASSERT_EQ(seen["groups"].size(), 1u) << role << " " << seen.dump();
        const auto& masked = seen["groups"][0]["traits"];
        EXPECT_EQ(seen.dump().find("billing@acme.example"), std::string::npos) << role << " " << seen.dump();
        EXPECT_EQ(masked["email"], "[personal]") << role;
        EXPECT_EQ(masked["note"], "invoices to [email]") << role;
        EXPECT_EQ(masked["employees"], 120) << role;
        EXPECT_EQ(seen["groups"][0]["groupId"], "acme") << role;

        const auto exported = get("/v1/export/events?format=json&from=" + day + "&to=" + day, office);
        ASSERT_EQ(exported.status, 200) << exported.body;
        const auto rows = exported.json();
        const auto row = std::find_if(rows.begin(), rows.end(), [](const json& r) { return r["messageId"] == "gm-1"; });
        ASSERT_NE(row, rows.end()) << exported.body;
        EXPECT_EQ((*row)["payload"]["traits"], masked) << role;
    }
}

TEST_F(SEGMENT_SUITE, RejectionsAreCountedPerSourceAndKeptMaskedForTheSourcesPage) {
    const std::string webKey = "wk_sources_test_key";
    addWebKey(webKey, "shop-web");
    const auto t = formatIsoUtcMs(m_clock.utcMs());
    const json good = {{"type", "track"}, {"messageId", "ok-1"}, {"anonymousId", "a"}, {"event", "E"}, {"timestamp", t},
                       {"context", {{"library", {{"name", "analytics.js"}, {"version", "2.0"}}}}}};
    json bad1 = good;
    bad1["messageId"] = "bad-1";
    bad1["timestamp"] = "soon";
    bad1["traits"] = {{"email", "ada@example.com"}};
    json bad2 = good;
    bad2["messageId"] = "bad-2";
    bad2.erase("event");
    ::testing::internal::CaptureStderr();
    auto r = post("/v1/batch", json{{"batch", {good, bad1, bad2}}}.dump(), webKey);
    const std::string logged = ::testing::internal::GetCapturedStderr();
    ASSERT_EQ(r.status, 200) << r.body;
    // Each rejection is in the hub's log with the source, message id and reason, and nothing personal.
    EXPECT_NE(logged.find("msg=\"message rejected\" source=shop-web messageId=bad-1 reason=\"timestamp: not RFC 3339\""),
              std::string::npos)
        << logged;
    EXPECT_NE(logged.find("messageId=bad-2"), std::string::npos) << logged;
    EXPECT_EQ(logged.find("ada@example.com"), std::string::npos) << logged;
    EXPECT_EQ(post("/v1/batch", "{not json", webKey).status, 400);
    EXPECT_EQ(send({good}), std::vector<std::string>{"duplicate"}) << "another web key is another source";

    const auto metrics = get("/metrics", hub().headOfficeToken()).body;
    for (const char* line : {"touchpoint_hub_source_messages_total{source=\"shop-web\",status=\"accepted\"} 1",
                             "touchpoint_hub_source_messages_total{source=\"shop-web\",status=\"rejected\"} 3",
                             "touchpoint_hub_rejects_total{source=\"shop-web\",reason=\"timestamp\"} 1",
                             "touchpoint_hub_rejects_total{source=\"shop-web\",reason=\"event\"} 1",
                             "touchpoint_hub_rejects_total{source=\"shop-web\",reason=\"body_malformed\"} 1"}) {
        EXPECT_NE(metrics.find(line), std::string::npos) << line << "\n" << metrics;
    }

    auto sources = hub().server().context().sources(m_clock.utcMs() - 3'600'000);
    ASSERT_TRUE(sources) << sources.error();
    const SourceRecord* web = nullptr;
    const SourceRecord* otherSource = nullptr;
    for (const auto& s : *sources) {
        if (s.source == "shop-web") web = &s;
        if (s.source.rfind("web-", 0) == 0) otherSource = &s;
    }
    ASSERT_NE(web, nullptr);
    ASSERT_NE(otherSource, nullptr);
    EXPECT_EQ(web->library, "analytics.js/2.0");
    ASSERT_EQ(web->hours.size(), 1u);
    EXPECT_EQ(web->hours[0].accepted, 1);
    EXPECT_EQ(web->hours[0].rejected, 3);
    ASSERT_EQ(web->rejections.size(), 3u);
    EXPECT_EQ(web->rejections[0].reason.rfind("body_malformed: ", 0), 0u) << web->rejections[0].reason;
    EXPECT_EQ(web->rejections[1].messageId, "bad-2");
    EXPECT_EQ(web->rejections[2].messageId, "bad-1");
    EXPECT_EQ(web->rejections[2].reason, "timestamp: not RFC 3339");
    EXPECT_NE(web->rejections[2].maskedPayload.find("soon"), std::string::npos) << web->rejections[2].maskedPayload;
    EXPECT_EQ(web->rejections[2].maskedPayload.find("ada@example.com"), std::string::npos);
    ASSERT_EQ(otherSource->hours.size(), 1u);
    EXPECT_EQ(otherSource->hours[0].duplicate, 1);
}

TEST_F(SEGMENT_SUITE, RejectionReasonsNamingPersonalDataAreMaskedInTheLogAndOnTheSourcesPage) {
    const std::string webKey = "wk_masked_reasons_key";
    addWebKey(webKey, "shop-web-masked");
    // A number no double holds, under a key that is an e-mail address: the reason names the key.
    const std::string body = R"({"batch":[{"type":"track","messageId":"bad-key","anonymousId":"a","event":"E",)"
                             R"("timestamp":")" + formatIsoUtcMs(m_clock.utcMs()) +
                             R"(","properties":{"ada@example.com":1e999}}]})";
    ::testing::internal::CaptureStderr();
    const auto r = post("/v1/batch", body, webKey);
    const std::string logged = ::testing::internal::GetCapturedStderr();
    ASSERT_EQ(r.status, 200) << r.body;
    const auto receipt = r.json()["receipts"][0];
    EXPECT_EQ(receipt["status"], "rejected");
    // The sender sees its own key in the receipt; the log and the Sources page do not keep it.
    ASSERT_TRUE(receipt.contains("reason") && receipt["reason"].is_string()) << receipt;
    EXPECT_NE(receipt["reason"].get<std::string>().find("properties.ada@example.com"), std::string::npos) << receipt;
    EXPECT_NE(logged.find("messageId=bad-key"), std::string::npos) << logged;
    EXPECT_NE(logged.find("[email]"), std::string::npos) << logged;
    EXPECT_EQ(logged.find("ada@example.com"), std::string::npos) << logged;

    auto sources = hub().server().context().sources(m_clock.utcMs() - 3'600'000);
    ASSERT_TRUE(sources) << sources.error();
    const auto web = std::find_if(sources->begin(), sources->end(),
                                  [](const SourceRecord& s) { return s.source == "shop-web-masked"; });
    ASSERT_NE(web, sources->end());
    ASSERT_EQ(web->rejections.size(), 1u);
    EXPECT_EQ(web->rejections[0].messageId, "bad-key");
    // ("properties.ada" is an address's valid local part: the whole path is masked.)
    EXPECT_EQ(web->rejections[0].reason.rfind("[email]: number longer than", 0), 0u) << web->rejections[0].reason;
    EXPECT_EQ(web->rejections[0].reason.find("ada@example.com"), std::string::npos) << web->rejections[0].reason;
}

}  // namespace
}  // namespace touchpoint::hub::testing
