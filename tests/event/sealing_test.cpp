#include <gtest/gtest.h>

#include "event/sealing.hpp"

#include <string>
#include <thread>
#include <vector>

namespace touchpoint::event {
namespace {

TEST(Sealing, OnlyTheSecretKeyOpensASealedValue) {
    const KeyPair kp = generateSealingKeyPair();
    auto sealer = Sealer::fromPublicKeyB64(kp.publicKeyB64);
    ASSERT_TRUE(sealer) << sealer.error();
    const std::string sealed = sealer->seal("+15555550123");
    EXPECT_EQ(sealed.find("+15555550123"), std::string::npos);
    EXPECT_EQ(sealed.substr(0, sealer->keyId().size() + 1), sealer->keyId() + ":");

    Unsealer unsealer;
    ASSERT_TRUE(unsealer.addSecretKeyB64(kp.secretKeyB64));
    auto opened = unsealer.open(sealed);
    ASSERT_TRUE(opened) << opened.error();
    EXPECT_EQ(*opened, "+15555550123");

    Unsealer other;
    ASSERT_TRUE(other.addSecretKeyB64(generateSealingKeyPair().secretKeyB64));
    auto refused = other.open(sealed);
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().find("unknown key"), std::string::npos);
}

TEST(Sealing, RotatedKeysStillOpenOldData) {
    const KeyPair oldKp = generateSealingKeyPair();
    const KeyPair newKp = generateSealingKeyPair();
    const std::string oldSealed = Sealer::fromPublicKeyB64(oldKp.publicKeyB64)->seal("old");
    const std::string newSealed = Sealer::fromPublicKeyB64(newKp.publicKeyB64)->seal("new");
    Unsealer u;
    ASSERT_TRUE(u.addSecretKeyB64(oldKp.secretKeyB64));
    ASSERT_TRUE(u.addSecretKeyB64(newKp.secretKeyB64));
    EXPECT_EQ(*u.open(oldSealed), "old");
    EXPECT_EQ(*u.open(newSealed), "new");
}

TEST(Sealing, TamperedOrMalformedValuesAreRefusedWithAReason) {
    const KeyPair kp = generateSealingKeyPair();
    std::string sealed = Sealer::fromPublicKeyB64(kp.publicKeyB64)->seal("secret");
    Unsealer u;
    ASSERT_TRUE(u.addSecretKeyB64(kp.secretKeyB64));
    sealed[sealed.size() - 5] = sealed[sealed.size() - 5] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(u.open(sealed));
    EXPECT_FALSE(u.open("no-colon-here"));
    EXPECT_FALSE(Sealer::fromPublicKeyB64("short"));
    EXPECT_FALSE(u.addSecretKeyB64("!!!"));
}

std::string sessionKeyOf(const std::string& sealed) {
    const auto first = sealed.find(':');
    const auto second = sealed.find(':', first + 1);
    return second == std::string::npos ? std::string() : sealed.substr(first + 1, second - first - 1);
}

TEST(Sealing, ValuesOfOneSessionCostTheHubOneKeyAgreement) {
    const KeyPair kp = generateSealingKeyPair();
    auto sealer = Sealer::fromPublicKeyB64(kp.publicKeyB64);
    ASSERT_TRUE(sealer) << sealer.error();
    const Sealer copy = *sealer;  // a second event factory of the same kiosk
    const std::string a = sealer->seal("+15555550123");
    const std::string b = copy.seal("+15555550123");
    EXPECT_EQ(sessionKeyOf(a).size(), 44U);
    EXPECT_EQ(sessionKeyOf(a), sessionKeyOf(b));
    EXPECT_NE(a, b);  // a fresh nonce for each value
    EXPECT_EQ(a.find("+15555550123"), std::string::npos);

    Unsealer u;
    ASSERT_TRUE(u.addSecretKeyB64(kp.secretKeyB64));
    EXPECT_EQ(*u.open(a), "+15555550123");
    EXPECT_EQ(*u.open(b), "+15555550123");
    EXPECT_EQ(u.sessionAgreements(), 1U);

    const auto other = Sealer::fromPublicKeyB64(kp.publicKeyB64);  // another kiosk: its own session
    EXPECT_NE(sessionKeyOf(other->seal("x")), sessionKeyOf(a));
    EXPECT_EQ(*u.open(other->seal("comment")), "comment");
    EXPECT_EQ(u.sessionAgreements(), 2U);
}

TEST(Sealing, TheSessionKeyIsReplacedWhenItsLifetimeEnds) {
    const KeyPair kp = generateSealingKeyPair();
    const auto sealer = Sealer::fromPublicKeyB64(kp.publicKeyB64, std::chrono::seconds(0));
    ASSERT_TRUE(sealer);
    const std::string a = sealer->seal("one");
    const std::string b = sealer->seal("two");
    EXPECT_NE(sessionKeyOf(a), sessionKeyOf(b));
    Unsealer u;
    ASSERT_TRUE(u.addSecretKeyB64(kp.secretKeyB64));
    EXPECT_EQ(*u.open(a), "one");
    EXPECT_EQ(*u.open(b), "two");
    EXPECT_EQ(u.sessionAgreements(), 2U);
}

TEST(Sealing, SealedBoxesFromEarlierKiosksStillOpen) {
    const KeyPair kp = generateSealingKeyPair();
    const auto sealer = Sealer::fromPublicKeyB64(kp.publicKeyB64);
    const std::string box = sealer->sealBox("queued before the upgrade");
    EXPECT_EQ(sessionKeyOf(box), "");
    Unsealer u;
    ASSERT_TRUE(u.addSecretKeyB64(kp.secretKeyB64));
    EXPECT_EQ(*u.open(box), "queued before the upgrade");
    EXPECT_EQ(u.sessionAgreements(), 0U);
}

TEST(Sealing, ForgedSessionValuesAreRefusedAndNotRemembered) {
    const KeyPair kp = generateSealingKeyPair();
    const auto sealer = Sealer::fromPublicKeyB64(kp.publicKeyB64);
    Unsealer u;
    ASSERT_TRUE(u.addSecretKeyB64(kp.secretKeyB64));
    const std::string good = sealer->seal("secret");
    const std::string keyId = good.substr(0, good.find(':'));
    const std::string session = sessionKeyOf(good);
    const std::string box = good.substr(keyId.size() + 1 + session.size() + 1);

    // A character inside the box, not one next to the padding, whose low bits must stay zero in canonical base64.
    std::string tampered = good;
    const std::size_t at = good.rfind(':') + 1 + 20;
    tampered[at] = tampered[at] == 'A' ? 'B' : 'A';
    auto r = u.open(tampered);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().find("does not open"), std::string::npos) << r.error();
    EXPECT_EQ(u.sessionAgreements(), 0U);  // a value that did not open leaves nothing behind

