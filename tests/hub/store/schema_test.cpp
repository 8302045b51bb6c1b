// The hub's schema on a real SQLite file: a database written by schema version 1 (the first release's
// layout, recreated here) is migrated in place without losing a row, and a newer database is refused.

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "common/sqlite.hpp"
#include "hub/http/export_format.hpp"
#include "hub/store/hub_store.hpp"
#include "hub/store/merge_records.hpp"
#include "hub/store/sql_backend.hpp"
#include "hub/store/sql_schema.hpp"
#include "hub/store/sqlite_write_strategy.hpp"
#include "schema_step_support.hpp"
#include "temp_dir.hpp"

namespace touchpoint::hub {
namespace {

using touchpoint::testing::TempDir;

// Version 1's fact tables, as that release created them (message ids as primary keys, no version table).
constexpr const char* kVersion1 = R"SQL(
CREATE TABLE events(
  message_id TEXT PRIMARY KEY, type TEXT NOT NULL, event TEXT NOT NULL, at BIGINT NOT NULL, day TEXT NOT NULL,
  received_at BIGINT NOT NULL, store_id TEXT NOT NULL, kiosk_id TEXT NOT NULL, channel TEXT NOT NULL,
  profile_id TEXT, payload TEXT NOT NULL);
CREATE INDEX events_day ON events(day, message_id);
CREATE INDEX events_profile ON events(profile_id);
CREATE TABLE feedback(
  message_id TEXT PRIMARY KEY, at BIGINT NOT NULL, day TEXT NOT NULL, store_id TEXT NOT NULL, kiosk_id TEXT NOT NULL,
  profile_id TEXT, abandoned BIGINT NOT NULL, misuse BIGINT NOT NULL, nps BIGINT, csat BIGINT, ces BIGINT,
  reasons TEXT NOT NULL, comment TEXT, survey_id TEXT NOT NULL, abandon_reason TEXT NOT NULL);
CREATE INDEX feedback_day ON feedback(day, message_id);
CREATE INDEX feedback_profile ON feedback(profile_id);
CREATE TABLE signins(
  message_id TEXT PRIMARY KEY, at BIGINT NOT NULL, day TEXT NOT NULL, store_id TEXT NOT NULL, kiosk_id TEXT NOT NULL,
  profile_id TEXT, method TEXT NOT NULL, new_member BIGINT NOT NULL, awarded BIGINT NOT NULL);
CREATE INDEX signins_day ON signins(day, message_id);
CREATE INDEX signins_profile ON signins(profile_id);
CREATE TABLE checkins(
  message_id TEXT PRIMARY KEY, profile_id TEXT NOT NULL, at BIGINT NOT NULL, day TEXT NOT NULL,
  awarded BIGINT NOT NULL, points BIGINT NOT NULL, reason TEXT NOT NULL);
CREATE INDEX checkins_profile ON checkins(profile_id, at);
CREATE TABLE transitions(
  message_id TEXT NOT NULL, profile_id TEXT, at BIGINT NOT NULL, day TEXT NOT NULL, from_stage TEXT NOT NULL,
  to_stage TEXT NOT NULL, channel TEXT NOT NULL, PRIMARY KEY(message_id, from_stage));
CREATE INDEX transitions_day ON transitions(day);
INSERT INTO events VALUES('m-b', 'track', 'Feedback Submitted', 2000, '2026-11-02', 2100, 's1', 'k1', 'in_store_kiosk',
                          NULL, '{"n":2}');
INSERT INTO events VALUES('m-a', 'track', 'Feedback Submitted', 1000, '2026-11-02', 1100, 's1', 'k1', 'in_store_kiosk',
                          NULL, '{"n":1}');
INSERT INTO events VALUES('m-c', 'track', 'Loyalty Signed In', 500, '2026-11-01', 600, 's1', 'k1', 'in_store_kiosk',
                          NULL, '{"n":0}');
INSERT INTO feedback VALUES('m-b', 2000, '2026-11-02', 's1', 'k1', NULL, 0, 0, 9, 5, 2, '[]', NULL, 'visit', '');
INSERT INTO feedback VALUES('m-a', 1000, '2026-11-02', 's1', 'k1', NULL, 0, 0, 3, 2, 6, '[]', 'slow', 'visit', '');
INSERT INTO signins VALUES('m-c', 500, '2026-11-01', 's1', 'k1', NULL, 'phone', 0, 0);
INSERT INTO checkins VALUES('m-c', 'p1', 500, '2026-11-01', 1, 10, '');
INSERT INTO transitions VALUES('m-c', 'p1', 500, '2026-11-01', 'awareness', 'retention', 'in_store_kiosk');
)SQL";

std::vector<nlohmann::json> exportAll(HubStore& store, const std::string& kind) {
    std::vector<nlohmann::json> all;
    std::string cursor;
    while (true) {
        // small pages: the cursor is used
        auto page = store.exportPage(*exportKindNamed(kind), "2026-01-01", "2026-12-31", "", cursor, 2);
        EXPECT_TRUE(page) << (page ? "" : page.error().message);
        if (!page || page->empty()) return all;
        for (const auto& row : *page) all.push_back(exportJson(row));
    }
}

IngestMessage message(const std::string& id) {
    IngestMessage m;
    m.type = "track";
    m.messageId = id;
    m.event = "Feedback Submitted";
    m.channel = "in_store_kiosk";
    m.storeId = "s1";
    m.kioskId = "k1";
    m.timestampMs = m.correctedMs = m.receivedMs = 3000;
    m.payloadText = nlohmann::json{{"messageId", id}}.dump();
    return m;
}

TEST(HubSchema, VersionOneDatabaseIsMigratedWithEveryRow) {
    TempDir dir;
    const auto path = dir / "hub.db";
    {
        auto db = sqlite::Database::open(path);
        ASSERT_TRUE(db);
        ASSERT_TRUE(db->exec(kVersion1));
    }
    auto store = openHubStore("sqlite://" + path.string(), HubConfig{});
    ASSERT_TRUE(store) << store.error().message;
    ASSERT_EQ(*(*store)->countEvents(), 3);

    // Exports page through the migrated rows in (day, capture order).
    const auto events = exportAll(**store, "events");
    ASSERT_EQ(events.size(), 3u);
    EXPECT_EQ(events[0]["messageId"], "m-c");
    EXPECT_EQ(events[1]["messageId"], "m-a");
    EXPECT_EQ(events[2]["messageId"], "m-b");
    const auto feedback = exportAll(**store, "feedback");
    ASSERT_EQ(feedback.size(), 2u);
    EXPECT_EQ(feedback[0]["nps"], 3);
    EXPECT_EQ(feedback[1]["nps"], 9);
    EXPECT_EQ(exportAll(**store, "signins").size(), 1u);

    // Deduplication still knows the migrated message ids; new ones are stored after them.
    const auto old = message("m-a");
    const auto fresh = message("m-d");
    IngestStats stats;
    auto r = (*store)->ingest({&old, &fresh}, stats);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ((*r)[0], ReceiptStatus::Duplicate);
    EXPECT_EQ((*r)[1], ReceiptStatus::Accepted);
    EXPECT_EQ(*(*store)->countEvents(), 4);

    auto db = sqlite::Database::open(path);
    ASSERT_TRUE(db);
    EXPECT_EQ(*db->queryInt("SELECT version FROM schema_version"), kHubSchemaVersion);
    EXPECT_EQ(*db->queryInt("SELECT COUNT(*) FROM sqlite_master WHERE name LIKE '%_v1'"), 0);
}

/// A database made by this build holding one event ("m-1").
void storeOneMessage(const std::string& url) {
    auto store = openHubStore(url, HubConfig{});
    ASSERT_TRUE(store) << store.error().message;
    const auto m = message("m-1");
    IngestStats stats;
    ASSERT_TRUE((*store)->ingest({&m}, stats));
}

/// A database at today's schema holding one message, and a connection to it (null after a failure).
std::unique_ptr<SqlConnection> openTodaysDatabase(const TempDir& dir) {
    storeOneMessage("sqlite://" + (dir / "hub.db").string());
    auto c = openSqlite((dir / "hub.db").string());
    if (!c) {
        ADD_FAILURE() << c.error().message;
        return nullptr;
    }
    return std::move(c).value();
}

/// SQLite's plan for `sql` (EXPLAIN QUERY PLAN), a line a step; "" (and a failure) when it cannot be had.
std::string planSteps(SqlConnection& c, const std::string& sql, const std::vector<SqlValue>& params) {
    auto plan = c.query("EXPLAIN QUERY PLAN " + sql, params);
    if (!plan) {
        ADD_FAILURE() << sql << ": " << plan.error().message;
        return "";
    }
    std::string steps;
    for (std::size_t i = 0; i < plan->size(); ++i) steps += plan->text(i, 3) + "\n";
    return steps;
}

// Version 2's tokens and audit tables, before token kinds.
constexpr const char* kVersion2Tokens = R"SQL(
CREATE TABLE schema_version(version BIGINT NOT NULL);
INSERT INTO schema_version VALUES(2);
CREATE TABLE tokens(
  hash TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, scope TEXT NOT NULL, created_at BIGINT NOT NULL, revoked_at BIGINT);
CREATE TABLE audit(
  at BIGINT NOT NULL, token_name TEXT NOT NULL, identifier_type TEXT NOT NULL, profile_id TEXT, found BIGINT NOT NULL);
INSERT INTO tokens VALUES('h-kiosk', 'kiosk-1', 'ingest', 1, NULL);
INSERT INTO tokens VALUES('h-staff', 'staff-1', 'lookup', 1, NULL);
INSERT INTO tokens VALUES('h-office', 'head-office', 'head-office', 1, NULL);
INSERT INTO audit VALUES(5, 'staff-1', 'phone', NULL, 0);
)SQL";

