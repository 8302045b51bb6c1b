// Wire format: batch encoding, strict receipt parsing, Retry-After and HTTP dates, gzip.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/clock.hpp"
#include "protocol/gzip.hpp"
#include "protocol/wire.hpp"

namespace touchpoint::protocol {
namespace {

TEST(BatchEncoding, SplicesPayloadsAndSetsSentAt) {
    const std::string a = R"({"type":"track","messageId":"a","event":"X"})";
    const std::string b = R"(  {"type":"track","messageId":"b","event":"Y"} )";
    std::string out;
    encodeBatch({a, b}, 1'700'000'000'123, out);
    const auto j = nlohmann::json::parse(out);
    ASSERT_EQ(j["batch"].size(), 2u);
    EXPECT_EQ(j["batch"][0]["messageId"], "a");
    EXPECT_EQ(j["batch"][1]["event"], "Y");
    EXPECT_EQ(j["sentAt"], formatIsoUtcMs(1'700'000'000'123));
}

TEST(BatchEncoding, DropsAStaleSentAtInsideAPayload) {
    const std::string a = R"({"messageId":"a","sentAt":"2020-01-01T00:00:00.000Z"})";
    std::string out;
    encodeBatch({a}, 1'700'000'000'000, out);
    const auto j = nlohmann::json::parse(out);
    EXPECT_FALSE(j["batch"][0].contains("sentAt"));
    EXPECT_EQ(j["batch"][0]["messageId"], "a");
}

TEST(BatchEncoding, PayloadCheckRefusesNonObjects) {
    EXPECT_TRUE(checkPayload(R"({"a":1})"));
    EXPECT_FALSE(checkPayload("[1,2]"));
    EXPECT_FALSE(checkPayload(R"({"a":1)"));
    EXPECT_FALSE(checkPayload(""));
}

TEST(Receipts, RoundTripInSentOrder) {
    std::vector<MessageReceipt> rs{{"b", ReceiptStatus::Duplicate, ""}, {"a", ReceiptStatus::Rejected, "timestamp: bad"}};
    const auto body = encodeReceipts(rs, 1'700'000'000'000);
    auto parsed = parseReceipts(body, {"a", "b"}, "application/json");
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    ASSERT_EQ(parsed->receipts.size(), 2u);
    EXPECT_EQ(parsed->receipts[0].messageId, "a");
    EXPECT_EQ(parsed->receipts[0].status, ReceiptStatus::Rejected);
    EXPECT_EQ(parsed->receipts[0].reason, "timestamp: bad");
    EXPECT_EQ(parsed->receipts[1].status, ReceiptStatus::Duplicate);
    EXPECT_EQ(parsed->serverTimeMs, 1'700'000'000'000);
}

TEST(Receipts, HtmlIsACaptivePortalNotASuccess) {
    auto r = parseReceipts("<html><body>Sign in to Wi-Fi</body></html>", {"a"}, "text/html");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ReceiptErrc::NotJson);
    EXPECT_TRUE(r.error().looksLikeCaptivePortal);
    auto r2 = parseReceipts("  <!DOCTYPE html>", {"a"}, "application/json");
    ASSERT_FALSE(r2.ok());
    EXPECT_TRUE(r2.error().looksLikeCaptivePortal);
}

TEST(Receipts, TruncatedJsonIsAFailure) {
    const auto body = encodeReceipts({{"a", ReceiptStatus::Accepted, ""}}, 0);
    auto r = parseReceipts(body.substr(0, body.size() / 2), {"a"});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ReceiptErrc::Truncated);
}

TEST(Receipts, MissingUnknownAndDoubledIdsAreFailures) {
    const auto two = encodeReceipts({{"a", ReceiptStatus::Accepted, ""}, {"b", ReceiptStatus::Accepted, ""}}, 0);
    EXPECT_EQ(parseReceipts(two, {"a", "b", "c"}).error().code, ReceiptErrc::MissingIds);
    EXPECT_EQ(parseReceipts(two, {"a"}).error().code, ReceiptErrc::UnknownIds);
    const auto doubled = encodeReceipts({{"a", ReceiptStatus::Accepted, ""}, {"a", ReceiptStatus::Accepted, ""}}, 0);
    EXPECT_EQ(parseReceipts(doubled, {"a", "b"}).error().code, ReceiptErrc::UnknownIds);
}

