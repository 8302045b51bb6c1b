#include <gtest/gtest.h>

#include "event/sealing.hpp"

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