TEST(HubSchema, VersionTwoTokensBecomeUnboundKioskStaffAndAdminTokens) {
    TempDir dir;
    const auto path = dir / "hub.db";
    {
        auto db = sqlite::Database::open(path);
        ASSERT_TRUE(db);
        ASSERT_TRUE(db->exec(kVersion2Tokens));
    }
    const std::string url = "sqlite://" + path.string();
    {
        auto store = openHubStore(url, HubConfig{});
        ASSERT_TRUE(store) << store.error().message;
        const auto kiosk = (*store)->findToken("h-kiosk").value();
        ASSERT_TRUE(kiosk);
        EXPECT_EQ(kiosk->kind, "kiosk");
        EXPECT_EQ(kiosk->storeId, "");  // unbound: refused by the hub until `token bind`
        EXPECT_EQ((*store)->findToken("h-staff").value()->kind, "staff");
        const auto office = (*store)->findToken("h-office").value();
        EXPECT_EQ(office->kind, "head-office");
        EXPECT_EQ(office->role, "admin");
        EXPECT_EQ((*store)->recentAudit(10, "lookup").value().size(), 1u);
        EXPECT_TRUE(*(*store)->bindToken("kiosk-1", "s1", "k1"));
    }
    auto again = openHubStore(url, HubConfig{});  // reopening changes nothing
    ASSERT_TRUE(again) << again.error().message;
    const auto kiosk = (*again)->findToken("h-kiosk").value();
    EXPECT_EQ(kiosk->storeId, "s1");
    EXPECT_EQ(kiosk->kioskId, "k1");
    auto db = sqlite::Database::open(path);
    EXPECT_EQ(*db->queryInt("SELECT version FROM schema_version"), kHubSchemaVersion);
}

