// Merges are auditable and reversible (issue "Who may say what"): every merge is listed with its source, an
// admin can undo one, the two profiles then keep apart, and refused ties are visible. Real hub over HTTPS on this
// suite's store (SQLite or PostgreSQL).

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "api_test_support.hpp"

#define MERGE_CAT2(a, b) a##b
#define MERGE_CAT(a, b) MERGE_CAT2(a, b)
#define MERGE_SUITE MERGE_CAT(HUB_SUITE, Merges)

namespace touchpoint::hub::testing {
namespace {

using nlohmann::json;

class MERGE_SUITE : public HubApiTest {
protected:
    json staffLookup(const std::string& query) { return get("/v1/profiles/lookup?" + query, hub().lookupToken()).json(); }

    /// A new member signed in by `phone` at a kiosk of store-1 in `session`: their profile id.
    std::string memberSignedIn(const std::string& session, const event::Identity& phone) {
        auto k = kiosk("store-1", "k1", m_clock);
        EXPECT_EQ(send({wire(k.signin(session, "en-US", event::SigninMethod::Phone, phone, true))}),
                  std::vector<std::string>{"accepted"});
        return staffLookup("phone=%2B" + phone.value.substr(1))["profileId"];
    }

    using Sightings = std::map<std::string, std::pair<std::string, std::string>>;

