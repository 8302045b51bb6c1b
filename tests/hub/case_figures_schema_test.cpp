// The case figures' step of the hub's schema (kCaseFiguresIndexVersion) on a real SQLite file: a database of
// the step before gains the indexes the figures read by (an answer by message id, cases by opening time) and
// keeps its rows.

#include <gtest/gtest.h>

#include "common/sqlite.hpp"
#include "hub/store/hub_store.hpp"
#include "hub/store/sql_schema.hpp"
#include "temp_dir.hpp"

namespace touchpoint::hub {
namespace {

using touchpoint::testing::TempDir;

constexpr const char* kStepIndexes[] = {"feedback_message", "cases_opened"};

TEST(HubCaseFiguresSchema, TheStepBeforeGainsTheFiguresIndexes) {
    TempDir dir;
    const std::string url = "sqlite://" + (dir / "hub.db").string();
    {
        auto store = openHubStore(url, HubConfig{});
        ASSERT_TRUE(store) << store.error().message;
    }
    auto indexCount = [](sqlite::Database& db, const char* name) {
        return *db.queryInt(
            std::string("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = '") + name + "'");
    };
    {
        auto db = sqlite::Database::open(dir / "hub.db");
        ASSERT_TRUE(db);
        for (const char* index : kStepIndexes) {
            EXPECT_EQ(indexCount(*db, index), 1) << index << " in a new database";
            ASSERT_TRUE(db->exec(std::string("DROP INDEX ") + index));
        }
        ASSERT_TRUE(db->exec("INSERT INTO tombstones(hash, erased_at) VALUES('kept', 1)"));
        ASSERT_TRUE(
            db->exec("UPDATE schema_version SET version = " + std::to_string(kCaseFiguresIndexVersion - 1)));
    }
    auto store = openHubStore(url, HubConfig{});
    ASSERT_TRUE(store) << store.error().message;
    auto timings = (*store)->cases().caseTimings(0, 1, "");
    ASSERT_TRUE(timings) << timings.error().message;
    EXPECT_TRUE(timings->empty());
    auto db = sqlite::Database::open(dir / "hub.db");
    ASSERT_TRUE(db);
    EXPECT_EQ(*db->queryInt("SELECT version FROM schema_version"), kHubSchemaVersion);
    EXPECT_GE(kHubSchemaVersion, kCaseFiguresIndexVersion);
    EXPECT_EQ(*db->queryInt("SELECT COUNT(*) FROM tombstones WHERE hash = 'kept'"), 1);
    for (const char* index : kStepIndexes) EXPECT_EQ(indexCount(*db, index), 1) << index;
}

}  // namespace
}  // namespace touchpoint::hub