TEST(HubSchema, ReopeningKeepsDataAndNewerSchemaIsRefused) {
    TempDir dir;
    const std::string url = "sqlite://" + (dir / "hub.db").string();
    ASSERT_NO_FATAL_FAILURE(storeOneMessage(url));
    {
        auto again = openHubStore(url, HubConfig{});
        ASSERT_TRUE(again) << again.error().message;
        EXPECT_EQ(*(*again)->countEvents(), 1);
    }
    {
        auto db = sqlite::Database::open(dir / "hub.db");
        ASSERT_TRUE(db);
        ASSERT_TRUE(db->exec("UPDATE schema_version SET version = 99"));
    }
    auto newer = openHubStore(url, HubConfig{});
    ASSERT_FALSE(newer);
    EXPECT_NE(newer.error().message.find("schema version 99"), std::string::npos) << newer.error().message;
}

TEST(HubSchema, VersionTwoDatabaseGainsTheGroupAndSourceTables) {
    TempDir dir;
    const std::string url = "sqlite://" + (dir / "hub.db").string();
    ASSERT_NO_FATAL_FAILURE(storeOneMessage(url));
    {
        // What version 2 wrote: the same tables without version 3's.
        auto db = sqlite::Database::open(dir / "hub.db");
        ASSERT_TRUE(db);
        for (const char* table : {"account_groups", "profile_groups", "sources", "source_hours", "source_rejections"}) {
            ASSERT_TRUE(db->exec(std::string("DROP TABLE ") + table));
        }
        ASSERT_TRUE(db->exec("UPDATE schema_version SET version = 2"));
    }
    auto store = openHubStore(url, HubConfig{});
    ASSERT_TRUE(store) << store.error().message;
    EXPECT_EQ(*(*store)->countEvents(), 1);
    ASSERT_TRUE((*store)->recordSources({{"web", 1000, "", {{0, 1, 0, 0}}, {}}}, 1000));
    auto sources = (*store)->sources(0);
    ASSERT_TRUE(sources) << sources.error().message;
    EXPECT_EQ(sources->size(), 1u);
    auto db = sqlite::Database::open(dir / "hub.db");
    ASSERT_TRUE(db);
    EXPECT_EQ(*db->queryInt("SELECT version FROM schema_version"), kHubSchemaVersion);
    EXPECT_EQ(*db->queryInt("SELECT COUNT(*) FROM sqlite_master WHERE name IN ('account_groups', 'profile_groups')"), 2);
}

