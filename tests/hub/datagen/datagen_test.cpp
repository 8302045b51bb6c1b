// touchpoint-datagen's scenario (repeatable, sealed like a kiosk seals, SDK-shaped web and app messages) and
// its sender against a real in-process hub over HTTPS (everything accepted once, a second run all duplicates).
#include <gtest/gtest.h>

#include <set>

#include "event/sealing.hpp"
#include "hub/datagen/scenario.hpp"
#include "hub/datagen/sender.hpp"
#include "hub/ephemeral_hub.hpp"

namespace touchpoint::hub::datagen {
namespace {

using nlohmann::json;

ScenarioOptions smallOptions(const std::string& publicKey, std::uint64_t seed = 5) {
    ScenarioOptions o;
    o.stores = 4;
    o.kiosksPerStore = 2;
    o.days = 3;
    o.seed = seed;
    o.nowMs = 1'795'000'000'000;  // a fixed "now" so runs compare
    o.sealingPublicKeyB64 = publicKey;
    o.sessionsPerKioskDay = 10;
    return o;
}

json withoutCiphertexts(json m) {
    m.erase("sealed");  // sealed boxes are randomised on purpose; their keys (paths) are compared separately
    return m;
}

TEST(DatagenScenario, SameSeedGivesTheSameMessagesAndIds) {
    const auto keys = event::generateSealingKeyPair();
    auto a = buildScenario(smallOptions(keys.publicKeyB64));
    auto b = buildScenario(smallOptions(keys.publicKeyB64));
    auto c = buildScenario(smallOptions(keys.publicKeyB64, 6));
    ASSERT_TRUE(a.ok() && b.ok() && c.ok());
    ASSERT_EQ(a->messages.size(), b->messages.size());
    ASSERT_GT(a->messages.size(), 500u);
    for (std::size_t i = 0; i < a->messages.size(); ++i) {
        ASSERT_EQ(withoutCiphertexts(a->messages[i].message), withoutCiphertexts(b->messages[i].message)) << i;
        if (a->messages[i].message.contains("sealed")) {
            for (const auto& [path, v] : a->messages[i].message["sealed"].items()) {
                EXPECT_TRUE(b->messages[i].message["sealed"].contains(path));
            }
        }
    }
    EXPECT_NE(a->messages[0].message["messageId"], c->messages[0].message["messageId"]);
}

TEST(DatagenScenario, PersonalFieldsAreSealedToTheHubKeyAndOpen) {
    const auto keys = event::generateSealingKeyPair();
    auto s = buildScenario(smallOptions(keys.publicKeyB64));
    ASSERT_TRUE(s.ok());
    event::Unsealer unsealer;
    ASSERT_TRUE(unsealer.addSecretKeyB64(keys.secretKeyB64).ok());
    int phones = 0, emails = 0, comments = 0;
    for (const auto& o : s->messages) {
        const json& m = o.message;
        if (!m.contains("sealed")) continue;
        for (const auto& [path, sealed] : m["sealed"].items()) {
            auto plain = unsealer.open(sealed.get<std::string>());
            ASSERT_TRUE(plain.ok()) << path << ": " << plain.error();
            if (path == "properties.phone") {
                ++phones;
                EXPECT_EQ(plain->rfind("+1", 0), 0u) << *plain;
                EXPECT_EQ(plain->size(), 12u) << *plain;
            } else if (path == "properties.email") {
                ++emails;
                EXPECT_NE(plain->find("@example.com"), std::string::npos);
            } else if (path == "properties.comment") {
                ++comments;
            }
        }
        // Nothing personal in the clear on a kiosk message.
        const std::string text = m.dump();
        EXPECT_EQ(text.find("@example.com"), std::string::npos);
    }
    EXPECT_GT(phones, 0);
    EXPECT_GT(emails, 0);
    EXPECT_GT(comments, 0);
}

TEST(DatagenScenario, WebAndAppMessagesLookLikeTheirSdksAndSomeAreResent) {
    const auto keys = event::generateSealingKeyPair();
    auto s = buildScenario(smallOptions(keys.publicKeyB64));
    ASSERT_TRUE(s.ok());
    int web = 0, app = 0, kiosk = 0, resent = 0;
    std::set<std::string> seen;
    for (const auto& o : s->messages) {
        const json& m = o.message;
        const std::string id = m.at("messageId");
        if (o.duplicate) {
            ++resent;
            EXPECT_TRUE(seen.count(id)) << "a re-send repeats an earlier message";
        } else {
            EXPECT_TRUE(seen.insert(id).second) << "fresh messages have fresh ids";
        }
        if (o.sender == "web") {
            ++web;
            EXPECT_FALSE(m.contains("context"));
        } else if (o.sender == "app") {
            ++app;
            EXPECT_TRUE(m["context"].contains("app"));
            EXPECT_TRUE(m["context"].contains("device"));
        } else {
            ++kiosk;
            EXPECT_EQ(m["context"]["channel"], "in_store_kiosk");
            EXPECT_EQ(m["context"]["kioskId"], o.sender);
        }
        EXPECT_TRUE(m.contains("userId") || m.contains("anonymousId"));
    }
    EXPECT_GT(web, 0);
    EXPECT_GT(app, 0);
    EXPECT_GT(kiosk, web);
    EXPECT_GT(resent, 0);
    EXPECT_EQ(s->kioskIds.size(), 8u);
}

TEST(DatagenScenario, BadOptionsAreNamed) {
    const auto keys = event::generateSealingKeyPair();
    auto o = smallOptions(keys.publicKeyB64);
    o.stores = 0;
    EXPECT_EQ(buildScenario(o).error(), "--stores: 1 to 99");
    o = smallOptions("not a key");
    EXPECT_EQ(buildScenario(o).error().rfind("--sealing-key: ", 0), 0u);
    o = smallOptions(keys.publicKeyB64);
    o.days = 0;
    EXPECT_EQ(buildScenario(o).error(), "--days: 1 to 366");
}

TEST(DatagenAgainstHub, EverythingIsAcceptedOnceAndASecondRunIsAllDuplicates) {
    auto hub = EphemeralHub::start();
    ASSERT_TRUE(hub.ok()) << hub.error();
    auto options = smallOptions((*hub)->sealingPublicKeyB64());
    options.nowMs = SystemClock::instance().utcMs();
    auto s = buildScenario(options);
    ASSERT_TRUE(s.ok());
    std::int64_t resent = 0;
    for (const auto& o : s->messages) resent += o.duplicate ? 1 : 0;

    // Every simulated device with its own token, as a real fleet has: no shared token.
    SendOptions send;
    send.hubUrl = (*hub)->url();
    send.caFile = (*hub)->caFile().string();
    for (const auto& o : s->messages) {
        if (send.senderTokens.count(o.sender)) continue;
        const auto context = o.message.value("context", nlohmann::json::object());
        send.senderTokens[o.sender] = o.sender == "web" || o.sender == "app"
                                          ? (*hub)->token(o.sender)
                                          : (*hub)->kioskToken(context.value("storeId", ""), o.sender);
    }
    auto first = sendScenario(*s, send);
    ASSERT_TRUE(first.ok()) << first.error();
    EXPECT_EQ(first->rejected, 0) << (first->rejectReasons.empty() ? "" : first->rejectReasons.begin()->first);
    EXPECT_EQ(first->duplicate, resent);
    EXPECT_EQ(first->accepted, static_cast<std::int64_t>(s->messages.size()) - resent);

    auto second = sendScenario(*s, send);
    ASSERT_TRUE(second.ok()) << second.error();
    EXPECT_EQ(second->accepted, 0);
    EXPECT_EQ(second->duplicate, static_cast<std::int64_t>(s->messages.size()));

    // What the hub made of it: every kiosk in the fleet, every sign-in counted.
    auto& ctx = (*hub)->server().context();
    auto fleet = ctx.fleet();
    ASSERT_TRUE(fleet.ok());
    EXPECT_EQ(fleet->size(), s->kioskIds.size());
    const std::string to = formatIsoUtcMs(options.nowMs).substr(0, 10);
    const std::string from = formatIsoUtcMs(options.nowMs - 4LL * 86'400'000).substr(0, 10);
    auto stats = ctx.stats(from, to, std::nullopt);
    ASSERT_TRUE(stats.ok());
    EXPECT_EQ(stats->overall.signins, s->countsByEvent["Loyalty Signed In"]);
    EXPECT_EQ(stats->overall.newMembers, s->countsByEvent["Consent Given"]);

    // The wrong CA is refused before anything is sent.
    SendOptions wrongCa = send;
    wrongCa.caFile = "/etc/ssl/certs/ca-certificates.crt";
    auto refused = sendScenario(*s, wrongCa);
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.error().find("POST /v1/batch"), std::string::npos);
}

}  // namespace
}  // namespace touchpoint::hub::datagen
