// The hub's read routes end to end over HTTPS (stats, exports, welcome and lookup, fleet and metrics), against
// the store this executable was built for: SQLite (hub_integration_test) or PostgreSQL (hub_postgres_test).

#include <fstream>
#include <set>

#include "api_test_fixture.hpp"
#include "hub/admin/hub_admin.hpp"
#include "temp_dir.hpp"

namespace touchpoint::hub::testing {
namespace {

using nlohmann::json;

const event::Identity kPhone{event::Identity::Type::Phone, "+12025550123"};

TEST_F(HUB_SUITE, StatsOnAKnownDataSet) {
    auto s1 = kiosk("store-1", "k1", m_clock);
    auto s2 = kiosk("store-2", "k1", m_clock);
    json batch = json::array();
    for (int n : {10, 9, 7, 3}) batch.push_back(wire(s1.feedback("a" + std::to_string(n), "en-US", answers(n), std::nullopt)));
    for (int c : {5, 4, 2}) batch.push_back(wire(s1.feedback("c" + std::to_string(c), "en-US", answers(std::nullopt, c), std::nullopt)));
    batch.push_back(wire(s2.feedback("b1", "en-US", answers(10, std::nullopt, 6, "ring 202-555-0199 now"), std::nullopt)));
    batch.push_back(wire(s2.feedback("b2", "en-US", answers(0, std::nullopt, 7), std::nullopt)));
    auto abandoned = answers(2);
    abandoned.misuse = true;
    batch.push_back(wire(s1.feedbackAbandoned("x1", "en-US", abandoned, "timeout", std::nullopt)));
    batch.push_back(wire(s1.signin("g1", "en-US", event::SigninMethod::Phone, kPhone, true)));
    batch.push_back(wire(s2.signin("g2", "en-US", event::SigninMethod::Email, {event::Identity::Type::Email, "q@example.com"}, false)));
    ASSERT_EQ(send(batch).size(), batch.size());

    const auto all = get("/v1/stats?" + range(), hub().headOfficeToken()).json();
    const auto& o = all["overall"];
    EXPECT_EQ(o["nps"]["responses"], 6);
    EXPECT_EQ(o["nps"]["promoters"], 3);
    EXPECT_EQ(o["nps"]["passives"], 1);
    EXPECT_EQ(o["nps"]["detractors"], 2);
    EXPECT_EQ(o["nps"]["score"], 16.7);
    EXPECT_EQ(o["csat"]["responses"], 3);
    EXPECT_EQ(o["csat"]["score"], 66.7);
    EXPECT_EQ(o["ces"]["mean"], 6.5);
    EXPECT_EQ(o["signins"], 2);
    EXPECT_EQ(o["newMembers"], 1);
    EXPECT_EQ(o["feedbackAbandoned"], 1);
    EXPECT_EQ(o["misuse"], 1);
    ASSERT_EQ(all["byStore"].size(), 2u);
    EXPECT_EQ(all["byStore"][0]["store"], "store-1");
    EXPECT_EQ(all["byStore"][0]["nps"]["score"], 25.0);
    ASSERT_EQ(all["byDay"].size(), 2u);
    EXPECT_EQ(all["byDay"][0]["day"], today());
    EXPECT_EQ(all["reasons"][0]["reason"], "staff");
    EXPECT_EQ(all["reasons"][0]["count"], 9);
    ASSERT_EQ(all["recentComments"].size(), 1u);
    EXPECT_EQ(all["recentComments"][0]["text"], "ring [phone] now");
    EXPECT_EQ(all["recentComments"][0]["store"], "store-2");
    std::int64_t staged = 0;
    for (const auto& [stage, n] : all["stages"].items()) staged += n.get<std::int64_t>();
    EXPECT_GT(staged, 0);
    bool kioskMoved = false;
    for (const auto& t : all["stageTransitions"]) kioskMoved = kioskMoved || t["channel"] == "in_store_kiosk";
    EXPECT_TRUE(kioskMoved);

    const auto one = get("/v1/stats?" + range() + "&store=store-2", hub().headOfficeToken()).json();
    EXPECT_EQ(one["store"], "store-2");
    EXPECT_EQ(one["overall"]["nps"]["score"], 0.0);
    EXPECT_EQ(one["overall"]["signins"], 1);
}

TEST_F(HUB_SUITE, ExportsStreamCsvAndJsonAcrossPages) {
    auto k = kiosk("store-1", "k1", m_clock);
    auto other = kiosk("store-2", "k9", m_clock);
    json batch = json::array();
    for (int i = 0; i < 1200; ++i) {
        auto& f = i % 4 == 0 ? other : k;
        batch.push_back(wire(f.feedback("x" + std::to_string(i), "en-US",
                                        answers(i % 11, std::nullopt, std::nullopt, i == 0 ? "=cmd|' /C calc'!A0, \"quoted\"" : ""),
                                        std::nullopt)));
        if (batch.size() == 300) {
            send(batch);
            batch = json::array();
        }
    }
    const auto& token = hub().headOfficeToken();
    const auto j = get("/v1/export/feedback?format=json&" + range(), token).json();
    ASSERT_TRUE(j.is_array());
    EXPECT_EQ(j.size(), 1200u);
    std::set<std::string> ids;
    for (const auto& row : j) ids.insert(row["messageId"].get<std::string>());
    EXPECT_EQ(ids.size(), 1200u);
    const auto csv = get("/v1/export/feedback?format=csv&store=store-2&" + range(), token);
    ASSERT_EQ(csv.status, 200);
    EXPECT_EQ(std::count(csv.body.begin(), csv.body.end(), '\n'), 301);
    EXPECT_EQ(csv.body.rfind("messageId,at,store,kiosk,profileId", 0), 0u);
    EXPECT_NE(csv.body.find("\"'=cmd|' /C calc'!A0, \"\"quoted\"\"\""), std::string::npos);
    EXPECT_EQ(get("/v1/export/feedback?format=xml", token).status, 400);
    EXPECT_EQ(get("/v1/export/feedback?from=2026-11-30&to=2026-11-01", token).status, 400);
    EXPECT_EQ(get("/v1/export/secrets", token).status, 404);
    EXPECT_TRUE(get("/v1/export/profiles?format=json", token).json().is_array());
    EXPECT_EQ(get("/v1/export/signins?format=csv&" + range(), token).status, 200);
}

TEST_F(HUB_SUITE, WelcomeAndLookupAnswersAndAudit) {
    EXPECT_EQ(get("/v1/profiles/welcome?member=M-1", hub().ingestToken()).json(), json({{"found", false}}));
    EXPECT_EQ(get("/v1/profiles/lookup?member=M-1", hub().lookupToken()).status, 404);
    EXPECT_EQ(get("/v1/profiles/welcome?member=M-1&email=a@b.c", hub().ingestToken()).status, 400);

    touchpoint::testing::TempDir dir;
    {
        std::ofstream csv(dir / "members.csv");
        csv << "member_id,email,phone,first_name,points\nM-1,Zoe@Example.com,+1 202 555 0188,zoe,340\n"
               "M-2,not-an-email,,,0\n";
    }
    auto imported = importMembersCsv(hub().store(), dir / "members.csv", "US");
    ASSERT_TRUE(imported.ok());
    EXPECT_EQ(imported->imported, 1);
    ASSERT_EQ(imported->errors.size(), 1u);
    EXPECT_EQ(imported->errors[0], "members.csv:3: email: not an e-mail address");

    const auto w = get("/v1/profiles/welcome?member=M-1", hub().ingestToken()).json();
    EXPECT_EQ(w["found"], true);
    EXPECT_EQ(w["firstInitial"], "Z");
    EXPECT_EQ(w["tier"], "Silver");
    EXPECT_EQ(w["points"], 340);
    EXPECT_EQ(w["nextTier"], "Gold");
    EXPECT_EQ(w["pointsToNextTier"], 160);
    EXPECT_EQ(w["rewards"][0]["id"], "coffee");
    EXPECT_EQ(w["nextStep"]["kind"], "reward_available");
    EXPECT_FALSE(w.contains("profileId"));  // the kiosk's own token sees no profile ids

    const auto l = lookup("email=zoe@example.com");
    EXPECT_EQ(l["points"], 340);
    EXPECT_EQ(l["journeyStage"], "purchase");
    EXPECT_TRUE(l["latestNps"].is_null());
    EXPECT_EQ(lookup("phone=%2B12025550188")["profileId"], l["profileId"]);
    const auto audit = hub().store().recentAudit(10, "lookup").value();
    ASSERT_EQ(audit.size(), 3u);
    EXPECT_TRUE(audit[0].found);
    EXPECT_EQ(audit[0].profileId, l["profileId"].get<std::string>());
    EXPECT_EQ(audit[2].found, false);
    EXPECT_EQ(audit[2].tokenName.rfind("test-staff-", 0), 0u);
}

TEST_F(HUB_SUITE, FleetAndMetricsShowKioskHealth) {
    auto k = kiosk("store-1", "k1", m_clock);
    send({wire(k.heartbeat({{"state", "online"}, {"queueDepth", 7}, {"oldestPendingAgeS", 30}, {"deadLetters", 1},
                            {"drops", {{"budget", 2}}}}))});
    const auto fleet = get("/v1/fleet", hub().headOfficeToken()).json();
    ASSERT_EQ(fleet["kiosks"].size(), 1u);
    const auto& kiosk = fleet["kiosks"][0];
    EXPECT_EQ(kiosk["queueDepth"], 7);
    EXPECT_EQ(kiosk["deadLetters"], 1);
    EXPECT_EQ(kiosk["drops"]["budget"], 2);
    EXPECT_EQ(kiosk["appVersion"], "0.1.0");
    const auto metrics = get("/metrics", hub().headOfficeToken()).body;
    EXPECT_NE(metrics.find("touchpoint_kiosk_queue_depth{store=\"store-1\",kiosk=\"k1\"} 7"), std::string::npos);
    EXPECT_NE(metrics.find("touchpoint_hub_messages_total{status=\"accepted\"} 1"), std::string::npos);
    EXPECT_NE(metrics.find("touchpoint_hub_request_seconds_bucket{route=\"/v1/batch\""), std::string::npos);
    // SQLite's one writer reports its time; PostgreSQL's transactions run side by side and have no such figure.
    const auto writer = metrics.find("\ntouchpoint_hub_store_writer_transactions_total ");
    if (backendStoreUrl().empty()) {
        ASSERT_NE(writer, std::string::npos) << metrics;
        EXPECT_GE(std::stoll(metrics.substr(writer + std::string("\ntouchpoint_hub_store_writer_transactions_total ").size())), 1);
        EXPECT_NE(metrics.find("\ntouchpoint_hub_store_writer_busy_seconds_total "), std::string::npos);
        EXPECT_NE(metrics.find("\ntouchpoint_hub_store_writer_cpu_seconds_total "), std::string::npos);
    } else {
        EXPECT_EQ(metrics.find("touchpoint_hub_store_writer"), std::string::npos);
    }
}

}  // namespace
}  // namespace touchpoint::hub::testing