    /// The channels a profile's timeline lists, each with its first and last sighting.
    Sightings channelSightings(const std::string& profileId) {
        const auto timeline = get("/v1/profiles/" + profileId + "/timeline", hub().headOfficeToken());
        EXPECT_EQ(timeline.status, 200) << timeline.body;
        Sightings sightings;
        if (timeline.status != 200) return sightings;
        const auto body = timeline.json();
        for (const auto& c : body["channels"]) sightings[c["channel"]] = {c["firstSeen"], c["lastSeen"]};
        return sightings;
    }
};

TEST_F(MERGE_SUITE, AnAdminUndoesAMergeAndTheTwoProfilesStayApart) {
    const event::Identity phone{event::Identity::Type::Phone, "+12025550181"};
    auto k = kiosk("store-1", "k1", m_clock);
    ASSERT_EQ(send({wire(k.signin("s1", "en-US", event::SigninMethod::Phone, phone, true))}),
              std::vector<std::string>{"accepted"});
    const auto member = staffLookup("phone=%2B12025550181");
    ASSERT_TRUE(member.contains("profileId")) << member;
    const std::string memberId = member["profileId"];

    // A web visitor with an e-mail of their own, then the retailer's back end (server key) says the e-mail and
    // the member's phone are one person: the web profile is merged into the member's.
    const auto t = m_clock.utcMs();
    ASSERT_EQ(send({webIdentify("w1", t, "anon-visitor", "", {{"email", "visitor@example.com"}})}),
              std::vector<std::string>{"accepted"});
    const std::string visitorId = staffLookup("email=visitor%40example.com")["profileId"];
    ASSERT_NE(visitorId, memberId);
    auto tie = webIdentify("tie-1", t + 1000, "anon-visitor", "", {{"email", "visitor@example.com"}, {"phone", phone.value}});
    tie["context"]["channel"] = "server";
    ASSERT_EQ(send({tie}), std::vector<std::string>{"accepted"});
    ASSERT_EQ(staffLookup("email=visitor%40example.com")["profileId"], memberId);
    const auto merged = staffLookup("phone=%2B12025550181");
    EXPECT_EQ(merged["channels"], json({"in_store_kiosk", "server", "web"}));

    const auto list = get("/v1/merges?profile=" + memberId, hub().token("head-office:analyst"));
    ASSERT_EQ(list.status, 200) << list.body;
    ASSERT_EQ(list.json()["merges"].size(), 1u) << list.body;
    const auto record = list.json()["merges"][0];
    EXPECT_EQ(record["survivor"], memberId);
    EXPECT_EQ(record["merged"], visitorId);
    EXPECT_EQ(record["messageId"], "tie-1");
    EXPECT_NE(record["source"].get<std::string>().find("server"), std::string::npos) << record;
    EXPECT_EQ(record["undoneAt"], nullptr);
    const std::string undo = "/v1/merges/" + std::to_string(record["seq"].get<std::int64_t>()) + "/undo";

    EXPECT_EQ(post(undo, "", hub().token("head-office:analyst")).status, 403);
    const auto undone = post(undo, "", hub().headOfficeToken());
    ASSERT_EQ(undone.status, 200) << undone.body;
    EXPECT_EQ(post(undo, "", hub().headOfficeToken()).status, 409);
    EXPECT_EQ(post("/v1/merges/999999/undo", "", hub().headOfficeToken()).status, 404);
    EXPECT_EQ(post("/v1/merges/x/undo", "", hub().headOfficeToken()).status, 404);

    // Each has its own again: the member their phone, balance and kiosk history; the visitor their e-mail and
    // web journey (the server's tie was the merged profile's message, so it stays with the survivor).
    auto after = staffLookup("phone=%2B12025550181");
    EXPECT_EQ(after["profileId"], memberId);
    EXPECT_EQ(after["points"], member["points"]);
    EXPECT_EQ(after["member"], true);
    EXPECT_EQ(after["channels"], json({"in_store_kiosk", "server"}));
    const auto visitor = staffLookup("email=visitor%40example.com");
    EXPECT_EQ(visitor["profileId"], visitorId);
    EXPECT_EQ(visitor["channels"], json({"web"}));
    EXPECT_EQ(visitor["member"], false);
    const auto timeline = get("/v1/profiles/" + visitorId + "/timeline", hub().headOfficeToken()).json();
    ASSERT_EQ(timeline["touchpoints"].size(), 1u) << timeline;
    EXPECT_EQ(timeline["touchpoints"][0]["messageId"], "w1");

    // The same tie again does not merge them: it is a conflict, visible with the kind of identifier only.
    tie["messageId"] = "tie-2";
    ASSERT_EQ(send({tie}), std::vector<std::string>{"accepted"});
    EXPECT_NE(staffLookup("email=visitor%40example.com")["profileId"], memberId);
    const auto conflicts = get("/v1/identity/conflicts", hub().token("head-office:analyst"));
    ASSERT_EQ(conflicts.status, 200) << conflicts.body;
    ASSERT_EQ(conflicts.json()["conflicts"].size(), 1u) << conflicts.body;
    EXPECT_EQ(conflicts.json()["conflicts"][0]["reason"], "merge_undone");
    EXPECT_EQ(conflicts.json()["conflicts"][0]["messageId"], "tie-2");
    EXPECT_EQ(conflicts.body.find("visitor@example.com"), std::string::npos);
    EXPECT_EQ(conflicts.body.find("2025550181"), std::string::npos);
    const auto again = get("/v1/merges?profile=" + memberId, hub().headOfficeToken()).json();
    ASSERT_EQ(again["merges"].size(), 1u);
    EXPECT_NE(again["merges"][0]["undoneAt"], nullptr);
    EXPECT_NE(again["merges"][0]["undoneBy"].get<std::string>().find("head-office"), std::string::npos);
}

TEST_F(MERGE_SUITE, UndoingAMergeOfTwoMembersGivesEachTheirBalanceCheckinsAndVisitsBack) {
    const event::Identity phone{event::Identity::Type::Phone, "+12025550182"};
    const event::Identity email{event::Identity::Type::Email, "second@example.com"};
    auto k = kiosk("store-1", "k1", m_clock);
    ASSERT_EQ(send({wire(k.signin("a1", "en-US", event::SigninMethod::Phone, phone, true))}),
              std::vector<std::string>{"accepted"});
    m_clock.advanceMs(4 * 3600 * 1000);
    ASSERT_EQ(send({wire(k.signin("a2", "en-US", event::SigninMethod::Phone, phone, false))}),
              std::vector<std::string>{"accepted"});
    m_clock.advanceMs(60'000);
    ASSERT_EQ(send({wire(k.signin("b1", "en-US", event::SigninMethod::Email, email, true))}),
              std::vector<std::string>{"accepted"});
    const auto a = staffLookup("phone=%2B12025550182");
    const auto b = staffLookup("email=second%40example.com");
    ASSERT_NE(a["profileId"], b["profileId"]);
    ASSERT_GT(a["points"].get<int>(), b["points"].get<int>());

    auto tie = webIdentify("tie", m_clock.utcMs(), "crm-42", "", {{"email", email.value}, {"phone", phone.value}});
    tie["context"]["channel"] = "server";
    ASSERT_EQ(send({tie}), std::vector<std::string>{"accepted"});
    const auto merged = staffLookup("email=second%40example.com");
    ASSERT_EQ(merged["profileId"], a["profileId"]);  // both members: the older survives
    EXPECT_EQ(merged["points"], a["points"].get<int>() + b["points"].get<int>());

    const auto list = get("/v1/merges", hub().headOfficeToken()).json();
    ASSERT_EQ(list["merges"].size(), 1u);
    const auto undone = post("/v1/merges/" + std::to_string(list["merges"][0]["seq"].get<std::int64_t>()) + "/undo", "",
                             hub().headOfficeToken());
    ASSERT_EQ(undone.status, 200) << undone.body;
    auto afterA = staffLookup("phone=%2B12025550182");
    auto afterB = staffLookup("email=second%40example.com");
    EXPECT_EQ(afterA["profileId"], a["profileId"]);
    EXPECT_EQ(afterB["profileId"], b["profileId"]);
    EXPECT_EQ(afterA["points"], a["points"]);
    EXPECT_EQ(afterB["points"], b["points"]);
    EXPECT_EQ(afterB["memberId"], b["memberId"]);
    EXPECT_EQ(afterA["memberId"], a["memberId"]);
    // The back end's tie was the survivor's own message: its server channel stays there.
    EXPECT_EQ(afterA["channels"], json({"in_store_kiosk", "server"}));
    EXPECT_EQ(afterA["lastVisits"]["in_store_kiosk"], a["lastVisits"]["in_store_kiosk"]);
    EXPECT_EQ(afterB["channels"], b["channels"]);
    EXPECT_EQ(afterB["lastVisits"], b["lastVisits"]);
    json beforeA = a;
    for (auto* p : {&afterA, &beforeA}) p->erase("channels"), p->erase("lastVisits");
    EXPECT_EQ(afterA, beforeA);  // tier, stage, last check-in, next step: as before the merge
    EXPECT_EQ(afterB, b);
}

TEST_F(MERGE_SUITE, AMergeAndItsUndoCountVisitsAndTheLastCheckinAsTheLiveRulesDo) {
    // A check-in captured outside the earn window is no visit day, and one in a cooldown earns nothing and is no
    // "last check-in": a merge's recount and an undo's recount must say what the rules said as the rows arrived.
    const event::Identity phone{event::Identity::Type::Phone, "+12025550183"};
    const event::Identity email{event::Identity::Type::Email, "third@example.com"};
    auto k = kiosk("store-1", "k1", m_clock);
    // The test clock runs 21 days behind the hub's: 15 days before it is beyond the hub's 30-day earn window.
    auto stale = wire(k.signin("a0", "en-US", event::SigninMethod::Phone, phone, false));
    stale["timestamp"] = formatIsoUtcMs(m_clock.utcMs() - 15 * kDayMs);
    ASSERT_EQ(send({wire(k.signin("a1", "en-US", event::SigninMethod::Phone, phone, true))}),
              std::vector<std::string>{"accepted"});
    ASSERT_EQ(send({stale}), std::vector<std::string>{"accepted"});
    m_clock.advanceMs(60'000);
    ASSERT_EQ(send({wire(k.signin("a2", "en-US", event::SigninMethod::Phone, phone, false))}),  // in the cooldown
              std::vector<std::string>{"accepted"});
    ASSERT_EQ(send({wire(k.signin("b1", "en-US", event::SigninMethod::Email, email, true))}),
              std::vector<std::string>{"accepted"});
    const auto a = staffLookup("phone=%2B12025550183");
    const auto b = staffLookup("email=third%40example.com");
    ASSERT_NE(a["profileId"], b["profileId"]);
    // One visit day each (the stale check-in is none), so neither is a returning member yet.
    ASSERT_EQ(a["journeyStage"], "purchase") << a;
    ASSERT_EQ(b["journeyStage"], "purchase") << b;
    ASSERT_EQ(a["points"], 10);

    auto tie = webIdentify("tie3", m_clock.utcMs(), "crm-43", "", {{"email", email.value}, {"phone", phone.value}});
    tie["context"]["channel"] = "server";
    ASSERT_EQ(send({tie}), std::vector<std::string>{"accepted"});
    const auto merged = staffLookup("phone=%2B12025550183");
    ASSERT_EQ(merged["profileId"], a["profileId"]);
    EXPECT_EQ(merged["journeyStage"], "purchase") << merged;  // both visits fell on one day
    EXPECT_EQ(merged["lastCheckinAt"], b["lastCheckinAt"]);

    const auto list = get("/v1/merges?profile=" + a["profileId"].get<std::string>(), hub().headOfficeToken()).json();
    ASSERT_EQ(list["merges"].size(), 1u) << list;
    ASSERT_EQ(post("/v1/merges/" + std::to_string(list["merges"][0]["seq"].get<std::int64_t>()) + "/undo", "",
                   hub().headOfficeToken())
                  .status,
              200);
    auto afterA = staffLookup("phone=%2B12025550183");
    ASSERT_EQ(afterA["profileId"], a["profileId"]);
    EXPECT_EQ(afterA["journeyStage"], "purchase") << afterA;
    EXPECT_EQ(afterA["lastCheckinAt"], a["lastCheckinAt"]) << afterA;  // the earning one, not the cooldown's
    EXPECT_EQ(afterA["points"], 10);
}

TEST_F(MERGE_SUITE, TwoMergesInOneBatchAreEachUndoneWithTheirOwnRows) {
    const event::Identity phone{event::Identity::Type::Phone, "+12025550184"};
    const event::Identity emailB{event::Identity::Type::Email, "b4@example.com"};
    const event::Identity emailC{event::Identity::Type::Email, "c4@example.com"};
    auto k = kiosk("store-1", "k1", m_clock);
    for (const auto& [session, method, id] : {std::tuple{"a", event::SigninMethod::Phone, phone},
                                              std::tuple{"b", event::SigninMethod::Email, emailB},
                                              std::tuple{"c", event::SigninMethod::Email, emailC}}) {
        ASSERT_EQ(send({wire(k.signin(session, "en-US", method, id, true))}), std::vector<std::string>{"accepted"});
        m_clock.advanceMs(60'000);
    }
    const auto a = staffLookup("phone=%2B12025550184");
    const auto b = staffLookup("email=b4%40example.com");
    const auto c = staffLookup("email=c4%40example.com");
    // One batch, one transaction, two merges: B into A, then C into A.
    auto tieB = webIdentify("tie-b", m_clock.utcMs(), "crm-44", "", {{"phone", phone.value}, {"email", emailB.value}});
    auto tieC = webIdentify("tie-c", m_clock.utcMs() + 1, "crm-44", "", {{"email", emailC.value}});
    tieB["context"]["channel"] = tieC["context"]["channel"] = "server";
    ASSERT_EQ(send(json::array({tieB, tieC})), (std::vector<std::string>{"accepted", "accepted"}));
    ASSERT_EQ(staffLookup("email=c4%40example.com")["profileId"], a["profileId"]);
    ASSERT_EQ(staffLookup("email=b4%40example.com")["profileId"], a["profileId"]);

    const auto list = get("/v1/merges?profile=" + a["profileId"].get<std::string>(), hub().headOfficeToken()).json();
    ASSERT_EQ(list["merges"].size(), 2u) << list;
    std::vector<std::int64_t> seqs;
    for (const auto& m : list["merges"]) seqs.push_back(m["seq"].get<std::int64_t>());
    std::sort(seqs.rbegin(), seqs.rend());  // newest first
    ASSERT_EQ(post("/v1/merges/" + std::to_string(seqs[0]) + "/undo", "", hub().headOfficeToken()).status, 200);
    EXPECT_EQ(staffLookup("email=c4%40example.com"), c);  // C's own rows came back, and only C's
    EXPECT_EQ(staffLookup("email=b4%40example.com")["profileId"], a["profileId"]);
    ASSERT_EQ(post("/v1/merges/" + std::to_string(seqs[1]) + "/undo", "", hub().headOfficeToken()).status, 200);
    EXPECT_EQ(staffLookup("email=b4%40example.com"), b);
    const auto afterA = staffLookup("phone=%2B12025550184");
    EXPECT_EQ(afterA["profileId"], a["profileId"]);
    EXPECT_EQ(afterA["points"], a["points"]);
    EXPECT_EQ(afterA["memberId"], a["memberId"]);
}

TEST_F(MERGE_SUITE, AProfileSeenAndMergedInOneBatchGivesTheWinnerItsChannel) {
    const event::Identity phone{event::Identity::Type::Phone, "+12025550185"};
    const std::string memberId = memberSignedIn("s5", phone);
    ASSERT_FALSE(memberId.empty());
    // One batch from the retailer's back end: a customer new to the hub (its sighting on the server channel is
    // not written yet when the tie comes), then the tie of that customer to the member's phone.
    const auto t = m_clock.utcMs();
    auto visit = webIdentify("w5", t - 3'600'000, "crm-5", "", {{"email", "v5@example.com"}});
    auto tie = webIdentify("tie-5", t + 1000, "crm-5", "", {{"email", "v5@example.com"}, {"phone", phone.value}});
    visit["context"]["channel"] = tie["context"]["channel"] = "server";
    ASSERT_EQ(send(json::array({visit, tie})), (std::vector<std::string>{"accepted", "accepted"}));
    ASSERT_EQ(staffLookup("email=v5%40example.com")["profileId"], memberId);

    const Sightings expected{
        {"in_store_kiosk", {formatIsoUtcMs(t), formatIsoUtcMs(t)}},
        {"server", {formatIsoUtcMs(t - 3'600'000), formatIsoUtcMs(t + 1000)}}};  // first seen as the customer
    EXPECT_EQ(channelSightings(memberId), expected);

    // Undone, the customer has the server channel back, and the member keeps the tie's sighting.
    const auto list = get("/v1/merges?profile=" + memberId, hub().headOfficeToken()).json();
    ASSERT_EQ(list["merges"].size(), 1u) << list;
    const auto seq = std::to_string(list["merges"][0]["seq"].get<std::int64_t>());
    ASSERT_EQ(post("/v1/merges/" + seq + "/undo", "", hub().headOfficeToken()).status, 200);
    const auto customer = staffLookup("email=v5%40example.com");
    ASSERT_NE(customer["profileId"], memberId);
    EXPECT_EQ(customer["channels"], json({"server"}));
    EXPECT_EQ(staffLookup("phone=%2B12025550185")["channels"], json({"in_store_kiosk", "server"}));
}

TEST_F(MERGE_SUITE, AMergeCombinesTheSightingsBothProfilesHaveWrittenOnAChannel) {
    const event::Identity phone{event::Identity::Type::Phone, "+12025550187"};
    const std::string memberId = memberSignedIn("s7", phone);
    ASSERT_FALSE(memberId.empty());
    const auto t = m_clock.utcMs();
    // Each in a batch of its own, so both sightings are written before the tie: the member seen once on the
    // server channel, and a customer new to the hub seen there before and after that.
    auto seen = webIdentify("m7", t + 2000, "crm-7m", "", {{"phone", phone.value}});
    seen["context"]["channel"] = "server";
    ASSERT_EQ(send(json::array({seen})), std::vector<std::string>{"accepted"});
    auto early = webIdentify("w7a", t - 3'600'000, "crm-7", "", {{"email", "v7@example.com"}});
    auto late = webIdentify("w7b", t + 5000, "crm-7", "", {{"email", "v7@example.com"}});
    early["context"]["channel"] = late["context"]["channel"] = "server";
    ASSERT_EQ(send(json::array({early, late})), (std::vector<std::string>{"accepted", "accepted"}));
    ASSERT_NE(staffLookup("email=v7%40example.com")["profileId"], memberId);
    auto tie =
        webIdentify("tie-7", t + 1000, "crm-7", "", {{"email", "v7@example.com"}, {"phone", phone.value}});
    tie["context"]["channel"] = "server";
    ASSERT_EQ(send(json::array({tie})), std::vector<std::string>{"accepted"});
    ASSERT_EQ(staffLookup("email=v7%40example.com")["profileId"], memberId);

    const Sightings expected{
        {"in_store_kiosk", {formatIsoUtcMs(t), formatIsoUtcMs(t)}},
        // The customer's first sighting is the earlier, and its last the later.
        {"server", {formatIsoUtcMs(t - 3'600'000), formatIsoUtcMs(t + 5000)}}};
    EXPECT_EQ(channelSightings(memberId), expected);
}

TEST_F(MERGE_SUITE, ProfilesMadeAndMergedTwiceInOneBatchHandEveryRowOnToTheMember) {
    const event::Identity phone{event::Identity::Type::Phone, "+12025550186"};
    const std::string memberId = memberSignedIn("s6", phone);
    ASSERT_FALSE(memberId.empty());
    // One batch from the retailer's back end, all new to the hub: customer A, customer B with an account (a
    // group link only B's profile has), then a tie of B to A (A is older and survives), then of A to the
    // member.
    const auto t = m_clock.utcMs();
    auto a = webIdentify("c6a", t - 3 * 3'600'000, "", "crm-6a", {{"email", "a6@example.com"}});
    auto b = webIdentify("c6b", t - 2 * 3'600'000, "", "crm-6b", {{"email", "b6@example.com"}});
    json group{{"type", "group"},
               {"messageId", "g6b"},
               {"userId", "crm-6b"},
               {"groupId", "acme-6"},
               {"timestamp", formatIsoUtcMs(t - 2 * 3'600'000 + 1000)},
               {"traits", {{"name", "Acme 6"}}}};
    auto tieAB = webIdentify("tie-6ab", t - 3'600'000, "", "crm-6a", {{"email", "b6@example.com"}});
    auto tieAM = webIdentify("tie-6am", t + 1000, "", "crm-6a", {{"phone", phone.value}});
    json batch = json::array({a, b, group, tieAB, tieAM});
    for (auto& m : batch) m["context"]["channel"] = "server";
    ASSERT_EQ(send(batch), std::vector<std::string>(5, "accepted"));

    // Every row of both customers is the member's now: identifiers, touchpoints, and B's group link, which
    // reached the member through A.
    EXPECT_EQ(staffLookup("email=a6%40example.com")["profileId"], memberId);
    EXPECT_EQ(staffLookup("email=b6%40example.com")["profileId"], memberId);
    const auto timeline = get("/v1/profiles/" + memberId + "/timeline", hub().headOfficeToken());
    ASSERT_EQ(timeline.status, 200) << timeline.body;
    const auto body = timeline.json();
    std::set<std::string> touchpoints;
    for (const auto& tp : body["touchpoints"]) touchpoints.insert(tp["messageId"].get<std::string>());
    for (const char* id : {"c6a", "c6b", "g6b", "tie-6ab", "tie-6am"})
        EXPECT_EQ(touchpoints.count(id), 1u) << id << " " << timeline.body;
    ASSERT_EQ(body["groups"].size(), 1u) << timeline.body;
    EXPECT_EQ(body["groups"][0]["groupId"], "acme-6");

    // Undoing the member's merge gives A back everything it held then, B's rows and link included.
    const auto list = get("/v1/merges?profile=" + memberId, hub().headOfficeToken()).json();
    ASSERT_EQ(list["merges"].size(), 1u) << list;
    const auto seq = std::to_string(list["merges"][0]["seq"].get<std::int64_t>());
    ASSERT_EQ(post("/v1/merges/" + seq + "/undo", "", hub().headOfficeToken()).status, 200);
    const std::string customerA = staffLookup("email=a6%40example.com")["profileId"];
    ASSERT_NE(customerA, memberId);
    EXPECT_EQ(staffLookup("email=b6%40example.com")["profileId"], customerA);
    const auto afterA = get("/v1/profiles/" + customerA + "/timeline", hub().headOfficeToken()).json();
    ASSERT_EQ(afterA["groups"].size(), 1u) << afterA;
    EXPECT_EQ(afterA["groups"][0]["groupId"], "acme-6");
    const auto afterMember = get("/v1/profiles/" + memberId + "/timeline", hub().headOfficeToken()).json();
    EXPECT_TRUE(afterMember["groups"].empty()) << afterMember;
}

TEST_F(MERGE_SUITE, APublicKeysRefusedTieIsListedWithItsReasonAndSource) {
    const event::Identity email{event::Identity::Type::Email, "member2@example.com"};
    auto k = kiosk("store-1", "k1", m_clock);
    ASSERT_EQ(send({wire(k.signin("s1", "en-US", event::SigninMethod::Email, email, true))}),
              std::vector<std::string>{"accepted"});
    const std::string memberId = staffLookup("email=member2%40example.com")["profileId"];
    ASSERT_EQ(send({webIdentify("takeover", m_clock.utcMs(), "anon-attacker", "", {{"email", "member2@example.com"}})}),
              std::vector<std::string>{"accepted"});
    const auto conflicts = get("/v1/identity/conflicts?limit=10", hub().token("head-office:analyst"));
    ASSERT_EQ(conflicts.status, 200) << conflicts.body;
    ASSERT_EQ(conflicts.json()["conflicts"].size(), 1u) << conflicts.body;
    const auto c = conflicts.json()["conflicts"][0];
    EXPECT_EQ(c["reason"], "held_by_another_profile");
    EXPECT_EQ(c["identifierKind"], "email");
    EXPECT_EQ(c["heldBy"], memberId);
    EXPECT_NE(c["profileId"], memberId);
    EXPECT_NE(c["source"].get<std::string>().find("web"), std::string::npos) << c;
    EXPECT_EQ(conflicts.body.find("member2@example.com"), std::string::npos);
    EXPECT_EQ(get("/v1/identity/conflicts?limit=0", hub().headOfficeToken()).status, 400);
    EXPECT_EQ(get("/v1/identity/conflicts", hub().ingestToken()).status, 403);
    EXPECT_EQ(get("/v1/merges", hub().headOfficeToken()).json()["merges"].size(), 0u);
}

TEST_F(MERGE_SUITE, ListLimitsAndProfileIdsAreBounded) {
    const auto admin = hub().headOfficeToken();
    for (const char* bad : {"?limit=0", "?limit=1001", "?limit=-1", "?limit=10x", "?limit=99999999999999999999"}) {
        EXPECT_EQ(get(std::string("/v1/merges") + bad, admin).status, 400) << bad;
        EXPECT_EQ(get(std::string("/v1/identity/conflicts") + bad, admin).status, 400) << bad;
    }
    EXPECT_EQ(get("/v1/merges?limit=1000", admin).status, 200);
    EXPECT_EQ(get("/v1/merges?limit=1", admin).status, 200);
    EXPECT_EQ(get("/v1/merges?profile=" + std::string(64, 'a'), admin).status, 200);
    const auto tooLong = get("/v1/merges?profile=" + std::string(65, 'a'), admin);
    EXPECT_EQ(tooLong.status, 400);
    EXPECT_NE(tooLong.body.find("profile"), std::string::npos) << tooLong.body;
}

}  // namespace
}  // namespace touchpoint::hub::testing
