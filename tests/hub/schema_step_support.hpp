#pragma once
// The set-up every schema step test on a real SQLite file shares: a hub database made by today's hub, put
// back to how the step before left it, then opened again so the step runs. A row the step must keep (a
// tombstone) goes in on the way back, and afterwards the database must be at today's version with that row.

#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "common/sqlite.hpp"
#include "hub/store/hub_store.hpp"
#include "hub/store/sql_schema.hpp"
#include "temp_dir.hpp"

namespace touchpoint::hub::testing {

/// The store URL of `dir`/hub.db.
inline std::string hubDatabaseUrl(const touchpoint::testing::TempDir& dir) {
    return "sqlite://" + (dir / "hub.db").string();
}

/// Makes `dir`/hub.db with today's hub, runs `undo` on it (drop what the step adds; insert rows the step must
/// keep as the step before's tables hold them), adds the tombstone 'kept' and sets the schema version to the
/// one before `stepVersion`. Fatal failures stop the calling test (check with ASSERT_NO_FATAL_FAILURE).
inline void makeDatabaseAtStepBefore(const touchpoint::testing::TempDir& dir, int stepVersion,
                                     const std::function<void(sqlite::Database&)>& undo) {
    {
        auto store = openHubStore(hubDatabaseUrl(dir), HubConfig{});
        ASSERT_TRUE(store) << store.error().message;
    }
    auto db = sqlite::Database::open(dir / "hub.db");
    ASSERT_TRUE(db);
    ASSERT_NO_FATAL_FAILURE(undo(*db));
    ASSERT_TRUE(db->exec("INSERT INTO tombstones(hash, erased_at) VALUES('kept', 1)"));
    ASSERT_TRUE(db->exec("UPDATE schema_version SET version = " + std::to_string(stepVersion - 1)));
}

/// After the step: `db` is at today's version, which includes `stepVersion`, and the tombstone 'kept' is
/// there.
inline void expectAtTodaysVersionWithRowsKept(sqlite::Database& db, int stepVersion) {
    EXPECT_EQ(*db.queryInt("SELECT version FROM schema_version"), kHubSchemaVersion);
    EXPECT_GE(kHubSchemaVersion, stepVersion);
    EXPECT_EQ(*db.queryInt("SELECT COUNT(*) FROM tombstones WHERE hash = 'kept'"), 1);
}

}  // namespace touchpoint::hub::testing
