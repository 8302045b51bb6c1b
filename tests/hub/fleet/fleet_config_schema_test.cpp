// The kiosk configuration step of the hub's schema (kFleetConfigVersion) on a real SQLite file: a database of
// the step before gains the documents, assignments and regions tables and the kiosks' config columns, keeps
// its rows, and the store publishes into it.

#include <gtest/gtest.h>

#include "schema_step_support.hpp"

namespace touchpoint::hub {
namespace {

using touchpoint::testing::TempDir;

TEST(HubFleetConfigSchema, TheStepBeforeGainsTheConfigTablesAndKioskColumns) {
    TempDir dir;
    ASSERT_NO_FATAL_FAILURE(
        testing::makeDatabaseAtStepBefore(dir, kFleetConfigVersion, [](sqlite::Database& db) {
            for (const char* table : {"config_documents", "config_assignments", "store_regions"}) {
                ASSERT_TRUE(db.exec(std::string("DROP TABLE ") + table));
            }
            ASSERT_TRUE(db.exec("ALTER TABLE kiosks DROP COLUMN config_version"));
            ASSERT_TRUE(db.exec("ALTER TABLE kiosks DROP COLUMN config_refusal"));
            ASSERT_TRUE(db.exec(
                "INSERT INTO kiosks(store_id, kiosk_id, last_seen, app_version) VALUES('s1','k1',5,'1.0')"));
        }));
    auto store = openHubStore(testing::hubDatabaseUrl(dir), HubConfig{});
    ASSERT_TRUE(store) << store.error().message;
    auto fleet = (*store)->fleet();
    ASSERT_TRUE(fleet) << fleet.error().message;
    ASSERT_EQ(fleet->size(), 1u);
    EXPECT_EQ((*fleet)[0].appVersion, "1.0");
    EXPECT_FALSE((*fleet)[0].configVersion);
    EXPECT_FALSE((*fleet)[0].configRefusal);

    auto published = (*store)->fleetConfig().publish(
        "spring", "spring", "test", 1000,
        [](const PublishFacts& facts) {
            EXPECT_FALSE(facts.previousBody);
            EXPECT_EQ(facts.highestSurveyVersion, 0);
            return PreparedRevision{"{\"format\":1}", 1};
        },
        NewAssignment{{fleet::ScopeKind::All, ""}, 1000});
    ASSERT_TRUE(published) << published.error().message;
    EXPECT_EQ(published->revision, 1);
    auto again = (*store)->fleetConfig().publish(
        "spring", "spring", "test", 2000,
        [](const PublishFacts& facts) {
            EXPECT_EQ(facts.previousBody, "{\"format\":1}");
            EXPECT_EQ(facts.highestSurveyVersion, 1);
            return PreparedRevision{"{\"format\":1,\"x\":2}", 2};
        },
        std::nullopt);
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_EQ(again->revision, 2);
    EXPECT_GT(again->id, published->id);
    ASSERT_TRUE((*store)->fleetConfig().setRegion("s1", "north"));
    auto set = (*store)->fleetConfig().assignments();
    ASSERT_TRUE(set) << set.error().message;
    ASSERT_EQ(set->assignments.size(), 1u);
    EXPECT_EQ(set->assignments[0].documentId, published->id);
    EXPECT_EQ(set->regionOfStore.at("s1"), "north");
    EXPECT_FALSE(*(*store)->fleetConfig().assign(999, {{fleet::ScopeKind::All, ""}, 0}, "t", 0));

    auto db = sqlite::Database::open(dir / "hub.db");
    ASSERT_TRUE(db);
    testing::expectAtTodaysVersionWithRowsKept(*db, kFleetConfigVersion);
    // A name's revisions are unique.
    EXPECT_FALSE(
        db->exec("INSERT INTO config_documents(name, revision, body, survey_id, survey_version, created_ms, "
                 "created_by) VALUES('spring', 1, '{}', 'spring', 1, 0, 'x')"));
}

}  // namespace
}  // namespace touchpoint::hub