TEST(HubSchema, CurrentVersionDatabaseGetsAMissingTableOrIndexBack) {
    TempDir dir;
    const std::string url = "sqlite://" + (dir / "hub.db").string();
    ASSERT_NO_FATAL_FAILURE(storeOneMessage(url));
    {
        // A database at the current version that lacks a table and an index (one branch's version 3 before
        // both branches' tables were merged into it).
        auto db = sqlite::Database::open(dir / "hub.db");
        ASSERT_TRUE(db);
        ASSERT_TRUE(db->exec("DROP TABLE sessions"));
        ASSERT_TRUE(db->exec("DROP INDEX checkins_profile"));
    }
    {
        auto store = openHubStore(url, HubConfig{});
        ASSERT_TRUE(store) << store.error().message;
        EXPECT_EQ(*(*store)->countEvents(), 1);
    }
    auto db = sqlite::Database::open(dir / "hub.db");
    ASSERT_TRUE(db);
    EXPECT_EQ(*db->queryInt("SELECT COUNT(*) FROM sqlite_master WHERE name IN ('sessions', 'checkins_profile')"), 2);
    // (That a complete database gets no DDL at all, which would wait for other hubs' writes, is
    // tests/hub/store/ha_drain_test.cpp's AHubStartsWhileAnotherHubHoldsAWriteOpen, on PostgreSQL.)
}

TEST(HubSchema, TheAuditOfOneRouteIsReadNewestFirstFromItsIndex) {
    TempDir dir;
    auto c = openTodaysDatabase(dir);
    ASSERT_TRUE(c);
    // GET /v1/audit?route=export among a busy hub's welcome rows: the route's rows in time order, no scan of
    // the others and no sort.
    const std::string steps =
        planSteps(*c,
                  "SELECT at, token_name, identifier_type, profile_id, found, route, "
                  "store_id, kiosk_id FROM audit WHERE route = ? ORDER BY at DESC LIMIT ?",
                  {std::string("export"), std::int64_t{100}});
    EXPECT_NE(steps.find("USING INDEX audit_route_at (route=?)"), std::string::npos) << steps;
    EXPECT_EQ(steps.find("TEMP B-TREE"), std::string::npos) << steps;
}

