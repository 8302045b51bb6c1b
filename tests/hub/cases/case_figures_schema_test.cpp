// The case figures' step of the hub's schema (kCaseFiguresIndexVersion) on a real SQLite file: a database of
// the step before gains the indexes the figures read by (an answer by message id, cases by opening time) and
// keeps its rows.

#include <gtest/gtest.h>

#include "schema_step_support.hpp"

namespace touchpoint::hub {
namespace {

using touchpoint::testing::TempDir;

constexpr const char* kStepIndexes[] = {"feedback_message", "cases_opened"};

TEST(HubCaseFiguresSchema, TheStepBeforeGainsTheFiguresIndexes) {
    TempDir dir;
    auto indexCount = [](sqlite::Database& db, const char* name) {
        return *db.queryInt(
            std::string("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = '") + name + "'");
    };
    ASSERT_NO_FATAL_FAILURE(
        testing::makeDatabaseAtStepBefore(dir, kCaseFiguresIndexVersion, [&](sqlite::Database& db) {
            for (const char* index : kStepIndexes) {
                EXPECT_EQ(indexCount(db, index), 1) << index << " in a new database";
                ASSERT_TRUE(db.exec(std::string("DROP INDEX ") + index));
            }
        }));
    auto store = openHubStore(testing::hubDatabaseUrl(dir), HubConfig{});
    ASSERT_TRUE(store) << store.error().message;
    auto timings = (*store)->cases().caseTimings(0, 1, "");
    ASSERT_TRUE(timings) << timings.error().message;
    EXPECT_TRUE(timings->empty());
    auto db = sqlite::Database::open(dir / "hub.db");
    ASSERT_TRUE(db);
    testing::expectAtTodaysVersionWithRowsKept(*db, kCaseFiguresIndexVersion);
    for (const char* index : kStepIndexes) EXPECT_EQ(indexCount(*db, index), 1) << index;
}

}  // namespace
}  // namespace touchpoint::hub
