// Issue 15's attacks, as written, against a real hub over HTTPS on this suite's store (SQLite or PostgreSQL):
// each fails with a clear status or earns nothing.

#include <algorithm>
#include <set>

#include "api_test_support.hpp"
#include "hub/ingest/identity.hpp"

// HubSqliteTrust / HubPostgresTrust: the suite name follows the backend like api_test.cpp's.
#define TRUST_CAT2(a, b) a##b
#define TRUST_CAT(a, b) TRUST_CAT2(a, b)
#define TRUST_SUITE TRUST_CAT(HUB_SUITE, Trust)

namespace touchpoint::hub::testing {
namespace {

using nlohmann::json;

class TRUST_SUITE : public HubApiTest {
protected:
    /// A member signs up at a kiosk with `phone`, then signs in with the card: the card's number is the userId
    /// of that sign-in, and no secret (it is printed on the card). Answers the member's welcome.
    json memberWithACard(event::KioskEventFactory& k, const std::string& phone) {
        const event::Identity byPhone{event::Identity::Type::Phone, phone};
        EXPECT_EQ(send({wire(k.signin("member-signup", "en-US", event::SigninMethod::Phone, byPhone, true))}),
                  std::vector<std::string>{"accepted"});
        const std::string query = "/v1/profiles/welcome?phone=%2B" + phone.substr(1);
        const auto signedUp = get(query, hub().ingestToken()).json();
        const event::Identity card{event::Identity::Type::Member, signedUp.value("memberId", "")};
        EXPECT_FALSE(card.value.empty()) << signedUp;
        EXPECT_EQ(send({wire(k.signin("member-card", "en-US", event::SigninMethod::Card, card, false))}),
                  std::vector<std::string>{"accepted"});
        return get(query, hub().ingestToken()).json();
    }
};

const event::Identity kVictimPhone{event::Identity::Type::Phone, "+12025550123"};

/// A "Loyalty Signed In" as a fraudster writes it by hand: plaintext e-mail, claiming the kiosk channel.
json forgedSignin(const std::string& id, std::int64_t atMs, const std::string& email) {
    return {{"type", "track"},
            {"messageId", id},
            {"event", "Loyalty Signed In"},
            {"userId", email},
            {"timestamp", formatIsoUtcMs(atMs)},
            {"properties", {{"method", "email"}, {"email", email}, {"newMember", true}}},
            {"context", {{"channel", "in_store_kiosk"}}}};
}

std::vector<json> receiptsOf(const Reply& r) {
    const auto j = r.json();
    if (!j.is_object() || !j["receipts"].is_array()) return {};
    return j["receipts"].get<std::vector<json>>();
}

TEST_F(TRUST_SUITE, BackdatedSigninsWithAWebKeyEarnNothing) {
    json batch = json::array();
    for (int i = 0; i < 30; ++i) {
        batch.push_back(forgedSignin("fraud-" + std::to_string(i), m_clock.utcMs() - (i + 1) * 86'400'000LL * 40,
                                     "fraudster@example.com"));
    }
    batch.push_back(forgedSignin("year-zero", 0, "fraudster@example.com"));
    batch.back()["timestamp"] = "0000-01-01T00:00:00Z";
    const auto r = post("/v1/batch", json{{"batch", batch}}.dump(), hub().token("web"));
    ASSERT_EQ(r.status, 200) << r.body;
    const auto receipts = receiptsOf(r);
    ASSERT_EQ(receipts.size(), batch.size());
    for (const auto& rc : receipts) {
        EXPECT_EQ(rc["status"], "rejected") << rc;
        EXPECT_NE(rc["reason"].get<std::string>().find("only a kiosk token"), std::string::npos) << rc;
    }
    const auto lookup = get("/v1/profiles/lookup?email=fraudster%40example.com", hub().lookupToken());
    EXPECT_EQ(lookup.status, 404) << lookup.body;  // no profile, no points, no membership
}

TEST_F(TRUST_SUITE, BackdatedSigninsWithAKioskTokenAreKeptButEarnNothing) {
    // A kiosk's queue can hold old messages, so its token may send them: they are stored and flagged, but a
    // capture time outside the earn window (30 days) earns no points and moves no cooldown.
    auto k = kiosk("store-1", "k1", m_clock);
    const event::Identity phone{event::Identity::Type::Phone, "+12025550177"};
    ASSERT_EQ(send({wire(k.signin("member-now", "en-US", event::SigninMethod::Phone, phone, true))}),
              std::vector<std::string>{"accepted"});
    const std::string welcome = "/v1/profiles/welcome?phone=%2B12025550177";
    const auto before = get(welcome, hub().ingestToken()).json();
    ASSERT_TRUE(before.contains("points")) << before;

    json batch = json::array();
    for (int i = 0; i < 30; ++i) {
        json m = wire(k.signin("backdated-" + std::to_string(i), "en-US", event::SigninMethod::Phone, phone, false));
        m["timestamp"] = formatIsoUtcMs(m_clock.utcMs() - (i + 1) * 40 * kDayMs);
        batch.push_back(std::move(m));
    }
    EXPECT_EQ(send(batch), std::vector<std::string>(30, "accepted"));
    EXPECT_EQ(*hub().store().countEvents(), 31);
    const auto after = get(welcome, hub().ingestToken()).json();
    EXPECT_EQ(after["points"], before["points"]) << after;
    EXPECT_EQ(after["tier"], before["tier"]) << after;

    // A clock gone back to year 0: stored and flagged like any time outside the window, earning nothing.
    json yearZero = wire(k.signin("year-zero-kiosk", "en-US", event::SigninMethod::Phone, phone, false));
    yearZero["timestamp"] = "0000-01-01T00:00:00Z";
    EXPECT_EQ(send({yearZero}), std::vector<std::string>{"accepted"});
    EXPECT_EQ(get(welcome, hub().ingestToken()).json()["points"], before["points"]);
}

TEST_F(TRUST_SUITE, AWebKeyCannotCallWelcomeOrProduceACheckinOrClaimAStore) {
    const auto web = hub().token("web");
    const auto welcome = get("/v1/profiles/welcome?phone=%2B12025550123", web);
    EXPECT_EQ(welcome.status, 403);
    EXPECT_NE(welcome.body.find("kiosk tokens only"), std::string::npos) << welcome.body;
    EXPECT_EQ(get("/v1/profiles/welcome?phone=%2B12025550123", hub().token("server")).status, 403);
    // Each key's refusal is counted for it.
    const auto metrics = get("/metrics", hub().headOfficeToken()).body;
    for (const std::string kind : {"web", "server"}) {
        EXPECT_NE(metrics.find("\ntouchpoint_hub_http_refusals_by_source_total{source=\"" + hub().tokenName(kind) +
                               "\",reason=\"forbidden\"} 1\n"),
                  std::string::npos)
            << kind << ": " << metrics;
    }

    auto k = kiosk("store-1", "k1", m_clock);
    json signin = wire(k.signin("web-signin", "en-US", event::SigninMethod::Phone, kVictimPhone, true));
    json heartbeat = wire(k.heartbeat(json::object()));
    event::FeedbackAnswers detractor;
    detractor.surveyId = "store-visit";
    detractor.nps = 0;
    json feedback = wire(k.feedback("web-nps", "en-US", detractor, std::nullopt));
    const auto r = post("/v1/batch", json{{"batch", {signin, heartbeat, feedback}}}.dump(), web);
    ASSERT_EQ(r.status, 200) << r.body;
    for (const auto& rc : receiptsOf(r)) EXPECT_EQ(rc["status"], "rejected") << rc;
    // Nothing reached the store: no check-in, no fleet entry, no NPS.
    EXPECT_EQ(*hub().store().countEvents(), 0);
    EXPECT_TRUE(hub().store().fleet()->empty());
    EXPECT_EQ(get("/v1/profiles/lookup?phone=%2B12025550123", hub().lookupToken()).status, 404);

    // A page view from the same key is fine, and is recorded on the key's channel whatever the body says.
    json page = webIdentify("web-ok", m_clock.utcMs(), "anon-1", "", json::object());
    page["context"]["channel"] = "in_store_kiosk";
    const auto ok = post("/v1/batch", json{{"batch", {page}}}.dump(), web);
    ASSERT_EQ(receiptsOf(ok).size(), 1u);
    EXPECT_EQ(receiptsOf(ok)[0]["status"], "accepted") << ok.body;
}

TEST_F(TRUST_SUITE, AKioskTokenForStoreACannotWriteStoreB) {
    auto mine = kiosk("store-1", "k1", m_clock);
    auto other = kiosk("store-2", "k1", m_clock);
    auto sibling = kiosk("store-1", "k2", m_clock);
    const json batch = {wire(mine.heartbeat(json::object())), wire(other.heartbeat(json::object())),
                        wire(sibling.heartbeat(json::object()))};
    const auto r = post("/v1/batch", json{{"batch", batch}}.dump(), hub().ingestToken());
    ASSERT_EQ(r.status, 200) << r.body;
    const auto receipts = receiptsOf(r);
    ASSERT_EQ(receipts.size(), 3u);
    EXPECT_EQ(receipts[0]["status"], "accepted");
    EXPECT_EQ(receipts[1]["status"], "rejected");
    EXPECT_NE(receipts[1]["reason"].get<std::string>().find("another store"), std::string::npos) << receipts[1];
    EXPECT_EQ(receipts[2]["status"], "rejected");
    EXPECT_NE(receipts[2]["reason"].get<std::string>().find("another kiosk"), std::string::npos) << receipts[2];
    const auto fleet = hub().store().fleet();
    ASSERT_TRUE(fleet.ok());
    ASSERT_EQ(fleet->size(), 1u);
    EXPECT_EQ((*fleet)[0].store, "store-1");
}

TEST_F(TRUST_SUITE, AKioskTokenStampsItsStoreAndChannelOnMessagesThatNameNone) {
    json m = webIdentify("bare", m_clock.utcMs(), "anon-9", "", json::object());
    m["type"] = "track";
    m["event"] = "Kiosk Heartbeat";
    m["properties"] = json::object();
    m.erase("traits");
    const auto r = post("/v1/batch", json{{"batch", {m}}}.dump(), hub().ingestToken());
    ASSERT_EQ(receiptsOf(r).size(), 1u);
    EXPECT_EQ(receiptsOf(r)[0]["status"], "accepted") << r.body;
    const auto fleet = hub().store().fleet();
    ASSERT_TRUE(fleet.ok());
    ASSERT_EQ(fleet->size(), 1u);
    EXPECT_EQ((*fleet)[0].store, "store-1");
    EXPECT_EQ((*fleet)[0].kiosk, "k1");
}

TEST_F(TRUST_SUITE, ErasureNeedsAnAdminToken) {
    auto k = kiosk("store-1", "k1", m_clock);
    ASSERT_EQ(send({wire(k.signin("s-1", "en-US", event::SigninMethod::Phone, kVictimPhone, true))}),
              std::vector<std::string>{"accepted"});
    const auto found = get("/v1/profiles/lookup?phone=%2B12025550123", hub().lookupToken()).json();
    const std::string id = found["profileId"];
    const auto analyst = del("/v1/profiles/" + id, hub().token("head-office:analyst"));
    EXPECT_EQ(analyst.status, 403);
    EXPECT_NE(analyst.body.find("admin"), std::string::npos) << analyst.body;
    EXPECT_EQ(del("/v1/profiles/" + id, hub().token("head-office:manager")).status, 403);
    // An analyst still reads.
    EXPECT_EQ(get("/v1/profiles/" + id + "/timeline", hub().token("head-office:analyst")).status, 200);
    EXPECT_EQ(del("/v1/profiles/" + id, hub().headOfficeToken()).status, 200);
}

TEST_F(TRUST_SUITE, AnUnboundKioskTokenIsRefusedUntilBound) {
    // What a token made before token kinds migrates to: a kiosk token with no binding.
    TokenRecord legacy;
    legacy.name = "legacy-" + hub().dir().filename().string();
    legacy.scope = "ingest";
    legacy.kind = "kiosk";
    const std::string token = "tpk_legacy_" + hub().dir().filename().string();
    ASSERT_TRUE(hub().store().addToken(tokenHash(token), legacy).ok());
    auto k = kiosk("store-1", "k1", m_clock);
    const auto body = json{{"batch", {wire(k.heartbeat(json::object()))}}}.dump();
    const auto refused = post("/v1/batch", body, token);
    EXPECT_EQ(refused.status, 403);
    EXPECT_NE(refused.body.find("token bind"), std::string::npos) << refused.body;
    ASSERT_TRUE(*hub().store().bindToken(legacy.name, "store-1", "k1"));
    EXPECT_FALSE(*hub().store().bindToken(legacy.name, "store-2", "k1"));  // bound once, not re-pointed
    const auto accepted = post("/v1/batch", body, token);
    ASSERT_EQ(accepted.status, 200) << accepted.body;
    EXPECT_EQ(receiptsOf(accepted)[0]["status"], "accepted");
}

TEST_F(TRUST_SUITE, AnUnboundStaffTokenIsRefusedUntilBound) {
    // What a lookup token made before token kinds migrates to: a staff token with no kiosk.
    TokenRecord legacy;
    legacy.name = "legacy-staff-" + hub().dir().filename().string();
    legacy.scope = "lookup";
    legacy.kind = "staff";
    const std::string token = "tpk_legacy_staff_" + hub().dir().filename().string();
    ASSERT_TRUE(hub().store().addToken(tokenHash(token), legacy).ok());
    auto k = kiosk("store-1", "k1", m_clock);
    const event::Identity email{event::Identity::Type::Email, "member@example.com"};
    ASSERT_EQ(send({wire(k.signin("s", "en-US", event::SigninMethod::Email, email, true))}),
              std::vector<std::string>{"accepted"});
    const auto refused = get("/v1/profiles/lookup?email=member%40example.com", token);
    EXPECT_EQ(refused.status, 403);
    EXPECT_NE(refused.body.find("token bind"), std::string::npos) << refused.body;
    auto audited = [&] {
        const auto audit = hub().store().recentAudit(1000, "lookup").value();
        return std::count_if(audit.begin(), audit.end(), [&](const AuditEntry& a) { return a.tokenName == legacy.name; });
    };
    EXPECT_EQ(audited(), 0);  // refused before anything was read
    ASSERT_TRUE(*hub().store().bindToken(legacy.name, "store-1", "k1"));
    const auto answered = get("/v1/profiles/lookup?email=member%40example.com", token);
    ASSERT_EQ(answered.status, 200) << answered.body;
    EXPECT_EQ(answered.json()["member"], true);
    EXPECT_EQ(audited(), 1);
}

TEST_F(TRUST_SUITE, AWebKeyCannotJoinItsPhoneToAMembersProfile) {
    const event::Identity victimEmail{event::Identity::Type::Email, "victim@example.com"};
    auto k = kiosk("store-1", "k1", m_clock);
    ASSERT_EQ(send({wire(k.signin("victim-session", "en-US", event::SigninMethod::Email, victimEmail, true))}),
              std::vector<std::string>{"accepted"});
    const auto before = get("/v1/profiles/welcome?email=victim%40example.com", hub().ingestToken());
    ASSERT_EQ(before.status, 200) << before.body;
    ASSERT_EQ(before.json()["member"], true);

    // The attack as written: one identify from the public web key naming the victim's e-mail and the
    // attacker's phone.
    const auto attack = webIdentify("takeover", m_clock.utcMs(), "attacker-anon", "",
                                    {{"email", "victim@example.com"}, {"phone", "+12025550166"}});
    const auto r = post("/v1/identify", attack.dump(), hub().token("web"));
    ASSERT_EQ(r.status, 200) << r.body;

    EXPECT_EQ(get("/v1/profiles/welcome?email=victim%40example.com", hub().ingestToken()).body, before.body);
    const auto attacker = get("/v1/profiles/welcome?phone=%2B12025550166", hub().ingestToken()).json();
    EXPECT_NE(attacker.value("memberId", ""), before.json()["memberId"].get<std::string>()) << attacker;
    EXPECT_NE(attacker.value("member", false), true) << attacker;
    const auto metrics = get("/metrics", hub().headOfficeToken());
    EXPECT_NE(metrics.body.find("touchpoint_hub_identity_conflicts_total 1"), std::string::npos) << metrics.body;
    EXPECT_EQ(metrics.body.find("victim@example.com"), std::string::npos);
}

TEST_F(TRUST_SUITE, AWebKeyNamingAMembersCardNumberAddsNoPhoneToTheMembership) {
    auto k = kiosk("store-1", "k1", m_clock);
    const auto member = memberWithACard(k, "+12025550141");
    const std::string card = member.value("memberId", "");
    ASSERT_FALSE(card.empty()) << member;
    ASSERT_EQ(member["member"], true);

    // An identify from the public web key as if its visitor were the card holder, with the attacker's phone.
    const auto attack = webIdentify("card-takeover", m_clock.utcMs(), "attacker-anon", card, {{"phone", "+12025550177"}});
    const auto r = post("/v1/identify", attack.dump(), hub().token("web"));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(receiptsOf(r).at(0)["status"], "accepted") << r.body;  // the visitor's journey is kept

    // The attacker's phone reaches nobody's membership at the kiosk; the member's welcome is as it was.
    const auto attacker = get("/v1/profiles/welcome?phone=%2B12025550177", hub().ingestToken()).json();
    EXPECT_NE(attacker.value("member", false), true) << attacker;
    EXPECT_NE(attacker.value("memberId", ""), card) << attacker;
    EXPECT_EQ(get("/v1/profiles/welcome?phone=%2B12025550141", hub().ingestToken()).json(), member);
    const auto conflicts = get("/v1/identity/conflicts", hub().headOfficeToken());
    ASSERT_EQ(conflicts.status, 200) << conflicts.body;
    EXPECT_NE(conflicts.body.find("contact_into_membership"), std::string::npos) << conflicts.body;
    EXPECT_EQ(conflicts.body.find("12025550177"), std::string::npos);  // the kind, never the value
}

TEST_F(TRUST_SUITE, AnAliasToAMembersCardNumberBringsNoPhoneIntoTheMembership) {
    auto k = kiosk("store-1", "k1", m_clock);
    const auto member = memberWithACard(k, "+12025550142");
    const std::string card = member.value("memberId", "");
    ASSERT_FALSE(card.empty()) << member;

    // Two steps: the attacker's own web user with the attacker's phone, then an alias from that user to the card.
    const auto own = webIdentify("own-user", m_clock.utcMs(), "", "attacker-user", {{"phone", "+12025550178"}});
    ASSERT_EQ(post("/v1/identify", own.dump(), hub().token("web")).status, 200);
    const json alias = {{"type", "alias"},          {"messageId", "alias-to-card"},
                        {"previousId", "attacker-user"}, {"userId", card},
                        {"timestamp", formatIsoUtcMs(m_clock.utcMs())}};
    const auto r = post("/v1/alias", alias.dump(), hub().token("web"));
    ASSERT_EQ(r.status, 200) << r.body;

    const auto attacker = get("/v1/profiles/welcome?phone=%2B12025550178", hub().ingestToken()).json();
    EXPECT_NE(attacker.value("member", false), true) << attacker;
    EXPECT_NE(attacker.value("memberId", ""), card) << attacker;
    EXPECT_EQ(get("/v1/profiles/welcome?phone=%2B12025550142", hub().ingestToken()).json(), member);
    EXPECT_NE(get("/v1/identity/conflicts", hub().headOfficeToken()).body.find("contact_into_membership"),
              std::string::npos);
}

TEST_F(TRUST_SUITE, AWebKeyCannotJoinTwoNonMembersWhoSignedInAtAKiosk) {
    // Two shoppers sign in at a kiosk by phone without joining the loyalty programme: each phone is proved there.
    auto k = kiosk("store-1", "k1", m_clock);
    const event::Identity victimPhone{event::Identity::Type::Phone, "+12025550151"};
    const event::Identity attackerPhone{event::Identity::Type::Phone, "+12025550152"};
    ASSERT_EQ(send({wire(k.signin("victim-session", "en-US", event::SigninMethod::Phone, victimPhone, false)),
                    wire(k.signin("attacker-session", "en-US", event::SigninMethod::Phone, attackerPhone, false))}),
              (std::vector<std::string>{"accepted", "accepted"}));
    // The retailer's back end (a server key) ties each shopper's online account to the phone they gave it: the
    // account ids are what the website's SDK sends as userId, and a public web key can name any of them.
    const auto t = m_clock.utcMs();
    for (const auto& [account, phone] :
         {std::pair{"acct-victim", victimPhone.value}, {"acct-attacker", attackerPhone.value}}) {
        auto tie = webIdentify(std::string("crm-") + account, t, "", account, {{"phone", phone}});
        tie["context"]["channel"] = "server";
        ASSERT_EQ(send({tie}), std::vector<std::string>{"accepted"});
    }
    const auto profileOf = [&](const std::string& phone) {
        return get("/v1/profiles/lookup?phone=%2B" + phone.substr(1), hub().lookupToken()).json().value("profileId", "");
    };
    const std::string victim = profileOf(victimPhone.value), attacker = profileOf(attackerPhone.value);
    ASSERT_FALSE(victim.empty());
    ASSERT_FALSE(attacker.empty());
    ASSERT_NE(victim, attacker);
    const auto welcomeBefore = get("/v1/profiles/welcome?phone=%2B12025550152", hub().ingestToken()).body;

    // The attack: the public web key says the victim's account was the attacker's all along (an alias); merged,
    // the attacker's phone would sign in at a kiosk as the victim.
    const json alias = {{"type", "alias"},          {"messageId", "alias-two-shoppers"},
                        {"previousId", "acct-victim"}, {"userId", "acct-attacker"},
                        {"timestamp", formatIsoUtcMs(t + 1000)}};
    const auto r = post("/v1/alias", alias.dump(), hub().token("web"));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(receiptsOf(r).at(0)["status"], "accepted") << r.body;

    // Not merged: each phone still reaches its own profile, the attacker's kiosk welcome is as it was.
    EXPECT_EQ(profileOf(victimPhone.value), victim);
    EXPECT_EQ(profileOf(attackerPhone.value), attacker);
    EXPECT_EQ(get("/v1/profiles/welcome?phone=%2B12025550152", hub().ingestToken()).body, welcomeBefore);
    const auto merges = get("/v1/merges", hub().headOfficeToken());
    ASSERT_EQ(merges.status, 200) << merges.body;
    EXPECT_TRUE(merges.json()["merges"].empty()) << merges.body;
    // The refusal is visible to head office and counted.
    const auto conflicts = get("/v1/identity/conflicts", hub().headOfficeToken());
    ASSERT_EQ(conflicts.status, 200) << conflicts.body;
    const auto listed = conflicts.json()["conflicts"];
    ASSERT_EQ(listed.size(), 1u) << conflicts.body;
    EXPECT_EQ(listed[0]["reason"], "two_verified_profiles");
    EXPECT_EQ(listed[0]["messageId"], "alias-two-shoppers");
    EXPECT_EQ(listed[0]["source"], hub().tokenName("web"));
    EXPECT_EQ(listed[0]["identifierKind"], "");
    EXPECT_EQ((std::set<std::string>{listed[0]["profileId"], listed[0]["heldBy"]}),
              (std::set<std::string>{victim, attacker}));
    EXPECT_NE(get("/metrics", hub().headOfficeToken()).body.find("touchpoint_hub_identity_conflicts_total 1\n"),
              std::string::npos);

    // The retailer's back end may still say they are one person.
    auto server = alias;
    server["messageId"] = "alias-from-the-back-end";
    server["context"] = {{"channel", "server"}};
    ASSERT_EQ(send({server}), std::vector<std::string>{"accepted"});
    EXPECT_EQ(profileOf(victimPhone.value), profileOf(attackerPhone.value));
}

TEST_F(TRUST_SUITE, AWebKeyCannotAnswerTheInStoreSurvey) {
    auto k = kiosk("store-1", "k1", m_clock);
    event::FeedbackAnswers a;
    a.surveyId = "store-visit";
    a.nps = 0;
    a.comment = "call me";
    for (json m : {wire(k.feedback("web-survey", "en-US", a, std::nullopt)),
                   wire(k.feedbackAbandoned("web-survey-2", "en-US", a, "timeout", std::nullopt))}) {
        m["context"].erase("storeId");  // a write key cannot claim a store either
        m["context"].erase("kioskId");
        const auto r = post("/v1/batch", json{{"batch", json::array({m})}}.dump(), hub().token("web"));
        ASSERT_EQ(r.status, 200) << r.body;
        const auto receipts = receiptsOf(r);
        ASSERT_EQ(receipts.size(), 1u);
        EXPECT_EQ(receipts[0]["status"], "rejected") << receipts[0];
        EXPECT_NE(receipts[0].value("reason", "").find("only a kiosk token may send \"Feedback"), std::string::npos)
            << receipts[0];
    }
    const auto stats = get("/v1/stats", hub().headOfficeToken());
    ASSERT_EQ(stats.status, 200) << stats.body;
    EXPECT_EQ(stats.json()["overall"]["nps"].value("responses", -1), 0) << stats.body;
}

TEST_F(TRUST_SUITE, WelcomeIsRateLimitedPerKioskTokenAuditedAndCountedPerKiosk) {
    auto k = kiosk("store-1", "k1", m_clock);
    send({wire(k.heartbeat(json::object()))});
    for (int i = 0; i < 20; ++i) {  // the default burst
        ASSERT_EQ(get("/v1/profiles/welcome?member=M-" + std::to_string(i), hub().ingestToken()).status, 200) << i;
    }
    const auto limited = get("/v1/profiles/welcome?member=M-99", hub().ingestToken());
    EXPECT_EQ(limited.status, 429) << limited.body;
    // One lookup every 6 s by default; a little may have refilled while the 20 were answered.
    ASSERT_FALSE(limited.retryAfter.empty());
    EXPECT_GE(std::stoi(limited.retryAfter), 5);
    EXPECT_LE(std::stoi(limited.retryAfter), 6);
    // Another kiosk's token has its own bucket.
    EXPECT_EQ(get("/v1/profiles/welcome?member=M-1", hub().kioskToken("store-1", "k2")).status, 200);

    const auto audit = hub().store().recentAudit(100, "welcome");
    ASSERT_TRUE(audit.ok());
    EXPECT_EQ(audit->size(), 21u);  // the refused one is not a lookup
    const auto fleet = get("/v1/fleet", hub().headOfficeToken()).json();
    ASSERT_EQ(fleet["kiosks"].size(), 1u) << fleet;
    EXPECT_EQ(fleet["kiosks"][0]["welcomeLookups"], 20);
}

}  // namespace
}  // namespace touchpoint::hub::testing
