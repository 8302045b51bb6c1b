// Shopper text and message numbers that once crashed the hub or rejected whole batches: masking in linear
// time on any length, the raw-body scan, and range-checked numbers that reject only their own message.

#include <gtest/gtest.h>

#include <chrono>

#include "common/clock.hpp"
#include "event/message.hpp"
#include "hub/ingest/batch_parser.hpp"
#include "hub/ingest/body_scan.hpp"
#include "hub/ingest/json_props.hpp"
#include "hub/ingest/personal_text.hpp"

namespace touchpoint::hub {
namespace {

using nlohmann::json;

constexpr std::int64_t kNow = 1'795'000'000'000;  // 2026-11-19

double secondsToMask(const std::string& text) {
    const auto t0 = std::chrono::steady_clock::now();
    const auto masked = maskPersonalText(text);
    const auto t1 = std::chrono::steady_clock::now();
    EXPECT_FALSE(masked.empty());
    return std::chrono::duration<double>(t1 - t0).count();
}

TEST(PersonalText, KeepsTheMaskingRules) {
    EXPECT_EQ(maskPersonalText("mail me at Ann.B@example.co.uk or call +1 (555) 010-0199 please"),
              "mail me at [email] or call [phone] please");
    EXPECT_EQ(maskPersonalText("great service, 10/10"), "great service, 10/10");
    EXPECT_EQ(maskPersonalText("aisle 12 was great, 5 stars"), "aisle 12 was great, 5 stars");
    EXPECT_EQ(maskPersonalText("text 07700 900123 please"), "text [phone] please");
    EXPECT_EQ(maskPersonalText("Mail ME@Shop.co.uk!"), "Mail [email]!");
    EXPECT_EQ(maskPersonalText("ring 202-555-0199 now"), "ring [phone] now");
    EXPECT_EQ(maskPersonalText("1 2 3 4 5 6"), "1 2 3 4 5 6");  // six digits with separators: not a phone
    EXPECT_EQ(maskPersonalText("a@b"), "a@b");                  // no domain dot: not an address
    EXPECT_EQ(maskPersonalText(""), "");
}

TEST(PersonalText, ThirtyThousandDigitsAreMaskedWithoutRecursion) {
    // std::regex recursed once per character here and overflowed the stack (every stats load crashed).
    const std::string digits(30'000, '7');
    EXPECT_EQ(maskPersonalText(digits), "[phone]");
    EXPECT_EQ(maskPersonalText("call " + digits + " now"), "call [phone] now");
    std::string spaced;
    for (int i = 0; i < 30'000; ++i) spaced += "1 ";
    EXPECT_EQ(maskPersonalText(spaced), "[phone] ");
}

TEST(PersonalText, OneMegabyteOfLettersIsMaskedInLinearTime) {
    // The old e-mail expression was quadratic: 10,000 letters cost 1.3 s. Ten times the text must cost about
    // ten times the time (a generous 40x allows for timer noise on a shared machine), never a hundred.
    const std::string small(100'000, 'a');
    const std::string large(1'000'000, 'a');
    const std::string letters = large + "@" + large;  // a '@' makes the e-mail pass run over all of it
    EXPECT_EQ(maskPersonalText(large), large);
    double tSmall = 1e9, tLarge = 1e9;
    for (int i = 0; i < 3; ++i) {
        tSmall = std::min(tSmall, secondsToMask(small + "@" + small));
        tLarge = std::min(tLarge, secondsToMask(letters));
    }
    EXPECT_LT(tLarge, 2.0);
    EXPECT_LT(tLarge, 40 * std::max(tSmall, 1e-4)) << "small " << tSmall << " s, large " << tLarge << " s";
    std::string mixed;
    while (mixed.size() < 1'000'000) mixed += "aaaa.bbbb@cccc.dd 0123-4567-89 ";
    EXPECT_LT(secondsToMask(mixed), 2.0);
    EXPECT_EQ(maskPersonalText("aaaa.bbbb@cccc.dd 0123-4567-89 "), "[email] [phone] ");
}

TEST(NumberAccess, ToInt64AcceptsOnlyWholeNumbersInRange) {
    EXPECT_EQ(toInt64(json(5)), 5);
    EXPECT_EQ(toInt64(json(-5)), -5);
    EXPECT_EQ(toInt64(json(5.0)), 5);
    EXPECT_EQ(toInt64(json(5.5)), std::nullopt);
    EXPECT_EQ(toInt64(json(1e300)), std::nullopt);
    EXPECT_EQ(toInt64(json(-1e300)), std::nullopt);
    EXPECT_EQ(toInt64(json(9223372036854775808.0)), std::nullopt);  // 2^63
    EXPECT_EQ(toInt64(json(std::uint64_t{18446744073709551615u})), std::nullopt);
    EXPECT_EQ(toInt64(json(std::int64_t{-9223372036854775807 - 1})), std::numeric_limits<std::int64_t>::min());
    EXPECT_EQ(toInt64(json("5")), std::nullopt);
    EXPECT_EQ(intProp(json{{"n", 1e300}}, "n"), std::nullopt);
    EXPECT_EQ(intProp(json{{"n", 11}}, "n", 0, 10), std::nullopt);
    EXPECT_TRUE(readIntMember(json{{"n", 1e300}}, "n", 0, 10).bad);
    EXPECT_FALSE(readIntMember(json{{"n", nullptr}}, "n", 0, 10).bad);
}

TEST(BodyScan, RewritesOnlyUnrepresentableNumbersOutsideStrings) {
    EXPECT_FALSE(scanBody(R"({"a":[1,-2.5e10,1e300,"1e999"],"b":"x\"1e999"})").rewritten);
    const auto s = scanBody(R"({"a":1e999,"b":"1e999"})");
    ASSERT_TRUE(s.rewritten);
    EXPECT_TRUE(s.badNumber);
    EXPECT_EQ(*s.rewritten, "{\"a\":\"" + std::string(kBadNumberMarker) + "\",\"b\":\"1e999\"}");
    EXPECT_TRUE(numberTokenUnrepresentable(std::string(65, '1')));
    EXPECT_FALSE(numberTokenUnrepresentable(std::string(64, '1')));
    EXPECT_TRUE(numberTokenUnrepresentable("-1E309"));
    EXPECT_FALSE(numberTokenUnrepresentable("1e-400"));  // underflows to zero, as JSON readers do
    const auto u = scanBody("{\"a\":\"caf\xe9\"}");
    EXPECT_TRUE(u.badUtf8);
    EXPECT_FALSE(u.badNumber);
}

json heartbeat(const std::string& id, const json& properties) {
    return {{"type", "track"},
            {"messageId", id},
            {"timestamp", formatIsoUtcMs(kNow - 60'000)},
            {"anonymousId", "kiosk-k1"},
            {"event", std::string(event::names::kHeartbeat)},
            {"properties", properties},
            {"context", {{"channel", "in_store_kiosk"}, {"storeId", "store-1"}, {"kioskId", "k1"}}}};
}

ParsedBatch parseText(const std::string& body) {
    ParseOptions o;
    o.receivedAtMs = kNow;
    auto r = parseBatch(body, o);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? std::move(r).value() : ParsedBatch{};
}

TEST(BatchNumbers, HeartbeatWith1e300IsRejectedAloneWithTheFieldNamed) {
    const json batch = json::array({heartbeat("ok-1", {{"queueDepth", 3}}), heartbeat("huge", {{"queueDepth", 1e300}}),
                                    heartbeat("frac", {{"oldestPendingAgeS", 2.5}}),
                                    heartbeat("neg", {{"deadLetters", -1}}),
                                    heartbeat("drops", {{"drops", {{"offline", 1e300}}}}),
                                    heartbeat("ok-2", {{"queueDepth", 5.0}, {"drops", {{"offline", 2}}}})});
    const auto p = parseText(json{{"batch", batch}}.dump());
    ASSERT_EQ(p.verdicts.size(), 6u);
    EXPECT_TRUE(p.verdicts[0].message);
    EXPECT_EQ(p.verdicts[1].messageId, "huge");
    EXPECT_EQ(p.verdicts[1].reason, "properties.queueDepth: expected a whole number 0..9007199254740991");
    EXPECT_EQ(p.verdicts[2].reason, "properties.oldestPendingAgeS: expected a whole number 0..9007199254740991");
    EXPECT_EQ(p.verdicts[3].reason, "properties.deadLetters: expected a whole number 0..9007199254740991");
    EXPECT_EQ(p.verdicts[4].reason, "properties.drops.offline: expected a whole number 0..9007199254740991");
    EXPECT_TRUE(p.verdicts[5].message) << p.verdicts[5].reason;
}

TEST(BatchNumbers, FiveThousandDigitNumberRejectsOnlyItsMessage) {
    // nlohmann's parser throws out_of_range (406) on such a number, which used to reject the whole batch.
    const std::string digits(5000, '9');
    auto bad = heartbeat("long", {{"queueDepth", 1}}).dump();
    bad.replace(bad.find("\"queueDepth\":1"), 14, "\"queueDepth\":" + digits);
    auto exp = heartbeat("exp", {{"queueDepth", 1}}).dump();
    exp.replace(exp.find("\"queueDepth\":1"), 14, "\"queueDepth\":1e999");
    auto custom = heartbeat("custom", {{"queueDepth", 1}});
    custom["event"] = "Custom";
    auto customText = custom.dump();
    customText.replace(customText.find("\"queueDepth\":1"), 14, "\"queueDepth\":[1,-" + digits + "]");
    const std::string body = "{\"batch\":[" + heartbeat("ok-1", {{"queueDepth", 1}}).dump() + "," + bad + "," + exp +
                             "," + customText + "," + heartbeat("ok-2", {{"queueDepth", 2}}).dump() +
                             "],\"sentAt\":" + digits + "}";
    const auto p = parseText(body);
    ASSERT_EQ(p.verdicts.size(), 5u);
    EXPECT_TRUE(p.verdicts[0].message);
    EXPECT_EQ(p.verdicts[1].messageId, "long");
    EXPECT_EQ(p.verdicts[1].reason,
              "properties.queueDepth: number longer than 64 characters or beyond the range of a double");
    EXPECT_EQ(p.verdicts[2].reason,
              "properties.queueDepth: number longer than 64 characters or beyond the range of a double");
    EXPECT_EQ(p.verdicts[3].reason,
              "properties.queueDepth[1]: number longer than 64 characters or beyond the range of a double");
    EXPECT_TRUE(p.verdicts[4].message) << p.verdicts[4].reason;

    ParseOptions single;
    single.receivedAtMs = kNow;
    single.singleType = "track";
    auto one = parseBatch(bad, single);
    ASSERT_TRUE(one.ok());
    ASSERT_EQ(one->verdicts.size(), 1u);
    EXPECT_FALSE(one->verdicts[0].message);
}

TEST(BatchNumbers, NumericUserIdsKeepTheirDigits) {
    auto m = heartbeat("uid", {{"queueDepth", 1}});
    m.erase("anonymousId");
    m["userId"] = std::uint64_t{18446744073709551615u};
    const auto p = parseText(json{{"batch", {m}}}.dump());
    ASSERT_EQ(p.verdicts.size(), 1u);
    ASSERT_TRUE(p.verdicts[0].message) << p.verdicts[0].reason;
    EXPECT_EQ(p.verdicts[0].message->userId, "18446744073709551615");
}

}  // namespace
}  // namespace touchpoint::hub
