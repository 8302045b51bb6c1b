// The cases steps of the hub's schema (kCasesSchemaVersion, kFeedbackWindowsVersion) on a real SQLite file: a
// database of the step before gains the alert, case, contact and notification tables (and later the stores'
// stamps), keeps its rows, and the keys that make each rule fire once hold.

#include <gtest/gtest.h>

#include "schema_step_support.hpp"

namespace touchpoint::hub {
namespace {

using touchpoint::testing::TempDir;

constexpr const char* kCasesTables[] = {"feedback_contacts", "cases",  "case_notes",
                                        "case_audit",        "alerts", "notifications"};

TEST(HubCasesSchema, TheStepBeforeGainsTheCasesTables) {
    TempDir dir;
    ASSERT_NO_FATAL_FAILURE(
        testing::makeDatabaseAtStepBefore(dir, kCasesSchemaVersion, [](sqlite::Database& db) {
            for (const char* table : kCasesTables) ASSERT_TRUE(db.exec(std::string("DROP TABLE ") + table));
            ASSERT_TRUE(db.exec("DROP INDEX feedback_store_at"));
        }));
    auto store = openHubStore(testing::hubDatabaseUrl(dir), HubConfig{});
    ASSERT_TRUE(store) << store.error().message;
    auto listed = (*store)->cases().listCases({});
    ASSERT_TRUE(listed) << listed.error().message;
    EXPECT_TRUE(listed->empty());
    auto db = sqlite::Database::open(dir / "hub.db");
    ASSERT_TRUE(db);
    testing::expectAtTodaysVersionWithRowsKept(*db, kCasesSchemaVersion);
    for (const char* table : kCasesTables) {
        EXPECT_EQ(*db->queryInt(
                      std::string("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '") +
                      table + "'"),
                  1)
            << table;
    }
    // An alert's key and a case's answer are unique: the second insert is refused.
    auto alert = [](const std::string& id) {
        return "INSERT INTO alerts(id, rule, kind, store_id, period_start, detail, window_start, window_end, "
               "responses, "
               "unhappy, matching, top_reasons, fired_at) VALUES('" +
               id + "','r','unhappy_share','s1',0,'',0,1,4,4,4,'[]',1)";
    };
    EXPECT_TRUE(db->exec(alert("a1")));
    EXPECT_FALSE(db->exec(alert("a2")));
}

TEST(HubCasesSchema, TheStepBeforeFeedbackWindowsGainsTheStampsTableAndTheAuditDetail) {
    TempDir dir;
    ASSERT_NO_FATAL_FAILURE(testing::makeDatabaseAtStepBefore(dir, kFeedbackWindowsVersion, [](sqlite::Database& db) {
        ASSERT_TRUE(db.exec("DROP TABLE feedback_windows"));
        ASSERT_TRUE(db.exec("DROP INDEX audit_route_at"));
        ASSERT_TRUE(db.exec("ALTER TABLE audit DROP COLUMN detail"));
        ASSERT_TRUE(db.exec("INSERT INTO audit(at, token_name, identifier_type, profile_id, found, route) "
                            "VALUES(1, 'ho', 'events', NULL, 1, 'export')"));
    }));
    {
        auto store = openHubStore(testing::hubDatabaseUrl(dir), HubConfig{});
        ASSERT_TRUE(store) << store.error().message;
    }
    auto db = sqlite::Database::open(dir / "hub.db");
    ASSERT_TRUE(db);
    testing::expectAtTodaysVersionWithRowsKept(*db, kFeedbackWindowsVersion);
    EXPECT_EQ(*db->queryInt("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'feedback_windows'"), 1);
    EXPECT_EQ(*db->queryInt("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 'audit_route_at'"), 1);
    EXPECT_EQ(*db->queryInt("SELECT COUNT(*) FROM audit WHERE detail = '' AND route = 'export'"), 1);  // kept, no detail
    // One stamp per store.
    EXPECT_TRUE(db->exec("INSERT INTO feedback_windows(store_id, stamp, replaced) VALUES('s1', 1, 0)"));
    EXPECT_FALSE(db->exec("INSERT INTO feedback_windows(store_id, stamp, replaced) VALUES('s1', 2, 0)"));
}

}  // namespace
}  // namespace touchpoint::hub
