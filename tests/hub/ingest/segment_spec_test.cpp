// The parser against the Segment HTTP API spec as web, app and server SDKs send it: time fallbacks, group,
// the type from a single-call path, channels, context.library, integrations.

#include <gtest/gtest.h>

#include "common/clock.hpp"
#include "hub/ingest/batch_parser.hpp"

namespace touchpoint::hub {
namespace {

using nlohmann::json;

constexpr std::int64_t kNow = 1'795'000'000'000;  // 2026-11-19

json sdkMessage(const std::string& type, const std::string& id) {
    return {{"type", type}, {"messageId", id}, {"anonymousId", "anon-1"}, {"event", "Product Viewed"}};
}

std::vector<MessageVerdict> parseAll(const json& body, std::optional<std::string> single = std::nullopt) {
    ParseOptions o;
    o.receivedAtMs = kNow;
    o.singleType = std::move(single);
    auto r = parseBatch(body.dump(), o);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? std::move(r).value().verdicts : std::vector<MessageVerdict>{};
}

const IngestMessage& accepted(const MessageVerdict& v) {
    EXPECT_TRUE(v.message.has_value()) << v.messageId << ": " << v.reason;
    static const IngestMessage kNone;
    return v.message ? *v.message : kNone;
}

TEST(SegmentSpec, TimeComesFromTimestampThenOriginalTimestampThenArrival) {
    auto both = sdkMessage("track", "both");
    both["timestamp"] = formatIsoUtcMs(kNow - 5'000);
    both["originalTimestamp"] = formatIsoUtcMs(kNow - 9'000);
    auto original = sdkMessage("track", "original");
    original["originalTimestamp"] = formatIsoUtcMs(kNow - 9'000);
    auto none = sdkMessage("track", "none");
    auto badOriginal = sdkMessage("track", "bad-original");
    badOriginal["originalTimestamp"] = "last tuesday";
    auto numeric = sdkMessage("track", "numeric");
    numeric["timestamp"] = 1234;
    const auto v = parseAll({{"batch", {both, original, none, badOriginal, numeric}}});
    ASSERT_EQ(v.size(), 5u);
    EXPECT_EQ(accepted(v[0]).correctedMs, kNow - 5'000);
    EXPECT_EQ(accepted(v[1]).correctedMs, kNow - 9'000);
    EXPECT_EQ(json::parse(accepted(v[1]).payloadText)["originalTimestamp"], formatIsoUtcMs(kNow - 9'000));
    EXPECT_EQ(accepted(v[2]).correctedMs, kNow);
    EXPECT_EQ(json::parse(accepted(v[2]).payloadText)["timestamp"], formatIsoUtcMs(kNow));
    EXPECT_EQ(v[3].reason, "originalTimestamp: not RFC 3339");
    EXPECT_EQ(v[4].reason, "timestamp: expected a string");
}

TEST(SegmentSpec, OriginalTimestampIsCorrectedFromSentAtButArrivalTimeIsNot) {
    // The phone's clock is 2 minutes slow: captured at its 11:58:00, sent at its 11:58:10.
    auto late = sdkMessage("track", "late");
    late["originalTimestamp"] = formatIsoUtcMs(kNow - 120'000 - 10'000);
    auto stampless = sdkMessage("track", "stampless");
    const auto v = parseAll({{"batch", {late, stampless}}, {"sentAt", formatIsoUtcMs(kNow - 120'000)}});
    ASSERT_EQ(v.size(), 2u);
    EXPECT_EQ(accepted(v[0]).correctedMs, kNow - 10'000);
    EXPECT_EQ(accepted(v[0]).clockOffsetMs.value_or(0), -120'000);
    EXPECT_EQ(accepted(v[1]).correctedMs, kNow);
}

TEST(SegmentSpec, GroupNeedsAGroupIdAndKeepsItsTraitsApartFromThePersons) {
    json group = sdkMessage("group", "g-1");
    group.erase("event");
    group["userId"] = "u-1";
    group["groupId"] = "acme";
    group["traits"] = {{"name", "Acme Corp"}, {"email", "billing@acme.example"}};
    group["context"] = {{"traits", {{"email", "ada@example.com"}}}};
    json numericGroup = group;
    numericGroup["messageId"] = "g-2";
    numericGroup["groupId"] = 42;
    json noGroup = group;
    noGroup["messageId"] = "g-3";
    noGroup.erase("groupId");
    const auto v = parseAll({{"batch", {group, numericGroup, noGroup}}});
    ASSERT_EQ(v.size(), 3u);
    const auto& g = accepted(v[0]);
    EXPECT_EQ(g.type, "group");
    EXPECT_EQ(g.event, "Group Joined");
    EXPECT_EQ(g.groupId, "acme");
    EXPECT_EQ(g.groupTraits["email"], "billing@acme.example");
    // The account's email must never join the shopper's profile; the person's own (context.traits) does.
    EXPECT_EQ(g.traits["email"], "ada@example.com");
    EXPECT_EQ(accepted(v[1]).groupId, "42");
    EXPECT_EQ(v[2].reason, "groupId: missing or empty");
}

TEST(SegmentSpec, SingleCallEndpointsTakeTheTypeFromThePath) {
    json bare = sdkMessage("track", "bare");
    bare.erase("type");
    auto v = parseAll(bare, "track");
    ASSERT_EQ(v.size(), 1u);
    EXPECT_EQ(accepted(v[0]).type, "track");
    EXPECT_EQ(json::parse(accepted(v[0]).payloadText)["type"], "track");

    json identify = {{"messageId", "id-1"}, {"userId", "u-1"}, {"traits", {{"email", "a@example.com"}}}};
    v = parseAll(identify, "identify");
    EXPECT_EQ(accepted(v[0]).type, "identify");

    json group = {{"messageId", "gr-1"}, {"userId", "u-1"}, {"groupId", "acme"}};
    v = parseAll(group, "group");
    EXPECT_EQ(accepted(v[0]).groupId, "acme");

    json contradicts = sdkMessage("identify", "contradicts");
    v = parseAll(contradicts, "track");
    EXPECT_EQ(v[0].reason, "type: this endpoint takes track messages");
    json numericType = sdkMessage("track", "numeric-type");
    numericType["type"] = 7;
    v = parseAll(numericType, "track");
    EXPECT_EQ(v[0].reason, "type: missing or not a string");

    // A batch still needs every message's type.
    json untyped = sdkMessage("track", "untyped");
    untyped.erase("type");
    v = parseAll({{"batch", {untyped}}});
    EXPECT_EQ(v[0].reason, "type: missing or not a string");
}

TEST(SegmentSpec, ChannelFollowsTheSpecAndTheKioskConvention) {
    auto with = [](json m, const std::string& channel) {
        m["channel"] = channel;
        return m;
    };
    json kiosk = sdkMessage("track", "kiosk");
    kiosk["channel"] = "server";
    kiosk["context"] = {{"channel", "in_store_kiosk"}};
    json screenNoChannel = sdkMessage("screen", "screen-plain");
    json device = sdkMessage("track", "device");
    device["context"] = {{"device", {{"type", "ios"}}}};
    json unknown = with(sdkMessage("track", "unknown"), "carrier-pigeon");
    json nodeLib = sdkMessage("track", "node-lib");
    nodeLib["context"] = {{"library", {{"name", "@segment/analytics-node"}, {"version", "3.1.0"}}}};
    json nodeScreen = sdkMessage("screen", "node-lib-screen");
    nodeScreen["context"] = nodeLib["context"];
    json browserLib = sdkMessage("track", "browser-lib");
    browserLib["context"] = {{"library", {{"name", "analytics.js"}, {"version", "next-1.70.0"}}}};
    const auto v = parseAll({{"batch",
                              {with(sdkMessage("track", "server"), "server"), with(sdkMessage("page", "browser"), "browser"),
                               with(sdkMessage("track", "web"), "web"), with(sdkMessage("track", "mobile"), "mobile"),
                               with(sdkMessage("track", "app"), "app"), with(sdkMessage("screen", "node-screen"), "server"),
                               kiosk, screenNoChannel, device, unknown, sdkMessage("page", "plain"), nodeLib, nodeScreen,
                               browserLib}}});
    std::vector<std::string> channels;
    for (const auto& verdict : v) channels.push_back(accepted(verdict).channel);
    EXPECT_EQ(channels, (std::vector<std::string>{"server", "web", "web", "app", "app", "app", "in_store_kiosk", "app",
                                                  "app", "web", "web", "server", "app", "web"}));
}

TEST(SegmentSpec, LibraryIsRecordedAndIntegrationsAreIgnored) {
    json m = sdkMessage("track", "lib");
    m["context"] = {{"library", {{"name", "@segment/analytics-node"}, {"version", "2.1.0"}}}};
    m["integrations"] = {{"All", false}, {"Mixpanel", true}};
    json odd = sdkMessage("track", "odd-lib");
    odd["context"] = {{"library", "analytics-python"}};
    odd["integrations"] = "not even an object";
    const auto v = parseAll({{"batch", {m, odd}}});
    ASSERT_EQ(v.size(), 2u);
    EXPECT_EQ(accepted(v[0]).library, "@segment/analytics-node/2.1.0");
    EXPECT_EQ(accepted(v[1]).library, "");
}

}  // namespace
}  // namespace touchpoint::hub