    r = u.open(keyId + ":c2hvcnQ=:" + box);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().find("session key is not 32 bytes"), std::string::npos) << r.error();
    r = u.open(keyId + ":" + std::string(43, 'A') + "=:" + box);  // the all-zero point: no agreement possible
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().find("not a usable X25519 key"), std::string::npos) << r.error();
    r = u.open(keyId + ":" + session + ":AAAA");
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().find("too short"), std::string::npos) << r.error();
    r = u.open(keyId + ":" + session + ":!!");
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().find("not base64"), std::string::npos) << r.error();
    // A session key sealed to another hub's key does not open here, even once this hub knows the session.
    EXPECT_EQ(*u.open(good), "secret");
    const KeyPair otherHub = generateSealingKeyPair();
    const auto stranger = Sealer::fromPublicKeyB64(otherHub.publicKeyB64)->seal("elsewhere");
    const std::string strangerBox = stranger.substr(stranger.rfind(':') + 1);
    r = u.open(keyId + ":" + session + ":" + strangerBox);
    ASSERT_FALSE(r);
    EXPECT_EQ(u.sessionAgreements(), 1U);
}

TEST(Sealing, TheHubsSessionMemoryIsBounded) {
    const KeyPair kp = generateSealingKeyPair();
    Unsealer u;
    ASSERT_TRUE(u.addSecretKeyB64(kp.secretKeyB64));
    const auto first = Sealer::fromPublicKeyB64(kp.publicKeyB64);
    ASSERT_TRUE(u.open(first->seal("first")));
    for (std::size_t i = 0; i < 2 * Unsealer::kSessionCacheSize; ++i) {
        ASSERT_TRUE(u.open(Sealer::fromPublicKeyB64(kp.publicKeyB64)->seal("v")));
    }
    const auto before = u.sessionAgreements();
    EXPECT_EQ(before, 2 * Unsealer::kSessionCacheSize + 1);
    EXPECT_EQ(*u.open(first->seal("again")), "again");  // long forgotten: agreed once more
    EXPECT_EQ(u.sessionAgreements(), before + 1);
    EXPECT_EQ(*u.open(first->seal("and again")), "and again");
    EXPECT_EQ(u.sessionAgreements(), before + 1);
}

TEST(Sealing, SealingAndOpeningFromManyThreadsAgree) {
    const KeyPair kp = generateSealingKeyPair();
    const auto sealer = Sealer::fromPublicKeyB64(kp.publicKeyB64);
    Unsealer u;
    ASSERT_TRUE(u.addSecretKeyB64(kp.secretKeyB64));
    std::vector<int> wrong(4, 0);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 500; ++i) {
                const std::string plain = std::to_string(t) + "-" + std::to_string(i);
                auto opened = u.open(sealer->seal(plain));
                if (!opened || *opened != plain) ++wrong[static_cast<std::size_t>(t)];
            }
        });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(wrong, std::vector<int>(4, 0));
    EXPECT_LE(u.sessionAgreements(), 4U);  // threads may race to agree the one session key first
    EXPECT_GE(u.sessionAgreements(), 1U);
}

TEST(Sealing, IdentityHashIsKeyedAndStable) {
    auto a = IdentityHasher::fromKeyB64(IdentityHasher::generateKeyB64());
    auto b = IdentityHasher::fromKeyB64(IdentityHasher::generateKeyB64());
    ASSERT_TRUE(a && b);
    EXPECT_EQ(a->hash("phone", "+15555550123"), a->hash("phone", "+15555550123"));
    EXPECT_NE(a->hash("phone", "+15555550123"), b->hash("phone", "+15555550123"));
    EXPECT_NE(a->hash("phone", "+15555550123"), a->hash("email", "+15555550123"));
    EXPECT_EQ(a->hash("phone", "x").size(), 32U);
}

}  // namespace
}  // namespace touchpoint::event
