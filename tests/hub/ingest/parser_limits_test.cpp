// The batch parser's count and length limits, each just at and just past its edge: the message count per
// batch (a whole-body 413), and the messageId and event name lengths (that message rejected, its batch-mates
// read as usual). The same limits over HTTPS, with their /metrics counters: limits_test.cpp.

#include <gtest/gtest.h>

#include "event/message.hpp"
#include "hub/ingest/batch_parser.hpp"

namespace touchpoint::hub {
namespace {

using nlohmann::json;

constexpr std::int64_t kNow = 1'795'000'000'000;  // 2026-11-19

Result<ParsedBatch, BatchError> parseText(const std::string& body) {
    ParseOptions o;
    o.receivedAtMs = kNow;
    return parseBatch(body, o);
}

/// {"batch":[...]} of `n` of the smallest valid messages (a page call, about 50 bytes each), ids p0, p1, ...
std::string tinyBatch(std::size_t n) {
    std::string body = R"({"batch":[)";
    for (std::size_t i = 0; i < n; ++i) {
        if (i > 0) body += ',';
        body += R"({"type":"page","messageId":"p)" + std::to_string(i) + R"(","userId":"u"})";
    }
    return body + "]}";
}

json track(const std::string& id, const std::string& event) {
    return {{"type", "track"}, {"messageId", id}, {"anonymousId", "session-1"}, {"event", event}};
}

TEST(BatchParserLimits, TenThousandMessagesAreReadAndOneMoreIsA413) {
    static_assert(kMaxMessagesPerBatch == 10'000, "docs/PROTOCOL.md says 10,000");
    // Tiny messages reach the count well under the body cap: the count limit is the one that answers.
    const std::string atLimit = tinyBatch(kMaxMessagesPerBatch);
    const std::string pastLimit = tinyBatch(kMaxMessagesPerBatch + 1);
    ASSERT_LT(pastLimit.size(), event::kMaxBatchBytes);

    auto at = parseText(atLimit);
    ASSERT_TRUE(at.ok()) << at.error().message;
    ASSERT_EQ(at->verdicts.size(), kMaxMessagesPerBatch);
    for (const auto& v : at->verdicts) ASSERT_TRUE(v.message.has_value()) << v.messageId << ": " << v.reason;
    EXPECT_EQ(at->verdicts.back().messageId, "p9999");

    auto past = parseText(pastLimit);
    ASSERT_FALSE(past.ok());
    EXPECT_EQ(past.error().status, 413);
    EXPECT_EQ(past.error().message, "more than 10000 messages");
}

TEST(BatchParserLimits, CountLimitHoldsForMessagesThatAreNotObjects) {
    // Entries that are not messages at all still count: 10,001 zeros are refused as a whole, not read one by one.
    std::string body = R"({"batch":[0)";
    for (std::size_t i = 1; i <= kMaxMessagesPerBatch; ++i) body += ",0";
    body += "]}";
    auto past = parseText(body);
    ASSERT_FALSE(past.ok());
    EXPECT_EQ(past.error().status, 413);
}

TEST(BatchParserLimits, MessageIdOf256BytesIsReadAnd257RejectsThatMessageOnly) {
    static_assert(kMaxIdLength == 256, "docs/PROTOCOL.md says 256 bytes");
    const std::string atLimit(kMaxIdLength, 'a');
    const std::string pastLimit(kMaxIdLength + 1, 'b');
    const json batch = {track("before", "E"), track(atLimit, "E"), track(pastLimit, "E"), track("after", "E")};
    auto p = parseText(json{{"batch", batch}}.dump());
    ASSERT_TRUE(p.ok()) << p.error().message;
    ASSERT_EQ(p->verdicts.size(), 4u);
    EXPECT_TRUE(p->verdicts[0].message.has_value());
    ASSERT_TRUE(p->verdicts[1].message.has_value()) << p->verdicts[1].reason;
    EXPECT_EQ(p->verdicts[1].message->messageId, atLimit);
    EXPECT_FALSE(p->verdicts[2].message.has_value());
    EXPECT_EQ(p->verdicts[2].reason, "messageId: must be 1..256 bytes");
    EXPECT_EQ(p->verdicts[2].messageId, pastLimit);
    EXPECT_TRUE(p->verdicts[3].message.has_value());
}

TEST(BatchParserLimits, MessageIdLimitCountsBytesNotCharacters) {
    // 128 two-byte characters are 256 bytes; one more ASCII byte is past the limit.
    std::string twoByte;
    for (int i = 0; i < 128; ++i) twoByte += "\xC3\xA9";  // é
    auto p = parseText(json{{"batch", {track(twoByte, "E"), track(twoByte + "x", "E")}}}.dump());
    ASSERT_TRUE(p.ok()) << p.error().message;
    ASSERT_EQ(p->verdicts.size(), 2u);
    EXPECT_TRUE(p->verdicts[0].message.has_value()) << p->verdicts[0].reason;
    EXPECT_EQ(p->verdicts[1].reason, "messageId: must be 1..256 bytes");
}

TEST(BatchParserLimits, UserIdsFollowTheSameLength) {
    auto at = track("u-at", "E");
    at["userId"] = std::string(kMaxIdLength, 'u');
    auto past = track("u-past", "E");
    past["userId"] = std::string(kMaxIdLength + 1, 'u');
    auto p = parseText(json{{"batch", {at, past}}}.dump());
    ASSERT_TRUE(p.ok()) << p.error().message;
    EXPECT_TRUE(p->verdicts[0].message.has_value()) << p->verdicts[0].reason;
    EXPECT_EQ(p->verdicts[1].reason, "userId: longer than 256 bytes");
}

TEST(BatchParserLimits, EventNameOf200BytesIsReadAnd201RejectsThatMessageOnly) {
    static_assert(kMaxEventLength == 200, "docs/PROTOCOL.md says 200 bytes");
    const std::string atLimit(kMaxEventLength, 'E');
    const std::string pastLimit(kMaxEventLength + 1, 'F');
    auto p = parseText(json{{"batch", {track("e-before", "Ok"), track("e-at", atLimit), track("e-past", pastLimit),
                                       track("e-after", "Ok")}}}
                           .dump());
    ASSERT_TRUE(p.ok()) << p.error().message;
    ASSERT_EQ(p->verdicts.size(), 4u);
    EXPECT_TRUE(p->verdicts[0].message.has_value());
    ASSERT_TRUE(p->verdicts[1].message.has_value()) << p->verdicts[1].reason;
    EXPECT_EQ(p->verdicts[1].message->event, atLimit);
    EXPECT_EQ(p->verdicts[2].reason, "event: longer than 200 bytes");
    EXPECT_EQ(p->verdicts[2].messageId, "e-past");
    EXPECT_TRUE(p->verdicts[3].message.has_value());
}

/// A track message whose properties hold `levels` nested arrays; the message itself is one level.
std::string nestedMessage(const std::string& id, int levels) {
    std::string inner = "1";
    for (int i = 0; i < levels; ++i) inner = "[" + inner + "]";
    return R"({"type":"track","messageId":")" + id + R"(","anonymousId":"s","event":"E","properties":{"x":)" +
           inner + "}}";
}

TEST(BatchParserLimits, MessageNestedToTheLimitIsReadAndOneLevelMoreRejectsThatMessageOnly) {
    // The message object and its properties object are two of the kMaxMessageDepth levels.
    const int arrays = kMaxMessageDepth - 2;
    auto r = parseText(R"({"batch":[)" + nestedMessage("at-limit", arrays) + "," +
                       nestedMessage("past", arrays + 1) + "]}");
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_EQ(r->verdicts.size(), 2u);
    ASSERT_TRUE(r->verdicts[0].message.has_value()) << r->verdicts[0].reason;
    EXPECT_EQ(r->verdicts[0].message->properties.dump(),
              R"({"x":)" + std::string(arrays, '[') + "1" + std::string(arrays, ']') + "}");
    EXPECT_NE(r->verdicts[1].reason.find("nested deeper"), std::string::npos) << r->verdicts[1].reason;
    EXPECT_EQ(r->verdicts[1].messageId, "past");

    // Alone in its batch (the body then has no fault for the parser to pin on a message).
    auto alone = parseText(R"({"batch":[)" + nestedMessage("alone", arrays) + "]}");
    ASSERT_TRUE(alone.ok());
    EXPECT_TRUE(alone->verdicts.at(0).message.has_value()) << alone->verdicts.at(0).reason;

    // A single-message endpoint: the body is the message.
    ParseOptions single;
    single.receivedAtMs = kNow;
    single.singleType = "track";
    auto atLimit = parseBatch(nestedMessage("one", arrays), single);
    ASSERT_TRUE(atLimit.ok());
    EXPECT_TRUE(atLimit->verdicts.at(0).message.has_value()) << atLimit->verdicts.at(0).reason;
    auto past = parseBatch(nestedMessage("one", arrays + 1), single);
    ASSERT_TRUE(past.ok());
    EXPECT_NE(past->verdicts.at(0).reason.find("nested deeper"), std::string::npos);
}

}  // namespace
}  // namespace touchpoint::hub
