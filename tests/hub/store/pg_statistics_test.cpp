// The PostgreSQL statistics keeper (sync/hub/store/pg_statistics_keeper.hpp) against the suite's real cluster:
// a table that grew from empty gets analysed without waiting for autovacuum, and the planner then probes the
// primary key for a long IN list instead of reading every row of the list's kind.

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "api_test_support.hpp"
#include "hub/store/pg_statistics_keeper.hpp"
#include "hub/store/sql_backend.hpp"
#include "hub/store/sql_store.hpp"

namespace touchpoint::hub::testing {
namespace {

std::unique_ptr<SqlConnection> connect(const std::string& url) {
    auto c = openPostgres(url);
    EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().message);
    return c.ok() ? std::move(c).value() : nullptr;
}

std::string planOfLongLookup(SqlConnection& c) {
    std::string sql = "EXPLAIN SELECT value FROM tags WHERE kind = 'anon' AND value IN (";
    for (int i = 0; i < 250; ++i) sql += (i ? ",'" : "'") + std::string("tag-") + std::to_string(i * 31) + "'";
    sql += ")";
    auto plan = c.query(sql);
    EXPECT_TRUE(plan.ok()) << (plan.ok() ? "" : plan.error().message);
    std::string text;
    for (std::size_t i = 0; plan.ok() && i < plan->size(); ++i) text += plan->text(i, 0) + "\n";
    return text;
}

std::int64_t manualAnalyses(SqlConnection& c, const std::string& table) {
    auto r = c.query("SELECT analyze_count FROM pg_stat_user_tables WHERE relname = ?", {table});
    return r.ok() && r->size() == 1 ? r->integer(0, 0) : -1;
}

/// Waits (bounded) until the server shows `rows` changes on `table`: a session publishes its table counters
/// within a second or so of its commit.
bool changesVisible(SqlConnection& c, const std::string& table, std::int64_t rows) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    for (;;) {
        auto r = c.query("SELECT n_mod_since_analyze FROM pg_stat_user_tables WHERE relname = ?", {table});
        if (r.ok() && r->size() == 1 && r->integer(0, 0) >= rows) return true;
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
}

TEST(PostgresStatistics, AGrownTableIsAnalysedAndItsLongLookupsProbeTheIndex) {
    const std::string url = backendStoreUrl();
    auto c = connect(url);
    ASSERT_TRUE(c);
    // Shaped like the hub's identifiers: a kind, a tag, the owner and a sealed copy of the value.
    ASSERT_TRUE(c->script("CREATE TABLE tags(kind TEXT NOT NULL, value TEXT NOT NULL, profile_id TEXT NOT NULL, "
                          "sealed_value TEXT NOT NULL, PRIMARY KEY(kind, value)) WITH (autovacuum_enabled = off)")
                    .ok());
    ASSERT_TRUE(c->script("CREATE TABLE few(id INTEGER PRIMARY KEY) WITH (autovacuum_enabled = off)").ok());
    // Four rows in five of one kind, as anonymous ids are among a hub's identifiers.
    ASSERT_TRUE(c->script("INSERT INTO tags SELECT CASE WHEN i % 5 = 0 THEN 'member' ELSE 'anon' END, 'tag-' || i, "
                          "md5(i::text) || md5(i::text), repeat(md5(i::text), 4) FROM generate_series(1, 40000) i")
                    .ok());
    ASSERT_TRUE(c->script("INSERT INTO few SELECT generate_series(1, 100)").ok());
    const std::string before = planOfLongLookup(*c);
    EXPECT_EQ(before.find("Index Cond: ((kind = 'anon'::text) AND (value = ANY"), std::string::npos)
        << "without statistics the planner reads the whole kind (this test's premise):\n" << before;

    ASSERT_TRUE(changesVisible(*c, "tags", 40000));
    ASSERT_TRUE(changesVisible(*c, "few", 100));
    auto keeper = PostgresStatisticsKeeper::start(connect(url), std::chrono::milliseconds(100));
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (manualAnalyses(*c, "tags") < 1 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    EXPECT_EQ(manualAnalyses(*c, "tags"), 1);
    EXPECT_GE(keeper->analyses(), 1);
    const std::string after = planOfLongLookup(*c);
    EXPECT_NE(after.find("Index Cond: ((kind = 'anon'::text) AND (value = ANY"), std::string::npos) << after;

    // Analysed once, it is not analysed again until a fifth of it changes; a table of 100 rows never is.
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    EXPECT_EQ(manualAnalyses(*c, "tags"), 1);
    EXPECT_EQ(manualAnalyses(*c, "few"), 0);
}

TEST(PostgresStatistics, OnePassAtATimeAcrossHubs) {
    const std::string url = backendStoreUrl();
    auto c = connect(url);
    ASSERT_TRUE(c);
    ASSERT_TRUE(c->script("CREATE TABLE grown(id INTEGER PRIMARY KEY) WITH (autovacuum_enabled = off)").ok());
    ASSERT_TRUE(c->script("INSERT INTO grown SELECT generate_series(1, 5000)").ok());
    // Another hub's keeper holds the pass: this one skips its own.
    ASSERT_TRUE(c->query("SELECT pg_advisory_lock(4242003)").ok());
    ASSERT_TRUE(changesVisible(*c, "grown", 5000));
    auto keeper = PostgresStatisticsKeeper::start(connect(url), std::chrono::hours(1));
    auto skipped = keeper->runPass();
    ASSERT_TRUE(skipped.ok()) << (skipped.ok() ? "" : skipped.error().message);
    EXPECT_EQ(*skipped, 0);
    ASSERT_TRUE(c->query("SELECT pg_advisory_unlock(4242003)").ok());
    auto ran = keeper->runPass();
    ASSERT_TRUE(ran.ok()) << (ran.ok() ? "" : ran.error().message);
    EXPECT_EQ(*ran, 1);
    EXPECT_EQ(manualAnalyses(*c, "grown"), 1);
}

TEST(PostgresStatistics, OnlyAServingHubKeepsThem) {
    // A command (token add, publish, keys rotate...) exits after its work: it must not hold a connection of its
    // own for statistics, nor run passes against a busy database.
    const std::string url = backendStoreUrl();
    auto command = openHubStore(url, HubConfig{});
    ASSERT_TRUE(command.ok()) << (command.ok() ? "" : command.error().message);
    const auto* commandStore = dynamic_cast<const SqlHubStore*>(command->get());
    ASSERT_NE(commandStore, nullptr);
    EXPECT_FALSE(commandStore->keepsStatistics());
    auto serving = openHubStore(url, HubConfig{}, SystemClock::instance(), StoreUse::Serving);
    ASSERT_TRUE(serving.ok()) << (serving.ok() ? "" : serving.error().message);
    const auto* servingStore = dynamic_cast<const SqlHubStore*>(serving->get());
    ASSERT_NE(servingStore, nullptr);
    EXPECT_TRUE(servingStore->keepsStatistics());
}

}  // namespace
}  // namespace touchpoint::hub::testing
