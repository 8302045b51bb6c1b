// The batch parser/validator: one verdict per message, precise reasons, nothing escapes as an exception.

#include <gtest/gtest.h>

#include "common/clock.hpp"
#include "event/sealing.hpp"
#include "hub/ingest/batch_parser.hpp"

namespace touchpoint::hub {
namespace {

using nlohmann::json;

constexpr std::int64_t kNow = 1'795'000'000'000;  // 2026-11-19

json message(const std::string& id) {
    return {{"type", "track"},
            {"messageId", id},
            {"timestamp", formatIsoUtcMs(kNow - 60'000)},
            {"anonymousId", "session-1"},
            {"event", "Feedback Submitted"},
            {"properties", {{"answers", {{"nps", 9}}}}},
            {"context", {{"channel", "in_store_kiosk"}, {"storeId", "store-1"}, {"kioskId", "k1"}}}};
}

ParsedBatch parse(const std::string& body, const event::Unsealer* unsealer = nullptr) {
    ParseOptions o;
    o.receivedAtMs = kNow;
    o.unsealer = unsealer;
    auto r = parseBatch(body, o);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? std::move(r).value() : ParsedBatch{};
}

TEST(BatchParser, AcceptsValidAndRejectsEachBadMessageWithItsReason) {
    json batch = json::array();
    batch.push_back(message("ok-1"));
    auto noId = message("x");
    noId.erase("messageId");
    batch.push_back(noId);
    auto badTs = message("bad-ts");
    badTs["timestamp"] = "yesterday";
    batch.push_back(badTs);
    auto noUser = message("no-user");
    noUser.erase("anonymousId");
    batch.push_back(noUser);
    auto noEvent = message("no-event");
    noEvent.erase("event");
    batch.push_back(noEvent);
    auto wrongType = message("wrong-type");
    wrongType["properties"] = "not an object";
    batch.push_back(wrongType);
    auto unknownType = message("unknown-type");
    unknownType["type"] = "explode";
    batch.push_back(unknownType);
    batch.push_back(42);
    batch.push_back(message("ok-2"));

    const auto p = parse(json{{"batch", batch}}.dump());
    ASSERT_EQ(p.verdicts.size(), 9u);
    EXPECT_TRUE(p.verdicts[0].message.has_value());
    EXPECT_EQ(p.verdicts[1].reason, "messageId: missing or not a string");
    EXPECT_EQ(p.verdicts[2].reason, "timestamp: not RFC 3339");
    EXPECT_EQ(p.verdicts[2].messageId, "bad-ts");
    EXPECT_EQ(p.verdicts[3].reason, "userId/anonymousId: one of them is required");
    EXPECT_EQ(p.verdicts[4].reason, "event: missing or not a string");
    EXPECT_EQ(p.verdicts[5].reason, "properties: expected an object");
    EXPECT_NE(p.verdicts[6].reason.find("type: unknown type"), std::string::npos);
    EXPECT_EQ(p.verdicts[7].reason, "message: expected a JSON object");
    EXPECT_TRUE(p.verdicts[8].message.has_value());
}

TEST(BatchParser, InvalidUtf8AndDeepNestingRejectOnlyTheirMessage) {
    std::string deep = "1";
    for (int i = 0; i < 40; ++i) deep = "[" + deep + "]";
    const std::string body = "{\"batch\":[" + message("a").dump() + "," +
                             "{\"type\":\"track\",\"messageId\":\"utf\",\"timestamp\":\"2026-11-19T10:00:00Z\",\"anonymousId\":\"s\","
                             "\"event\":\"bad \xC3\x28 text\"}" +
                             "," + R"({"type":"track","messageId":"deep","timestamp":"2026-11-19T10:00:00Z","anonymousId":"s","event":"E","properties":{"x":)" +
                             deep + "}}," + message("b").dump() + "]}";
    const auto p = parse(body);
    ASSERT_EQ(p.verdicts.size(), 4u);
    EXPECT_TRUE(p.verdicts[0].message.has_value());
    EXPECT_EQ(p.verdicts[1].reason, "message: invalid UTF-8");
    EXPECT_EQ(p.verdicts[1].messageId, "utf");
    EXPECT_NE(p.verdicts[2].reason.find("nested deeper"), std::string::npos);
    EXPECT_TRUE(p.verdicts[3].message.has_value());
}

TEST(BatchParser, WholeBodyErrorsAre400Or413) {
    ParseOptions o;
    for (const std::string body : {"", "<html>captive</html>", "{\"batch\": 5}", "[1,2]", "{\"batch\":[1,2"}) {
        auto r = parseBatch(body, o);
        ASSERT_FALSE(r.ok()) << body;
        EXPECT_EQ(r.error().status, 400) << body;
    }
    auto big = parseBatch(std::string(event::kMaxBatchBytes + 1, ' '), o);
    ASSERT_FALSE(big.ok());
    EXPECT_EQ(big.error().status, 413);
}

TEST(BatchParser, OversizedMessageIsRejectedAlone) {
    auto m = message("big");
    m["properties"]["blob"] = std::string(event::kMaxMessageBytes, 'x');
    const auto p = parse(json{{"batch", {m, message("small")}}}.dump());
    ASSERT_EQ(p.verdicts.size(), 2u);
    EXPECT_EQ(p.verdicts[0].reason, "message: larger than 32 KB");
    EXPECT_TRUE(p.verdicts[1].message.has_value());
}

TEST(BatchParser, CorrectsClockSkewFromSentAt) {
    auto m = message("skewed");
    // The kiosk clock is 10 minutes fast: it captured at its 12:00:00 and sent at its 12:00:30.
    m["timestamp"] = formatIsoUtcMs(kNow + 600'000 - 30'000);
    m["sentAt"] = formatIsoUtcMs(kNow + 600'000);
    const auto p = parse(json{{"batch", {m}}}.dump());
    ASSERT_TRUE(p.verdicts[0].message.has_value());
    const auto& v = *p.verdicts[0].message;
    EXPECT_EQ(v.correctedMs, kNow - 30'000);
    EXPECT_EQ(v.clockOffsetMs.value_or(0), 600'000);
    EXPECT_EQ(json::parse(v.payloadText)["originalTimestamp"], formatIsoUtcMs(kNow + 570'000));
}

TEST(BatchParser, BatchSentAtAppliesWhenMessageHasNone) {
    auto m = message("b");
    m["timestamp"] = formatIsoUtcMs(kNow - 1000);
    const auto p = parse(json{{"batch", {m}}, {"sentAt", formatIsoUtcMs(kNow - 500)}}.dump());
    ASSERT_TRUE(p.verdicts[0].message.has_value());
    EXPECT_EQ(p.verdicts[0].message->correctedMs, kNow - 500);
}

TEST(BatchParser, OpensSealedFieldsAndRejectsUnknownKeys) {
    const auto keys = event::generateSealingKeyPair();
    const auto other = event::generateSealingKeyPair();
    event::Unsealer unsealer;
    ASSERT_TRUE(unsealer.addSecretKeyB64(keys.secretKeyB64).ok());
    auto sealer = event::Sealer::fromPublicKeyB64(keys.publicKeyB64);
    auto stranger = event::Sealer::fromPublicKeyB64(other.publicKeyB64);
    auto good = message("sealed");
    good["sealed"] = {{"properties.phone", sealer->seal("+15555550123")}};
    auto unknown = message("unknown-key");
    unknown["sealed"] = {{"properties.phone", stranger->seal("+15555550123")}};
    auto badPath = message("bad-path");
    badPath["sealed"] = {{"userId", sealer->seal("x")}};
    const auto p = parse(json{{"batch", {good, unknown, badPath}}}.dump(), &unsealer);
    ASSERT_TRUE(p.verdicts[0].message.has_value());
    EXPECT_EQ(p.verdicts[0].message->properties["phone"], "+15555550123");
    EXPECT_FALSE(json::parse(p.verdicts[0].message->payloadText).contains("sealed"));
    EXPECT_NE(p.verdicts[1].reason.find("sealed.properties.phone:"), std::string::npos);
    EXPECT_NE(p.verdicts[2].reason.find("path must start with"), std::string::npos);
    // Without any key, a sealed message is refused rather than stored half-read.
    const auto none = parse(json{{"batch", {good}}}.dump(), nullptr);
    EXPECT_NE(none.verdicts[0].reason.find("no sealing key"), std::string::npos);
}

TEST(BatchParser, OpensBothSealedFormsAndRefusesAForgedOneAlone) {
    const auto keys = event::generateSealingKeyPair();
    event::Unsealer unsealer;
    ASSERT_TRUE(unsealer.addSecretKeyB64(keys.secretKeyB64).ok());
    auto sealer = event::Sealer::fromPublicKeyB64(keys.publicKeyB64);
    auto session = message("session");
    session["sealed"] = {{"properties.phone", sealer->seal("+15555550123")}};
    auto box = message("box");  // queued by a kiosk from before session sealing
    box["sealed"] = {{"properties.comment", sealer->sealBox("queued comment")}};
    auto forged = message("forged");
    std::string value = sealer->seal("+15555550199");
    const std::size_t at = value.rfind(':') + 1 + 20;  // inside the box, away from base64 padding
    value[at] = value[at] == 'A' ? 'B' : 'A';
    forged["sealed"] = {{"properties.phone", value}};
    auto sameSession = message("same-session");
    sameSession["sealed"] = {{"properties.email", sealer->seal("a@example.com")}};
    const auto p = parse(json{{"batch", {session, box, forged, sameSession}}}.dump(), &unsealer);
    ASSERT_EQ(p.verdicts.size(), 4U);
    ASSERT_TRUE(p.verdicts[0].message.has_value()) << p.verdicts[0].reason;
    EXPECT_EQ(p.verdicts[0].message->properties["phone"], "+15555550123");
    ASSERT_TRUE(p.verdicts[1].message.has_value()) << p.verdicts[1].reason;
    EXPECT_EQ(p.verdicts[1].message->properties["comment"], "queued comment");
    EXPECT_FALSE(p.verdicts[2].message.has_value());
    EXPECT_NE(p.verdicts[2].reason.find("sealed.properties.phone: sealed value does not open"), std::string::npos)
        << p.verdicts[2].reason;
    ASSERT_TRUE(p.verdicts[3].message.has_value()) << p.verdicts[3].reason;
    EXPECT_EQ(p.verdicts[3].message->properties["email"], "a@example.com");
    EXPECT_EQ(unsealer.sessionAgreements(), 1U);  // three values of one session, one key agreement
}

TEST(BatchParser, SingleMessageEndpointsCheckTheType) {
    ParseOptions o;
    o.receivedAtMs = kNow;
    o.singleType = "identify";
    auto r = parseBatch(message("t").dump(), o);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->verdicts[0].reason, "type: this endpoint takes identify messages");
}

TEST(BatchParser, ChannelDefaultsForSdkMessages) {
    auto web = message("w");
    web["context"] = json::object();
    auto app = message("a");
    app["context"] = {{"device", {{"model", "Pixel"}}}};
    const auto p = parse(json{{"batch", {web, app}}}.dump());
    EXPECT_EQ(p.verdicts[0].message->channel, "web");
    EXPECT_EQ(p.verdicts[1].message->channel, "app");
}

TEST(MaskPersonalText, ReplacesEmailsAndPhones) {
    EXPECT_EQ(maskPersonalText("mail me at Ann.B@example.co.uk or call +1 (555) 010-0199 please"),
              "mail me at [email] or call [phone] please");
    EXPECT_EQ(maskPersonalText("great service, 10/10"), "great service, 10/10");
}

}  // namespace
}  // namespace touchpoint::hub
