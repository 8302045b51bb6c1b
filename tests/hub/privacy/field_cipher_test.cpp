// Personal fields sealed at rest (hub/privacy/field_cipher.hpp): a sealed value opens only in its own column
// under a key the hub holds, retired keys included, and anything else is a clear error.

#include "hub/privacy/field_cipher.hpp"

#include <gtest/gtest.h>

namespace touchpoint::hub::privacy {
namespace {

constexpr const char* kKeyA = "dka 7pVbNWZwXK8AUpTRsuWzJHqGVLD8D3WGZeBXBI4EX2Q=";
constexpr const char* kKeyB = "dkb QmZ8l3r4xzh6cE8jYJqZb0rFt5m3WcTq2vY1x9Kp7sU=";

FieldCipher cipherOf(const std::string& keyFile) {
    auto keys = DataKeys::parse(keyFile, "k.key");
    EXPECT_TRUE(keys) << keys.error();
    return FieldCipher(*keys);
}

TEST(FieldCipher, RoundTripHidesTheValueAndNamesItsKey) {
    const auto cipher = cipherOf(kKeyA);
    const std::string comment = "call me on +44 7700 900123, jane.doe@example.org";
    const auto sealed = cipher.seal(columns::kFeedbackComment, comment);
    EXPECT_EQ(sealed.rfind("tpf1:dka:", 0), 0u) << sealed;
    EXPECT_EQ(sealed.find("jane"), std::string::npos);
    EXPECT_EQ(sealed.find("7700"), std::string::npos);
    EXPECT_EQ(FieldCipher::keyIdOf(sealed), "dka");
    EXPECT_NE(cipher.seal(columns::kFeedbackComment, comment), sealed) << "a fresh nonce per value";
    auto opened = cipher.open(columns::kFeedbackComment, sealed);
    ASSERT_TRUE(opened) << opened.error();
    EXPECT_EQ(*opened, comment);
    auto empty = cipher.open(columns::kFeedbackComment, cipher.seal(columns::kFeedbackComment, ""));
    ASSERT_TRUE(empty) << empty.error();
    EXPECT_EQ(*empty, "");
}

TEST(FieldCipher, TamperedValueIsRefused) {
    const auto cipher = cipherOf(kKeyA);
    auto sealed = cipher.seal(columns::kEventPayload, R"({"properties":{"email":"a@b.example"}})");
    const std::size_t at = sealed.size() / 2 + 3;
    sealed[at] = sealed[at] == 'A' ? 'B' : 'A';
    auto opened = cipher.open(columns::kEventPayload, sealed);
    ASSERT_FALSE(opened);
    EXPECT_NE(opened.error().find("does not open"), std::string::npos) << opened.error();
    auto truncated = cipher.open(columns::kEventPayload, "tpf1:dka:AAAA");
    ASSERT_FALSE(truncated);
    EXPECT_NE(truncated.error().find("malformed"), std::string::npos) << truncated.error();
    EXPECT_FALSE(cipher.open(columns::kEventPayload, "tpf1:dka:@@not base64@@"));
    EXPECT_FALSE(cipher.open(columns::kEventPayload, "tpf1:"));
    EXPECT_FALSE(cipher.open(columns::kEventPayload, "tpf1::AAAA"));
}

TEST(FieldCipher, ValueMovedToAnotherColumnDoesNotOpen) {
    const auto cipher = cipherOf(kKeyA);
    const auto sealed = cipher.seal(columns::kContactValue, "+447700900123");
    auto moved = cipher.open(columns::kFeedbackComment, sealed);
    ASSERT_FALSE(moved);
    EXPECT_NE(moved.error().find("feedback.comment"), std::string::npos) << moved.error();
    EXPECT_EQ(moved.error().find("+447700900123"), std::string::npos) << "never the value in an error";
}

TEST(FieldCipher, RetiredKeyStillOpensAndTheCurrentOneSeals) {
    const auto old = cipherOf(kKeyA);
    const auto sealedBefore = old.seal(columns::kCaseNoteText, "rang the shopper back");
    const auto rotated = cipherOf(std::string(kKeyB) + "\n" + kKeyA + "\n");
    auto opened = rotated.open(columns::kCaseNoteText, sealedBefore);
    ASSERT_TRUE(opened) << opened.error();
    EXPECT_EQ(*opened, "rang the shopper back");
    EXPECT_EQ(FieldCipher::keyIdOf(rotated.seal(columns::kCaseNoteText, "x")), "dkb");
    EXPECT_EQ(rotated.currentKeyId(), "dkb");
}

TEST(FieldCipher, UnknownKeyIdIsAClearError) {
    const auto a = cipherOf(kKeyA);
    const auto b = cipherOf(kKeyB);
    auto opened = b.open(columns::kGroupTraits, a.seal(columns::kGroupTraits, R"({"name":"Acme"})"));
    ASSERT_FALSE(opened);
    EXPECT_EQ(opened.error(),
              "account_groups.traits: sealed under key dka, which is not in this hub's data key file");
    // The same id with other key bytes: the value does not authenticate.
    const auto impostor = cipherOf("dka QmZ8l3r4xzh6cE8jYJqZb0rFt5m3WcTq2vY1x9Kp7sU=");
    EXPECT_FALSE(impostor.open(columns::kGroupTraits, a.seal(columns::kGroupTraits, "{}")));
}

TEST(FieldCipher, PlaintextFromBeforeEncryptionIsToldApart) {
    const auto cipher = cipherOf(kKeyA);
    EXPECT_FALSE(FieldCipher::looksSealed(R"({"erased":true})"));
    EXPECT_EQ(FieldCipher::keyIdOf("plain comment"), "");
    auto plain = cipher.reveal(columns::kFeedbackComment, "an old comment");
    ASSERT_TRUE(plain);
    EXPECT_EQ(*plain, "an old comment");
    EXPECT_FALSE(cipher.open(columns::kFeedbackComment, "an old comment"));
    auto sealed = cipher.reveal(columns::kFeedbackComment, cipher.seal(columns::kFeedbackComment, "new"));
    ASSERT_TRUE(sealed);
    EXPECT_EQ(*sealed, "new");
}

}  // namespace
}  // namespace touchpoint::hub::privacy
