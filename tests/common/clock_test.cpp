#include <gtest/gtest.h>

#include "common/clock.hpp"
#include "common/uuid.hpp"

namespace touchpoint {
namespace {

TEST(Clock, FormatsAndParsesIsoUtcMilliseconds) {
    const std::int64_t ms = 1'763'869'245'123;  // 2025-11-23T03:40:45.123Z
    const std::string text = formatIsoUtcMs(ms);
    EXPECT_EQ(text, "2025-11-23T03:40:45.123Z");
    std::int64_t back = 0;
    ASSERT_TRUE(parseIsoUtcMs(text, back));
    EXPECT_EQ(back, ms);
}

TEST(Clock, ParsesOffsetsAndRejectsGarbage) {
    std::int64_t ms = 0;
    ASSERT_TRUE(parseIsoUtcMs("2025-11-23T04:40:45+01:00", ms));
    EXPECT_EQ(formatIsoUtcMs(ms), "2025-11-23T03:40:45.000Z");
    EXPECT_FALSE(parseIsoUtcMs("yesterday", ms));
    EXPECT_FALSE(parseIsoUtcMs("2025-13-23T04:40:45Z", ms));
    EXPECT_FALSE(parseIsoUtcMs("", ms));
}

TEST(Clock, ParsesEveryFormSdksSendAndRejectsDatesThatDoNotExist) {
    std::int64_t ms = 0;
    ASSERT_TRUE(parseIsoUtcMs("2025-11-23 03:40:45.5z", ms));
    EXPECT_EQ(formatIsoUtcMs(ms), "2025-11-23T03:40:45.500Z");
    ASSERT_TRUE(parseIsoUtcMs("2025-11-22T22:40:45.123456789-0500", ms));
    EXPECT_EQ(formatIsoUtcMs(ms), "2025-11-23T03:40:45.123Z");
    ASSERT_TRUE(parseIsoUtcMs("2024-02-29T00:00:00Z", ms));
    EXPECT_EQ(formatIsoUtcDay(ms), "2024-02-29");
    ASSERT_TRUE(parseIsoUtcMs("2016-12-31T23:59:60Z", ms));  // a leap second reads as the next minute
    EXPECT_EQ(formatIsoUtcMs(ms), "2017-01-01T00:00:00.000Z");
    EXPECT_FALSE(parseIsoUtcMs("2025-02-29T00:00:00Z", ms));
    EXPECT_FALSE(parseIsoUtcMs("2025-04-31T00:00:00Z", ms));
    EXPECT_FALSE(parseIsoUtcMs("2025-11-23T24:00:00Z", ms));
    EXPECT_FALSE(parseIsoUtcMs("2025-11-23T03:40:45", ms));             // no zone
    EXPECT_FALSE(parseIsoUtcMs("2025-11-23T03:40:45.Z", ms));           // empty fraction
    EXPECT_FALSE(parseIsoUtcMs("2025-11-23T03:40:45.1234567890Z", ms));  // ten digits
    EXPECT_FALSE(parseIsoUtcMs("2025-11-23T03:40:45+25:00", ms));
    EXPECT_FALSE(parseIsoUtcMs("2025-11-23T03:40:45Z ", ms));
    EXPECT_FALSE(parseIsoUtcMs("2025-11-23T03:40:4Z", ms));
    EXPECT_FALSE(parseIsoUtcMs(std::string_view("2025-11-23T03:40:45Z\0", 21), ms));
}

TEST(Clock, FormatsTimesBeforeTheEpoch) {
    EXPECT_EQ(formatIsoUtcMs(-1), "1969-12-31T23:59:59.999Z");
    EXPECT_EQ(formatIsoUtcMs(0), "1970-01-01T00:00:00.000Z");
    std::int64_t ms = 1;
    ASSERT_TRUE(parseIsoUtcMs("1969-12-31T23:59:59.999Z", ms));
    EXPECT_EQ(ms, -1);
}

TEST(Clock, ManualClockMovesOnlyWhenTold) {
    ManualClock clock(1000, 5);
    EXPECT_EQ(clock.utcMs(), 1000);
    clock.advanceMs(250);
    EXPECT_EQ(clock.utcMs(), 1250);
    EXPECT_EQ(clock.monotonicMs(), 255);
}

TEST(Uuid, IsVersion4AndUnique) {
    const std::string a = newUuidV4();
    const std::string b = newUuidV4();
    EXPECT_TRUE(isUuid(a));
    EXPECT_NE(a, b);
    EXPECT_EQ(a[14], '4');
    EXPECT_TRUE(a[19] == '8' || a[19] == '9' || a[19] == 'a' || a[19] == 'b');
    EXPECT_FALSE(isUuid("not-a-uuid"));
}

TEST(Uuid, Version7SortsByTimeAndCarriesIt) {
    const std::string early = newUuidV7(1'700'000'000'000);
    const std::string same = newUuidV7(1'700'000'000'000);
    const std::string later = newUuidV7(1'700'000'000'001);
    EXPECT_TRUE(isUuid(early));
    EXPECT_EQ(early[14], '7');
    EXPECT_TRUE(early[19] == '8' || early[19] == '9' || early[19] == 'a' || early[19] == 'b');
    EXPECT_NE(early, same);  // the random part still differs within one millisecond
    EXPECT_LT(early, later);
    EXPECT_LT(same, later);
    // 1700000000000 ms = 0x018bcfe56800: the first 48 bits, in order.
    EXPECT_EQ(early.substr(0, 13), "018bcfe5-6800");
}

}  // namespace
}  // namespace touchpoint

#include "common/log.hpp"

namespace touchpoint {
namespace {
TEST(Log, OneStructuredLineWithQuotedValues) {
    const std::string line =
        log::format(log::Level::Warn, "uploader", "batch failed", {{"status", "503"}, {"why", "hub said \"busy\""}});
    EXPECT_EQ(line, R"(level=warn component=uploader msg="batch failed" status=503 why="hub said \"busy\"")");
}
}  // namespace
}  // namespace touchpoint
