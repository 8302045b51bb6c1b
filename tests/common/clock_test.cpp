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
