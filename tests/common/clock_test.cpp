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
