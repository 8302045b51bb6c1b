// The Sources page's tables: a source whose rejections dominate its latest hour is failing and listed first;
// a quiet one is flagged; payloads are masked again before they reach a screen.

#include <gtest/gtest.h>

#include "hub/dashboard/sources_table.hpp"

namespace touchpoint::hub::dashboard {
namespace {

constexpr std::int64_t kNow = 1'795'000'000'000;
constexpr std::int64_t kHour = kSourceHourMs;

TEST(DashboardSources, FailingFirstThenQuietThenByName) {
    const std::int64_t thisHour = kNow - kNow % kHour;
    std::vector<SourceRecord> records{
        {"a-kiosk", kNow - 1000, "", {{thisHour, 40, 2, 1}}, {}},
        // Fine yesterday, failing now: the latest hour decides.
        {"b-web", kNow - 500, "analytics.js/2.0", {{thisHour - kHour, 100, 0, 0}, {thisHour, 3, 0, 9}},
         {{kNow - 500, "m-9", "timestamp: not RFC 3339", R"({"traits":{"note":"ada@example.com"}})"}}},
        {"c-app", kNow - 2 * 24 * kHour, "", {}, {}},
        {"d-server", 0, "", {}, {}},
    };
    const auto health = readSources(records, kNow);
    ASSERT_EQ(health.size(), 4u);
    EXPECT_EQ(health[0].name, "b-web");
    EXPECT_EQ(health[0].status, "failing");
    EXPECT_NE(health[0].why.find("9 of 12"), std::string::npos) << health[0].why;
    EXPECT_EQ(health[0].accepted, 103);
    EXPECT_EQ(health[1].name, "c-app");
    EXPECT_EQ(health[1].status, "quiet");
    EXPECT_EQ(health[2].name, "a-kiosk");
    EXPECT_EQ(health[2].status, "ok");
    EXPECT_EQ(health[3].status, "never");

    std::map<std::string, Table> tables;
    addSourceTables(tables, records, health);
    ASSERT_EQ(tables["sources"].rows.size(), 4u);
    EXPECT_EQ(tables["sources"].rowClass[0], "failing");
    EXPECT_EQ(tables["sources"].rowClass[1], "stale");
    ASSERT_EQ(tables["rejections"].rows.size(), 1u);
    const auto& payload = tables["rejections"].rows[0][4];
    EXPECT_EQ(payload.find("ada@example.com"), std::string::npos) << payload;
    EXPECT_EQ(tables["sourceHours"].rows.size(), 3u);
    EXPECT_EQ(tables["sourceHours"].rowClass[0], "");  // a-kiosk's hour
    EXPECT_EQ(tables["sourceHours"].rowClass[1], "failing");  // b-web's latest hour first
}

}  // namespace
}  // namespace touchpoint::hub::dashboard
