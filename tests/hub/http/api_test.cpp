// The hub's HTTP API end to end over HTTPS on an ephemeral port, against the store this executable was built
// for: SQLite (hub_integration_test) or a PostgreSQL cluster started by the test (hub_postgres_test).

#include <sqlite3.h>

#include <atomic>
#include <fstream>
#include <set>
#include <thread>

#include "api_test_fixture.hpp"
#include "hub/admin/hub_admin.hpp"
#include "temp_dir.hpp"

namespace touchpoint::hub::testing {
namespace {

using nlohmann::json;

/// Adds a batch's receipts to running totals; a refused request or a rejected message counts as a failure.
void tally(const std::optional<ReceiptCounts>& r, std::atomic<int>& accepted, std::atomic<int>& duplicate,
           std::atomic<int>& failed) {
    if (!r || r->rejected != 0) {
        ++failed;
        return;
    }
    accepted += r->accepted;
    duplicate += r->duplicate;
}

const event::Identity kPhone{event::Identity::Type::Phone, "+12025550123"};

TEST_F(HUB_SUITE, BatchReceiptsAcceptDuplicateAndReject) {
    auto k = kiosk("store-1", "k1", m_clock);
    auto a = wire(k.feedback("s1", "en-US", answers(9), std::nullopt));
    auto b = wire(k.feedback("s2", "en-US", answers(3), std::nullopt));
    auto bad = a;
    bad["messageId"] = "bad-1";
    bad["timestamp"] = "not a time";
    EXPECT_EQ(send({a, b, bad}), (std::vector<std::string>{"accepted", "accepted", "rejected"}));
    EXPECT_EQ(send({b, a}), (std::vector<std::string>{"duplicate", "duplicate"}));
    auto c = wire(k.feedback("s3", "en-US", answers(10), std::nullopt));
    EXPECT_EQ(send({c, c}), (std::vector<std::string>{"accepted", "duplicate"}));
    const auto r = post("/v1/batch", json{{"batch", {bad}}}.dump(), hub().ingestToken());
    EXPECT_EQ(r.json()["receipts"][0]["reason"], "timestamp: not RFC 3339");
    EXPECT_FALSE(r.json()["serverTime"].get<std::string>().empty());
    EXPECT_EQ(hub().store().countEvents().value(), 3);
}

TEST_F(HUB_SUITE, MetricsCountOneKeyAgreementPerKioskSession) {
    // Each kiosk seals its personal values under its own session key: the hub agrees each key once, however
    // many values it opens under it.
    auto k1 = kiosk("store-1", "k1", m_clock);
    auto k2 = kiosk("store-1", "k2", m_clock);
    std::vector<json> batch;
    for (int i = 0; i < 3; ++i) {
        const event::Identity phone{event::Identity::Type::Phone, "+1202555010" + std::to_string(i)};
        batch.push_back(wire(k1.signin("s1-" + std::to_string(i), "en-US", event::SigninMethod::Phone, phone, true)));
        batch.push_back(wire(k2.signin("s2-" + std::to_string(i), "en-US", event::SigninMethod::Phone, phone, false)));
    }
    ASSERT_EQ(send(batch), std::vector<std::string>(6, "accepted"));
    auto metrics = get("/metrics", hub().headOfficeToken());
    EXPECT_NE(metrics.body.find("\ntouchpoint_hub_session_key_agreements_total 2\n"), std::string::npos) << metrics.body;
    ASSERT_EQ(send({wire(k1.signin("s1-again", "en-US", event::SigninMethod::Phone, kPhone, true))}),
              std::vector<std::string>{"accepted"});
    metrics = get("/metrics", hub().headOfficeToken());
    EXPECT_NE(metrics.body.find("\ntouchpoint_hub_session_key_agreements_total 2\n"), std::string::npos) << metrics.body;
}

TEST_F(HUB_SUITE, SingleMessageEndpoints) {
    const auto id = webIdentify("ident-1", m_clock.utcMs(), "anon-1", "", {{"email", "x@example.com"}});
    auto r = post("/v1/identify", id.dump(), hub().ingestToken());
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json()["receipts"][0]["status"], "accepted");
    r = post("/v1/track", id.dump(), hub().ingestToken());
    EXPECT_EQ(r.json()["receipts"][0]["status"], "rejected");
    const json alias = {{"type", "alias"}, {"messageId", "alias-1"}, {"timestamp", formatIsoUtcMs(m_clock.utcMs())},
                        {"previousId", "anon-1"}, {"userId", "user-1"}};
    r = post("/v1/alias", alias.dump(), hub().ingestToken());
    EXPECT_EQ(r.json()["receipts"][0]["status"], "accepted");
}

TEST_F(HUB_SUITE, ConcurrentSendersAcrossTwoHubsStoreEachMessageOnce) {
    auto second = startAnotherHub(hub().server().context().config.storeUrl);
    ASSERT_TRUE(second);
    auto k = kiosk("store-1", "k1", m_clock);
    std::vector<json> messages;
    for (int i = 0; i < 200; ++i) {
        m_clock.advanceMs(1000);
        messages.push_back(i % 3 == 0 ? wire(k.signin("s" + std::to_string(i), "en-US", event::SigninMethod::Phone,
                                                      {event::Identity::Type::Phone, "+1202555" + std::to_string(1000 + i % 7)},
                                                      false))
                                      : wire(k.feedback("s" + std::to_string(i), "en-US", answers(i % 11), std::nullopt)));
    }
    std::atomic<int> accepted{0}, duplicate{0}, failed{0};
    std::vector<std::thread> senders;
    for (int t = 0; t < 4; ++t) {
        senders.emplace_back([&, t] {
            auto c = ingestClient(t % 2 == 0 ? hub() : *second);
            // Each sender starts at a different place, so the same messages race on both hubs.
            for (int n = 0; n < 8; ++n) {
                const int start = ((n + t * 2) % 8) * 25;
                json batch = json::array();
                for (int i = start; i < start + 25; ++i) batch.push_back(messages[static_cast<std::size_t>(i)]);
                tally(postBatch(*c, batch), accepted, duplicate, failed);
            }
        });
    }
    for (auto& s : senders) s.join();
    EXPECT_EQ(failed.load(), 0);
    EXPECT_EQ(accepted.load(), 200);
    EXPECT_EQ(duplicate.load(), 600);
    EXPECT_EQ(hub().store().countEvents().value(), 200);
}

TEST_F(HUB_SUITE, DuplicatesInsideBatchesAndAcrossConcurrentSendersAreStoredOnce) {
    // Batches that repeat messages inside themselves and overlap each other, sent at once by four senders to
    // one hub: every message is stored once, its effects (kiosk event counts, check-ins) counted once.
    auto k = kiosk("store-1", "k1", m_clock);
    std::vector<json> messages;
    for (int i = 0; i < 120; ++i) {
        m_clock.advanceMs(4 * kHour);  // past the cooldown: every sign-in of a member earns
        messages.push_back(i % 2 == 0 ? wire(k.signin("s" + std::to_string(i), "en-US", event::SigninMethod::Phone,
                                                      {event::Identity::Type::Phone, "+1202555" + std::to_string(2000 + i % 5)},
                                                      i < 10))
                                      : wire(k.feedback("s" + std::to_string(i), "en-US", answers(i % 11), std::nullopt)));
    }
    std::atomic<int> accepted{0}, duplicate{0}, failed{0};
    std::vector<std::thread> senders;
    for (int t = 0; t < 4; ++t) {
        senders.emplace_back([&, t] {
            auto c = ingestClient(hub());
            for (int n = 0; n < 6; ++n) {
                // 20 messages from a place that differs per sender, each twice (the repeat 5 places later).
                const int start = ((n + t * 3) % 6) * 20;
                json batch = json::array();
                for (int i = start; i < start + 20; ++i) {
                    batch.push_back(messages[static_cast<std::size_t>(i)]);
                    if (i >= start + 5) batch.push_back(messages[static_cast<std::size_t>(i - 5)]);
                }
                tally(postBatch(*c, batch), accepted, duplicate, failed);
            }
        });
    }
    for (auto& s : senders) s.join();
    EXPECT_EQ(failed.load(), 0);
    EXPECT_EQ(accepted.load(), 120);
    EXPECT_EQ(duplicate.load(), 4 * 6 * 35 - 120);
    EXPECT_EQ(hub().store().countEvents().value(), 120);
    const auto fleet = hub().store().fleet().value();
    ASSERT_EQ(fleet.size(), 1u);
    EXPECT_EQ(fleet[0].events, 120);
    // 60 sign-ins of 5 phones (12 each); each phone's first is a new member's: every one earns.
    for (int p = 0; p < 5; ++p) {
        const auto found = lookup("phone=%2B1202555" + std::to_string(2000 + p));
        ASSERT_TRUE(found.contains("profileId")) << found;
        EXPECT_EQ(found["points"], 12 * hub().server().context().config.loyalty.pointsPerCheckin) << p;
    }
}

TEST_F(HUB_SUITE, MergesProfilesWhenOneEventTiesTheirIdentifiers) {
    const auto t = m_clock.utcMs();
    ASSERT_EQ(send({webIdentify("w1", t, "web-anon-1", "", {{"email", "Ann@Example.com"}, {"firstName", "ann"}})}),
              std::vector<std::string>{"accepted"});
    auto k = kiosk("store-1", "k1", m_clock);
    ASSERT_EQ(send({wire(k.signin("kiosk-session-1", "en-US", event::SigninMethod::Phone, kPhone, true))}),
              std::vector<std::string>{"accepted"});
    const auto byEmail = lookup("email=ann@example.com");
    const auto byPhone = lookup("phone=%2B12025550123");
    ASSERT_TRUE(byEmail.contains("profileId"));
    ASSERT_TRUE(byPhone.contains("profileId"));
    EXPECT_NE(byEmail["profileId"], byPhone["profileId"]);

    // The tie comes from the retailer's back end (a server key, after the shopper signed in there): a public
    // web key naming a member's phone is refused instead (TrustTest, docs/JOURNEY_RULES.md).
    auto tie = webIdentify("w2", t + 1000, "web-anon-1", "user-1",
                           {{"email", "ann@example.com"}, {"phone", "(202) 555-0123"}});
    tie["context"]["channel"] = "server";
    ASSERT_EQ(send({tie}), std::vector<std::string>{"accepted"});
    const auto merged = lookup("email=ann@example.com");
    const auto samePerson = lookup("phone=2025550123");
    ASSERT_TRUE(merged.contains("profileId"));
    EXPECT_EQ(merged["profileId"], samePerson["profileId"]);
    EXPECT_EQ(merged["points"], 10);
    EXPECT_EQ(merged["firstInitial"], "A");
    EXPECT_EQ(merged["journeyStage"], "purchase");
    EXPECT_EQ(merged["channels"], json({"in_store_kiosk", "server", "web"}));
    EXPECT_TRUE(merged["lastVisits"].contains("web"));
    const auto metrics = get("/metrics", hub().headOfficeToken());
    EXPECT_NE(metrics.body.find("touchpoint_hub_profile_merges_total 1"), std::string::npos) << metrics.body;

    // The merged profile's journey: both channels, every touchpoint of both former profiles, newest first.
    const std::string timelinePath = "/v1/profiles/" + merged["profileId"].get<std::string>() + "/timeline";
    const auto timeline = get(timelinePath, hub().headOfficeToken());
    ASSERT_EQ(timeline.status, 200) << timeline.body;
    const auto tl = timeline.json();
    ASSERT_EQ(tl["touchpoints"].size(), 3u) << tl;
    EXPECT_EQ(tl["touchpoints"][0]["messageId"], "w2");
    EXPECT_EQ(tl["touchpoints"][0]["channel"], "server");
    EXPECT_EQ(tl["touchpoints"][1]["channel"], "in_store_kiosk");
    EXPECT_EQ(tl["touchpoints"][1]["store"], "store-1");
    EXPECT_EQ(tl["touchpoints"][2]["messageId"], "w1");
    ASSERT_EQ(tl["channels"].size(), 3u);
    EXPECT_EQ(tl["channels"][0], json({{"channel", "in_store_kiosk"}, {"firstSeen", formatIsoUtcMs(t)},
                                       {"lastSeen", formatIsoUtcMs(t)}}));
    EXPECT_EQ(tl["channels"][1], json({{"channel", "web"}, {"firstSeen", formatIsoUtcMs(t)},
                                       {"lastSeen", formatIsoUtcMs(t)}}));
    EXPECT_EQ(tl["channels"][2], json({{"channel", "server"}, {"firstSeen", formatIsoUtcMs(t + 1000)},
                                       {"lastSeen", formatIsoUtcMs(t + 1000)}}));
    EXPECT_EQ(get(timelinePath + "?limit=1", hub().headOfficeToken()).json()["touchpoints"].size(), 1u);
    EXPECT_EQ(get(timelinePath + "?limit=0", hub().headOfficeToken()).status, 400);
    EXPECT_EQ(get(timelinePath, hub().lookupToken()).status, 403);
    EXPECT_EQ(get("/v1/profiles/00000000-0000-7000-8000-000000000000/timeline", hub().headOfficeToken()).status, 404);
}

TEST_F(HUB_SUITE, AShopperWhoseNameStartsWithALetterOutsideAsciiIsMergedAndGreetedByIt) {
    // A profile's initial is a whole character: half of "É" is no text, and a merge records both profiles as
    // JSON, which would refuse it and with it every retry of the batch.
    const auto t = m_clock.utcMs();
    ASSERT_EQ(send({webIdentify("e1", t, "web-anon-e", "",
                                {{"email", "emile@example.com"}, {"firstName", "\xC3\xA9mile"}})}),
              std::vector<std::string>{"accepted"});
    auto k = kiosk("store-1", "k1", m_clock);
    ASSERT_EQ(send({wire(k.signin("kiosk-session-e", "en-US", event::SigninMethod::Phone, kPhone, true))}),
              std::vector<std::string>{"accepted"});
    auto tie = webIdentify("e2", t + 1000, "web-anon-e", "user-e",
                           {{"email", "emile@example.com"}, {"phone", "(202) 555-0123"}});
    tie["context"]["channel"] = "server";
    ASSERT_EQ(send({tie}), std::vector<std::string>{"accepted"});
    const auto merged = lookup("email=emile@example.com");
    ASSERT_TRUE(merged.contains("profileId")) << merged;
    EXPECT_EQ(merged["profileId"], lookup("phone=%2B12025550123")["profileId"]);
    EXPECT_EQ(merged["firstInitial"], "\xC3\x89");  // É
}

// A kiosk session's events usually arrive together, and the hub applies a batch with what it has read and
// changed earlier in the same batch. One person's day sent as one batch must end exactly like a second
// person's identical day sent one message per request: anonymous feedback, sign-up, consent, feedback, a web
// profile that a later event merges into theirs, and enough check-ins to test cooldown, visit days and the
// velocity flag.
TEST_F(HUB_SUITE, OneBatchEndsLikeTheSameEventsSentOneByOne) {
    const auto t0 = m_clock.utcMs();
    auto day = [&](const std::string& who, const event::Identity& phone, const std::string& email) {
        auto k = kiosk("store-1", "k-" + who, m_clock);
        std::vector<json> out;
        auto at = [&](std::int64_t offsetMs) { m_clock.setUtcMs(t0 + offsetMs); };
        const std::string s1 = who + "-session-1";
        at(0);
        out.push_back(wire(k.feedback(s1, "en-US", answers(3, 2, 6), std::nullopt)));
        at(60'000);
        out.push_back(wire(k.signin(s1, "en-US", event::SigninMethod::Phone, phone, true)));
        at(90'000);
        out.push_back(wire(k.consent(s1, "en-US", phone, {"loyalty-terms", "2026-01", std::string(64, 'a'), {"loyalty_terms"}})));
        at(120'000);
        out.push_back(wire(k.feedback(s1, "en-US", answers(9, 5, 2), phone)));
        out.push_back(webIdentify(who + "-w1", t0 + 150'000, who + "-web", "", {{"email", email}, {"firstName", who}}));
        // Ties the web profile to the kiosk's: the retailer's back end (server key) may; a web key may not.
        out.push_back(webIdentify(who + "-w2", t0 + 160'000, who + "-web", "", {{"email", email}, {"phone", phone.value}}));
        out.back()["context"]["channel"] = "server";
        for (int i = 0; i < 6; ++i) {
            at(4 * kHour + i * 10 * 60'000);  // the first earns again after the 3 h cooldown, the rest do not
            out.push_back(wire(k.signin(who + "-session-" + std::to_string(i + 2), "en-US", event::SigninMethod::Phone,
                                        phone, false)));
        }
        return out;
    };
    const event::Identity phoneA{event::Identity::Type::Phone, "+12025550171"};
    const event::Identity phoneB{event::Identity::Type::Phone, "+12025550172"};
    const auto together = day("a", phoneA, "a@example.com");
    const auto oneByOne = day("b", phoneB, "b@example.com");
    EXPECT_EQ(send(together), std::vector<std::string>(together.size(), "accepted"));
    for (const auto& m : oneByOne) EXPECT_EQ(send({m}), std::vector<std::string>{"accepted"});

    auto a = lookup("phone=%2B12025550171");
    auto b = lookup("phone=%2B12025550172");
    ASSERT_TRUE(a.contains("profileId")) << a;
    ASSERT_TRUE(b.contains("profileId")) << b;
    EXPECT_EQ(lookup("email=a@example.com")["profileId"], a["profileId"]);  // merged within the batch
    EXPECT_EQ(lookup("email=b@example.com")["profileId"], b["profileId"]);
    EXPECT_EQ(a["points"], 20);
    EXPECT_EQ(a["velocityFlag"], true);
    EXPECT_EQ(a["latestNps"]["score"], 9);
    EXPECT_EQ(a["channels"], json({"in_store_kiosk", "server", "web"}));
    for (const char* key : {"profileId", "memberId", "firstInitial"}) {
        a.erase(key);
        b.erase(key);
    }
    EXPECT_EQ(a, b);  // points, tier, stage, last visits by channel, NPS, flags, next step
    const auto metrics = get("/metrics", hub().headOfficeToken());
    EXPECT_NE(metrics.body.find("touchpoint_hub_profile_merges_total 2"), std::string::npos) << metrics.body;
}

TEST_F(HUB_SUITE, AliasJoinsAnonymousHistoryToTheUser) {
    const auto t = m_clock.utcMs();
    const json viewed = {{"type", "track"}, {"messageId", "pv-1"}, {"timestamp", formatIsoUtcMs(t)},
                         {"anonymousId", "anon-9"}, {"event", "Product Viewed"}, {"properties", {{"sku", "A1"}}}};
    ASSERT_EQ(send({viewed, webIdentify("id-9", t + 1, "", "user-9", {{"email", "z@example.com"}})}),
              (std::vector<std::string>{"accepted", "accepted"}));
    EXPECT_EQ(lookup("email=z@example.com")["journeyStage"], "awareness");
    const json alias = {{"type", "alias"}, {"messageId", "al-9"}, {"timestamp", formatIsoUtcMs(t + 2)},
                        {"previousId", "anon-9"}, {"userId", "user-9"}};
    ASSERT_EQ(send({alias}), std::vector<std::string>{"accepted"});
    EXPECT_EQ(lookup("email=z@example.com")["journeyStage"], "consideration");
}

TEST_F(HUB_SUITE, CooldownIsAppliedByCaptureTimeIncludingLateOfflineCheckins) {
    auto k = kiosk("store-1", "k1", m_clock);
    const auto t0 = m_clock.utcMs();
    auto signinAt = [&](std::int64_t at, bool isNew) {
        m_clock.setUtcMs(at);
        return wire(k.signin("s-" + std::to_string(at), "en-US", event::SigninMethod::Phone, kPhone, isNew));
    };
    auto points = [&] { return lookup("phone=%2B12025550123")["points"].get<int>(); };
    ASSERT_EQ(send({signinAt(t0, true)}), std::vector<std::string>{"accepted"});
    EXPECT_EQ(points(), 10);
    send({signinAt(t0 + kHour, false)});
    EXPECT_EQ(points(), 10);  // within 3 h
    send({signinAt(t0 + 4 * kHour, false)});
    EXPECT_EQ(points(), 20);
    // An offline check-in captured at t0+2h arrives last: within 3 h of earning check-ins on both sides.
    send({signinAt(t0 + 2 * kHour, false)});
    EXPECT_EQ(points(), 20);
    // One captured 4 h before the first arrives even later: judged by when it happened, it earns.
    send({signinAt(t0 - 4 * kHour, false)});
    EXPECT_EQ(points(), 30);
    const auto welcome = get("/v1/profiles/welcome?phone=%2B12025550123", hub().ingestToken()).json();
    EXPECT_EQ(welcome["lastCheckinAt"], formatIsoUtcMs(t0 + 4 * kHour));
    EXPECT_EQ(welcome["cooldownSeconds"], 10800);
}

TEST_F(HUB_SUITE, VelocityFlagAboveFiveCheckinsInADay) {
    auto k = kiosk("store-1", "k1", m_clock);
    for (int i = 0; i < 5; ++i) {
        m_clock.advanceMs(10 * 60'000);
        send({wire(k.signin("v" + std::to_string(i), "en-US", event::SigninMethod::Phone, kPhone, i == 0))});
    }
    EXPECT_EQ(lookup("phone=%2B12025550123")["velocityFlag"], false);
    m_clock.advanceMs(10 * 60'000);
    send({wire(k.signin("v6", "en-US", event::SigninMethod::Phone, kPhone, false))});
    EXPECT_EQ(lookup("phone=%2B12025550123")["velocityFlag"], true);
}

TEST_F(HUB_SUITE, ClockSkewIsCorrectedAndTheKioskFlagged) {
    const auto now = SystemClock::instance().utcMs();
    ManualClock fast(now + 600'000 - 5'000);  // ten minutes fast; captured 5 s before sending
    auto k = kiosk("store-9", "fast-kiosk", fast);
    ManualClock fine(now + 60'000 - 5'000);    // one minute off: not flagged
    auto k2 = kiosk("store-9", "fine-kiosk", fine);
    const auto m = wire(k.feedback("s", "en-US", answers(8), std::nullopt));
    json skewed = event::toJson(k.feedback("s", "en-US", answers(8), std::nullopt), now + 600'000);
    json ok = event::toJson(k2.feedback("s", "en-US", answers(8), std::nullopt), now + 60'000);
    ASSERT_EQ(send({skewed, ok}), (std::vector<std::string>{"accepted", "accepted"}));
    const auto fleet = get("/v1/fleet", hub().headOfficeToken()).json();
    ASSERT_EQ(fleet["kiosks"].size(), 2u);
    for (const auto& kiosk : fleet["kiosks"]) {
        const auto offset = kiosk["clockOffsetMs"].get<std::int64_t>();
        if (kiosk["kiosk"] == "fast-kiosk") {
            EXPECT_TRUE(kiosk["clockSkewed"].get<bool>());
            EXPECT_NEAR(static_cast<double>(offset), 600'000.0, 60'000.0);
        } else {
            EXPECT_FALSE(kiosk["clockSkewed"].get<bool>());
        }
    }
    const auto day = formatIsoUtcMs(now).substr(0, 10);
    const auto events = get("/v1/export/events?format=json&from=" + day + "&to=" + day, hub().headOfficeToken()).json();
    ASSERT_TRUE(events.is_array());
    ASSERT_EQ(events.size(), 2u);
    for (const auto& e : events) {
        std::int64_t at = 0;
        ASSERT_TRUE(parseIsoUtcMs(e["at"].get<std::string>(), at));
        EXPECT_NEAR(static_cast<double>(at), static_cast<double>(now - 5'000), 60'000.0);  // corrected to hub time
    }
    (void)m;
}

TEST_F(HUB_SUITE, ErasureRemovesPersonalDataAndATombstoneKeepsLateEventsOut) {
    auto k = kiosk("store-1", "k1", m_clock);
    ASSERT_EQ(send({wire(k.signin("e1", "en-US", event::SigninMethod::Phone, kPhone, true)),
                    wire(k.feedback("e1", "en-US", answers(3, std::nullopt, std::nullopt, "call me on 202 555 0123"),
                                    kPhone))}),
              (std::vector<std::string>{"accepted", "accepted"}));
    const auto before = lookup("phone=%2B12025550123");
    ASSERT_TRUE(before.contains("profileId"));
    const std::string id = before["profileId"];
    EXPECT_EQ(del("/v1/profiles/" + id, hub().ingestToken()).status, 403);
    const auto erased = del("/v1/profiles/" + id, hub().headOfficeToken());
    ASSERT_EQ(erased.status, 200) << erased.body;
    EXPECT_EQ(lookup("phone=%2B12025550123")["status"], 404);
    EXPECT_EQ(del("/v1/profiles/" + id, hub().headOfficeToken()).status, 404);
    const auto fb = get("/v1/export/feedback?format=json&" + range(), hub().headOfficeToken()).json();
    ASSERT_EQ(fb.size(), 1u);
    EXPECT_TRUE(fb[0]["comment"].is_null());
    EXPECT_TRUE(fb[0]["profileId"].is_null());
    const auto stats = get("/v1/stats?" + range(), hub().headOfficeToken()).json();
    EXPECT_EQ(stats["overall"]["nps"]["responses"], 1);  // the score stays, the person goes

    // A check-in queued offline before the erasure arrives afterwards: stored as a fact, no profile comes back.
    m_clock.advanceMs(kHour);
    EXPECT_EQ(send({wire(k.signin("e2", "en-US", event::SigninMethod::Phone, kPhone, false))}),
              std::vector<std::string>{"accepted"});
    EXPECT_EQ(lookup("phone=%2B12025550123")["status"], 404);
    EXPECT_EQ(get("/v1/profiles/welcome?phone=%2B12025550123", hub().ingestToken()).json()["found"], false);
    const auto events = get("/v1/export/events?format=json&" + range(), hub().headOfficeToken()).body;
    EXPECT_EQ(events.find("+12025550123"), std::string::npos);
}

TEST_F(HUB_SUITE, AuthScopesAndRevocation) {
    EXPECT_EQ(get("/healthz", "").status, 200);
    const std::string body = json{{"batch", json::array()}}.dump();
    EXPECT_EQ(post("/v1/batch", body, "").status, 401);
    const auto unknown = post("/v1/batch", body, "tpk_not-a-token");
    EXPECT_EQ(unknown.status, 401);
    EXPECT_EQ(unknown.json()["error"], "unknown token");
    EXPECT_EQ(post("/v1/batch", body, hub().lookupToken()).status, 403);
    EXPECT_EQ(post("/v1/batch", body, hub().ingestToken()).status, 200);
    EXPECT_EQ(get("/v1/profiles/welcome?member=nobody", hub().ingestToken(), /*basic=*/true).status, 200);
    EXPECT_EQ(get("/v1/profiles/lookup?member=nobody", hub().ingestToken()).status, 403);
    EXPECT_EQ(get("/v1/stats", hub().ingestToken()).status, 403);
    EXPECT_EQ(get("/v1/stats", hub().headOfficeToken()).status, 200);
    EXPECT_EQ(get("/metrics", "").status, 401);
    EXPECT_EQ(get("/v1/fleet", hub().lookupToken()).status, 403);

    std::string kioskName, lookupName;
    const auto tokens = hub().store().listTokens().value();
    for (const auto& t : tokens) {
        if (t.scope == "ingest") kioskName = t.name;
        if (t.scope == "lookup") lookupName = t.name;
    }
    ASSERT_TRUE(hub().store().revokeToken(kioskName).value());
    const auto revoked = post("/v1/batch", body, hub().ingestToken());
    EXPECT_EQ(revoked.status, 401);
    EXPECT_EQ(revoked.json()["error"], "token revoked");

    // Each refusal of a known token is counted for it: the kiosk's two wrong-scope reads and its revoked
    // batch, the staff token's two wrong-scope calls. The unknown and missing tokens have no source.
    const auto metrics = get("/metrics", hub().headOfficeToken());
    const auto counted = [&](const std::string& source) {
        return "\ntouchpoint_hub_http_refusals_by_source_total{source=\"" + source + "\",reason=\"unauthenticated\"} ";
    };
    EXPECT_NE(metrics.body.find(counted(kioskName) + "3\n"), std::string::npos) << metrics.body;
    EXPECT_NE(metrics.body.find(counted(lookupName) + "2\n"), std::string::npos) << metrics.body;
    EXPECT_NE(metrics.body.find("\ntouchpoint_hub_http_refusals_total{reason=\"unauthenticated\"} 8\n"), std::string::npos)
        << metrics.body;
}

TEST_F(HUB_SUITE, HealthIsDegradedWhileStoreWritesFailAndRecovers) {
    const auto batch = [&](const std::string& id) {
        return json{{"batch", json::array({webIdentify(id, m_clock.utcMs(), "anon-" + id, "user-" + id, json::object())})}}.dump();
    };
    ASSERT_EQ(post("/v1/batch", batch("h1"), hub().ingestToken()).status, 200);
    EXPECT_EQ(get("/healthz", "").json()["status"], "ok");

    // Writes start failing (what a full disk or a lost database looks like to the hub): the batch gets a 503
    // and no receipt, and /healthz says why until a write succeeds again.
    breakStoreWrites(hub());
    const auto refused = post("/v1/batch", batch("h2"), hub().ingestToken());
    EXPECT_EQ(refused.status, 503);
    EXPECT_FALSE(refused.json().contains("receipts"));
    const auto health = get("/healthz", "");
    EXPECT_EQ(health.status, 503);
    EXPECT_EQ(health.json()["status"], "degraded");
    EXPECT_NE(health.json()["reason"].get<std::string>().find("store writes failing"), std::string::npos) << health.body;

    restoreStoreWrites(hub());
    EXPECT_EQ(post("/v1/batch", batch("h2"), hub().ingestToken()).status, 200);
    const auto back = get("/healthz", "");
    EXPECT_EQ(back.status, 200);
    EXPECT_EQ(back.json()["status"], "ok");
}

TEST_F(HUB_SUITE, HostileInputGetsAClearErrorAndLosesNothing) {
    const auto& token = hub().ingestToken();
    auto expectJsonError = [](const Reply& r, int status) {
        EXPECT_EQ(r.status, status) << r.body;
        const auto j = r.json();
        EXPECT_TRUE(j.is_object() && j.contains("error")) << r.body;
    };
    expectJsonError(post("/v1/batch", std::string(600 * 1024, 'a'), token), 413);
    expectJsonError(post("/v1/batch", std::string(5 * 1024 * 1024, '0'), token, /*gzip=*/true), 413);
    {
        auto c = httplib::SSLClient("127.0.0.1", hub().port());
        c.set_ca_cert_path(hub().caFile().c_str());
        c.enable_server_certificate_verification(true);
        c.set_bearer_token_auth(token.c_str());
        auto r = c.Post("/v1/batch", {{"Content-Encoding", "gzip"}}, std::string("\x1f\x8b not really gzip"),
                        "application/json");
        ASSERT_TRUE(r);
        expectJsonError(Reply{r->status, r->body}, 400);
    }
    expectJsonError(post("/v1/batch", "<html><body>Please sign in to the Wi-Fi</body></html>", token), 400);
    expectJsonError(post("/v1/batch", R"({"batch": "nope"})", token), 400);
    expectJsonError(post("/v1/batch", "{\"batch\": [", token), 400);

    auto k = kiosk("store-1", "k1", m_clock);
    const auto good = wire(k.feedback("h1", "en-US", answers(10), std::nullopt));
    std::string deep = "0";
    for (int i = 0; i < 5000; ++i) deep = "[" + deep + "]";
    const std::string deepMsg = R"({"type":"track","messageId":"deep","timestamp":"2026-11-19T10:00:00Z","anonymousId":"a","event":"E","properties":{"x":)" +
                                deep + "}}";
    const std::string badUtf8 = "{\"type\":\"track\",\"messageId\":\"utf\",\"timestamp\":\"2026-11-19T10:00:00Z\","
                                "\"anonymousId\":\"a\",\"event\":\"caf\xe9\"}";
    json wrongTypes = good;
    wrongTypes["messageId"] = "types";
    wrongTypes["userId"] = json::object();
    json huge = good;
    huge["messageId"] = "huge";
    huge["properties"]["blob"] = std::string(40 * 1024, 'x');
    json html = good;
    html["messageId"] = "html";
    html["properties"]["note"] = "<script>alert(1)</script>";
    const std::string body = "{\"batch\":[" + good.dump() + "," + deepMsg + "," + badUtf8 + "," + wrongTypes.dump() +
                             "," + huge.dump() + "," + html.dump() + "]}";
    const auto r = post("/v1/batch", body, token, true);
    ASSERT_EQ(r.status, 200) << r.body;
    const auto receipts = r.json()["receipts"];
    ASSERT_EQ(receipts.size(), 6u);
    EXPECT_EQ(receipts[0]["status"], "accepted");
    EXPECT_EQ(receipts[1]["status"], "rejected");
    EXPECT_EQ(receipts[2]["reason"], "message: invalid UTF-8");
    EXPECT_EQ(receipts[3]["reason"], "userId: expected a string");
    EXPECT_EQ(receipts[4]["reason"], "message: larger than 32 KB");
    EXPECT_EQ(receipts[5]["status"], "accepted");  // markup is data: stored as text, never rendered here
    EXPECT_EQ(hub().store().countEvents().value(), 2);
    EXPECT_EQ(get("/v1/stats?from=2026-13-01", hub().headOfficeToken()).status, 400);
    EXPECT_EQ(get("/v1/profiles/lookup?phone=12", hub().lookupToken()).status, 400);
}

}  // namespace
}  // namespace touchpoint::hub::testing
