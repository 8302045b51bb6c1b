// The refusal log: one line per refusal with the client's network (never its address), limited per source or
// network and in all, with what was held back said as a count; counts per source for /metrics.

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "hub/http/refusal_log.hpp"

namespace touchpoint::hub::http {
namespace {

constexpr std::int64_t kT0 = 1'000'000;
constexpr std::int64_t kMinute = 60'000;

/// The lines of `log` whose message is `msg`.
std::vector<std::string> linesSaying(const std::string& log, const std::string& msg) {
    std::vector<std::string> lines;
    std::istringstream in(log);
    for (std::string line; std::getline(in, line);) {
        if (line.find("msg=\"" + msg + "\"") != std::string::npos) lines.push_back(line);
    }
    return lines;
}

RefusalNote fromNetwork(std::string_view address, std::string_view source = {}) {
    return {.why = Refusal::RateLimitedAddress, .status = 429, .source = source, .address = address, .route = "/v1/batch"};
}

TEST(RefusalLog, AnAddressIsLoggedAsItsNetwork) {
    EXPECT_EQ(RefusalLog::network("203.0.113.77"), "203.0.113.0/24");
    EXPECT_EQ(RefusalLog::network("::ffff:198.51.100.9"), "198.51.100.0/24");
    EXPECT_EQ(RefusalLog::network("2001:db8:1:2:3:4:5:6"), "2001:db8:1::/48");
    EXPECT_EQ(RefusalLog::network("not an address"), "-");
    EXPECT_EQ(RefusalLog::network(""), "-");
}

TEST(RefusalLog, LinesPerKeyAreLimitedAndWhatWasHeldBackIsSaidWhenTheKeyReturns) {
    RefusalLog log({.linesPerKeyPerMinute = 10, .linesPerMinute = 300, .maxKeys = 4096});
    ::testing::internal::CaptureStderr();
    for (int i = 0; i < 25; ++i) log.note(fromNetwork("203.0.113.77"), kT0 + i);
    log.note(fromNetwork("198.51.100.9"), kT0 + 30);  // another network has its own allowance
    auto text = ::testing::internal::GetCapturedStderr();
    EXPECT_EQ(linesSaying(text, "request refused").size(), 11u) << text;
    EXPECT_TRUE(linesSaying(text, "refusals not logged (rate limit)").empty()) << text;
    EXPECT_EQ(text.find("203.0.113.77"), std::string::npos) << text;
    EXPECT_NE(text.find("network=203.0.113.0/24"), std::string::npos) << text;
    EXPECT_EQ(log.heldBack(), 15);

    ::testing::internal::CaptureStderr();
    log.note(fromNetwork("203.0.113.5"), kT0 + 59'000);  // the same /24, the same minute: held back
    log.note(fromNetwork("203.0.113.77"), kT0 + kMinute + 1);
    text = ::testing::internal::GetCapturedStderr();
    const auto held = linesSaying(text, "refusals not logged (rate limit)");
    ASSERT_EQ(held.size(), 1u) << text;
    EXPECT_NE(held[0].find("source=- network=203.0.113.0/24 count=16"), std::string::npos) << held[0];
    EXPECT_EQ(linesSaying(text, "request refused").size(), 1u) << text;
}

TEST(RefusalLog, TheOverallLimitHoldsAFloodFromManyNetworksAndSaysItsTotalNextMinute) {
    RefusalLog log({.linesPerKeyPerMinute = 10, .linesPerMinute = 20, .maxKeys = 8});
    ::testing::internal::CaptureStderr();
    std::vector<std::string> addresses;
    for (int i = 0; i < 50; ++i) addresses.push_back("10.0." + std::to_string(i) + ".1");
    for (int i = 0; i < 50; ++i) log.note(fromNetwork(addresses[static_cast<std::size_t>(i)]), kT0 + i);
    auto text = ::testing::internal::GetCapturedStderr();
    EXPECT_EQ(linesSaying(text, "request refused").size(), 20u) << text;
    EXPECT_EQ(log.heldBack(), 30);

    ::testing::internal::CaptureStderr();
    log.note(fromNetwork("10.0.0.1"), kT0 + kMinute + 100);
    text = ::testing::internal::GetCapturedStderr();
    const auto held = linesSaying(text, "refusals not logged (rate limit)");
    ASSERT_EQ(held.size(), 1u) << text;
    EXPECT_NE(held[0].find("count=30"), std::string::npos) << held[0];
    EXPECT_EQ(linesSaying(text, "request refused").size(), 1u) << text;
}

TEST(RefusalLog, CountsBySourceOnlyWhenATokenWasRead) {
    RefusalLog log;
    ::testing::internal::CaptureStderr();
    log.note(fromNetwork("203.0.113.77", "kiosk \"7\""), kT0);
    log.note(fromNetwork("203.0.113.77", "kiosk \"7\""), kT0 + 1);
    log.note({.why = Refusal::BodyTooLarge, .status = 413, .source = "web", .address = "::1", .route = "/v1/batch"},
             kT0 + 2);
    log.note(fromNetwork("203.0.113.77"), kT0 + 3);
    const auto text = ::testing::internal::GetCapturedStderr();
    EXPECT_EQ(linesSaying(text, "request refused").size(), 4u) << text;
    EXPECT_EQ(log.count("kiosk \"7\"", Refusal::RateLimitedAddress), 2);
    EXPECT_EQ(log.count("web", Refusal::BodyTooLarge), 1);
    EXPECT_EQ(log.count("", Refusal::RateLimitedAddress), 0);
    const auto metrics = log.render();
    EXPECT_NE(metrics.find("touchpoint_hub_http_refusals_by_source_total{source=\"kiosk \\\"7\\\"\",reason=\"rate_limited_address\"} 2"),
              std::string::npos)
        << metrics;
    EXPECT_NE(metrics.find("touchpoint_hub_http_refusals_by_source_total{source=\"web\",reason=\"body_too_large\"} 1"),
              std::string::npos)
        << metrics;
    EXPECT_EQ(metrics.find("source=\"\""), std::string::npos) << metrics;
    EXPECT_NE(metrics.find("touchpoint_hub_http_refusal_log_lines_held_back_total 0"), std::string::npos) << metrics;
}

}  // namespace
}  // namespace touchpoint::hub::http
