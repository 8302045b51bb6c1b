#include <gtest/gtest.h>

#include "common/uuid.hpp"
#include "event/kiosk_events.hpp"
#include "event/message.hpp"

namespace touchpoint::event {
namespace {

struct Fixture : ::testing::Test {
    KeyPair keys = generateSealingKeyPair();
    ManualClock clock{1'763'869'245'123, 5000};
    KioskEventFactory factory{DeviceIdentity{"store-1", "kiosk-1", "America/New_York", "0.1.0", "boot-1"},
                              *Sealer::fromPublicKeyB64(keys.publicKeyB64),
                              *IdentityHasher::fromKeyB64(IdentityHasher::generateKeyB64()), clock};
};

TEST_F(Fixture, SigninSealsThePhoneAndKeepsItsHash) {
    const Message m = factory.signin("sess-1", "en-US", SigninMethod::Phone,
                                     Identity{Identity::Type::Phone, "+15555550123"}, false);
    EXPECT_TRUE(isUuid(m.messageId));
    EXPECT_EQ(m.kind, EventKind::Signin);
    EXPECT_EQ(m.priority, Priority::Protected);
    EXPECT_EQ(m.timestampMs, 1'763'869'245'123);
    ASSERT_EQ(m.identityHashes.size(), 1U);
    const std::string wire = toJson(m).dump();
    EXPECT_EQ(wire.find("5555550123"), std::string::npos) << wire;
    EXPECT_NE(wire.find("\"properties.phone\""), std::string::npos);
    EXPECT_NE(wire.find("\"storeId\":\"store-1\""), std::string::npos);
    EXPECT_NE(wire.find("\"channel\":\"in_store_kiosk\""), std::string::npos);
    EXPECT_EQ(wire.find("identityHashes"), std::string::npos);  // local only

    Unsealer u;
    ASSERT_TRUE(u.addSecretKeyB64(keys.secretKeyB64));
    EXPECT_EQ(*u.open(m.sealed.at("properties.phone")), "+15555550123");
}

TEST_F(Fixture, MessageIdsAreTimeOrderedUuids) {
    // The hub's dedupe index is keyed by message id: ids that grow with capture time are written at its end.
    const Message first = factory.heartbeat({{"state", "online"}});
    clock.advanceMs(1);
    const Message second = factory.heartbeat({{"state", "online"}});
    EXPECT_TRUE(isUuid(first.messageId));
    EXPECT_EQ(first.messageId[14], '7') << first.messageId;  // version nibble
    EXPECT_LT(first.messageId, second.messageId);
    EXPECT_EQ(first.messageId.substr(0, 13), "019aaecc-bec3");  // 48-bit Unix ms of the capture, in hex
}

TEST_F(Fixture, JsonRoundTripKeepsEveryWireField) {
    FeedbackAnswers a;
    a.surveyId = "store-visit";
    a.nps = 9;
    a.reasons = {"staff"};
    a.comment = "lovely staff, call me on 555-0199";
    Message m = factory.feedback("sess-2", "fr-FR", a, Identity{Identity::Type::Member, "M-77"});
    m.context.sequence = 17;
    auto back = fromJson(toJson(m, 1'763'869'246'000));
    ASSERT_TRUE(back) << back.error();
    EXPECT_EQ(back->messageId, m.messageId);
    EXPECT_EQ(back->timestampMs, m.timestampMs);
    EXPECT_EQ(back->event, std::string(names::kFeedback));
    EXPECT_EQ(back->userId, "M-77");
    EXPECT_EQ(back->context.sequence, 17);
    EXPECT_EQ(back->context.locale, "fr-FR");
    EXPECT_EQ(back->properties["answers"]["nps"], 9);
    EXPECT_EQ(back->sealed.size(), 1U);
    EXPECT_EQ(toJson(m).dump().find("lovely"), std::string::npos);
}

TEST_F(Fixture, PrioritiesOrderEviction) {
    EXPECT_LT(defaultPriority(EventKind::Heartbeat), defaultPriority(EventKind::FeedbackAbandoned));
    EXPECT_LT(defaultPriority(EventKind::FeedbackAbandoned), defaultPriority(EventKind::Feedback));
    EXPECT_EQ(defaultPriority(EventKind::Consent), Priority::Protected);
    EXPECT_EQ(*eventKindFromString("feedback_abandoned"), EventKind::FeedbackAbandoned);
    EXPECT_FALSE(fromJson(nlohmann::json::parse(R"({"type":"page"})")));
}

TEST(Identity, ParsesTypedIdentifiers) {
    auto p = parseIdentity("email:A@B.Example");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->type, Identity::Type::Email);
    EXPECT_EQ(p->value, "a@b.example");
    EXPECT_FALSE(parseIdentity("fax:123"));
    EXPECT_FALSE(parseIdentity("phone:"));
}

}  // namespace
}  // namespace touchpoint::event