TEST(Receipts, WrongShapesAreFailures) {
    EXPECT_EQ(parseReceipts("{}", {"a"}).error().code, ReceiptErrc::WrongShape);
    EXPECT_EQ(parseReceipts(R"({"receipts":{}})", {"a"}).error().code, ReceiptErrc::WrongShape);
    EXPECT_EQ(parseReceipts(R"({"receipts":[{"messageId":"a","status":"ok"}]})", {"a"}).error().code,
              ReceiptErrc::WrongShape);
    EXPECT_EQ(parseReceipts(R"({"receipts":[{"messageId":1,"status":"accepted"}]})", {"a"}).error().code,
              ReceiptErrc::WrongShape);
    EXPECT_EQ(parseReceipts("not json", {"a"}).error().code, ReceiptErrc::NotJson);
    EXPECT_FALSE(parseReceipts("", {"a"}).ok());
}

TEST(RetryAfter, SecondsAndDatesAndGarbage) {
    const std::int64_t now = 1'700'000'000'000;
    EXPECT_EQ(parseRetryAfter("120", now), std::chrono::seconds(120));
    EXPECT_EQ(parseRetryAfter(" 0 ", now), std::chrono::seconds(0));
    EXPECT_EQ(parseRetryAfter("999999999", now), std::chrono::hours(24));  // capped at a day
    EXPECT_EQ(parseRetryAfter("99999999999999999999999", now), std::chrono::hours(24));
    EXPECT_EQ(parseRetryAfter(formatHttpDate(now + 90'000), now), std::chrono::seconds(90));
    EXPECT_EQ(parseRetryAfter(formatHttpDate(now - 90'000), now), std::chrono::seconds(0));  // in the past: now
    EXPECT_FALSE(parseRetryAfter("-5", now).has_value());
    EXPECT_FALSE(parseRetryAfter("soon", now).has_value());
    EXPECT_FALSE(parseRetryAfter("12abc", now).has_value());
    EXPECT_FALSE(parseRetryAfter("", now).has_value());
}

TEST(HttpDate, AllThreeFormsParse) {
    const std::int64_t t = 784111777000;  // Sun, 06 Nov 1994 08:49:37 GMT
    EXPECT_EQ(parseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT"), t);
    EXPECT_EQ(parseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT"), t);
    EXPECT_EQ(parseHttpDate("Sun Nov  6 08:49:37 1994"), t);
    EXPECT_EQ(formatHttpDate(t), "Sun, 06 Nov 1994 08:49:37 GMT");
    EXPECT_FALSE(parseHttpDate("Sun, 06 Foo 1994 08:49:37 GMT").has_value());
    EXPECT_FALSE(parseHttpDate("Sun, 06 Nov 1994 25:49:37 GMT").has_value());
}

TEST(Gzip, RoundTripAndCorruptInput) {
    std::string text;
    for (int i = 0; i < 2000; ++i) text += R"({"type":"track","messageId":")" + std::to_string(i) + "\"},";
    auto z = gzipCompress(text);
    ASSERT_TRUE(z.ok());
    EXPECT_LT(z->size(), text.size() / 4);
    auto back = gzipDecompress(*z);
    ASSERT_TRUE(back.ok()) << back.error();
    EXPECT_EQ(*back, text);
    EXPECT_FALSE(gzipDecompress(z->substr(0, z->size() / 2)).ok());
    EXPECT_FALSE(gzipDecompress("definitely not gzip").ok());
    EXPECT_FALSE(gzipDecompress(*z, 100).ok());  // over the inflate limit
}

}  // namespace
}  // namespace touchpoint::protocol