TEST(HubSchema, UndoneMergesAreFoundWithoutReadingAProfilesOtherMerges) {
    TempDir dir;
    auto c = openTodaysDatabase(dir);
    ASSERT_TRUE(c);
    // A regular's history: many merges as winner (one per visit that answered before signing in), one undone.
    for (int i = 0; i < 200; ++i) {
        ASSERT_TRUE(
            c->exec("INSERT INTO merges(at, message_id, source, winner_id, loser_id, winner_before, "
                    "loser_before, undone_at) VALUES(?, ?, 'kiosk', 'regular', ?, 'sealed', 'sealed', ?)",
                    {std::int64_t{i}, "m-" + std::to_string(i), "visit-" + std::to_string(i),
                     i == 7 ? SqlValue{std::int64_t{99}} : SqlValue{}}));
    }
    // No ANALYZE: the hub never runs it on SQLite, so the plan must not depend on statistics.
    // The batch prefetch's questions (store/merge_records.hpp), as queryIn sends them for two profiles.
    for (const auto& [prefix, index] : {std::pair{kUndoneMergesByWinner, "merges_winner_undone"},
                                        std::pair{kUndoneMergesByLoser, "merges_loser_undone"}}) {
        const std::string sql = std::string(prefix) + " IN (?,?)";
        const std::string steps = planSteps(*c, sql, {std::string("regular"), std::string("visit-7")});
        EXPECT_NE(steps.find(std::string("USING COVERING INDEX ") + index), std::string::npos) << sql << "\n"
                                                                                               << steps;
        auto rows = c->query(sql, {std::string("regular"), std::string("visit-7")});
        ASSERT_TRUE(rows) << rows.error().message;
        ASSERT_EQ(rows->size(), 1u) << sql;
        EXPECT_EQ(rows->text(0, 0), "regular");
        EXPECT_EQ(rows->text(0, 1), "visit-7");
    }
}

TEST(HubSchema, VersionThirteenMergesIndexesAreReplacedByTheUndoneOnes) {
    TempDir dir;
    ASSERT_NO_FATAL_FAILURE(
        testing::makeDatabaseAtStepBefore(dir, kUndoneMergesIndexVersion, [](sqlite::Database& db) {
            ASSERT_TRUE(db.exec("DROP INDEX merges_winner_undone"));
            ASSERT_TRUE(db.exec("DROP INDEX merges_loser_undone"));
            ASSERT_TRUE(db.exec("CREATE INDEX merges_winner ON merges(winner_id)"));
            ASSERT_TRUE(db.exec("CREATE INDEX merges_loser ON merges(loser_id)"));
        }));
    {
        auto store = openHubStore(testing::hubDatabaseUrl(dir), HubConfig{});
        ASSERT_TRUE(store) << store.error().message;
    }
    auto db = sqlite::Database::open(dir / "hub.db");
    ASSERT_TRUE(db);
    testing::expectAtTodaysVersionWithRowsKept(*db, kUndoneMergesIndexVersion);
    EXPECT_EQ(
        *db->queryInt("SELECT COUNT(*) FROM sqlite_master WHERE name IN ('merges_winner', 'merges_loser')"),
        0);
    EXPECT_EQ(*db->queryInt("SELECT COUNT(*) FROM sqlite_master WHERE name IN ('merges_winner_undone', "
                            "'merges_loser_undone')"),
              2);
}

TEST(HubWal, TheCheckpointerCopiesTheLogIntoTheDatabaseFile) {
    TempDir dir;
    const std::string path = (dir.path() / "hub.db").string();
    auto writer = openSqlite(path, SqliteCommitSync::ByCaller);
    ASSERT_TRUE(writer) << writer.error().message;
    ASSERT_TRUE((*writer)->script("CREATE TABLE t(x TEXT)"));
    // Started before any row exists, as the hub starts it: it must still find the log once one is written.
    auto checkpointer = WalCheckpointer::start(path, std::chrono::milliseconds(10));
    ASSERT_TRUE(checkpointer) << checkpointer.error().message;
    for (int i = 0; i < 20; ++i) {
        ASSERT_TRUE((*writer)->exec("INSERT INTO t(x) VALUES(?)", {std::string(2000, 'x')}));
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while ((*checkpointer)->checkpoints() == 0 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    EXPECT_GT((*checkpointer)->checkpoints(), 0);
}

}  // namespace
}  // namespace touchpoint::hub
