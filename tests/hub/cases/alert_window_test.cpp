// The window rules on a real SQLite store: answers captured in the same millisecond are taken in message-id
// order, whatever order they arrived in, so a detractor run is decided the same way on every hub. The windows a
// hub keeps in memory (store/answer_windows.hpp) fire exactly what windows read from the database fire, through
// late, re-sent and out-of-order batches, another hub writing to the same database, and a rolled-back
// transaction.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>

#include "common/clock.hpp"
#include "event/message.hpp"
#include "hub/store/answer_windows.hpp"
#include "hub/store/hub_store.hpp"
#include "hub/store/sql_backend.hpp"
#include "answer_support.hpp"
#include "schema_step_support.hpp"

namespace touchpoint::hub {
namespace {

using nlohmann::json;
using touchpoint::testing::TempDir;

IngestMessage answer(const std::string& id, int nps, std::int64_t atMs, const std::string& store = "store-1",
                     const std::vector<std::string>& reasons = {}) {
    return testing::kioskAnswer(id, nps, atMs, store, reasons);
}

void ingest(HubStore& store, const std::vector<IngestMessage>& batch, IngestStats* statsOut = nullptr) {
    std::vector<const IngestMessage*> ptrs;
    for (const auto& m : batch) ptrs.push_back(&m);
    IngestStats stats;
    auto r = store.ingest(ptrs, stats);
    ASSERT_TRUE(r) << r.error().message;
    if (statsOut) *statsOut = stats;
}

HubConfig detractorRunOf3() {
    HubConfig config;
    config.cases.alerts.push_back(testing::detractorRun(3));
    return config;
}

/// Every alert as stored, without what differs between two hubs firing the same one (its id and firing time).
std::vector<std::string> storedAlerts(const TempDir& dir) {
    auto db = openSqlite((dir / "hub.db").string());
    EXPECT_TRUE(db);
    std::vector<std::string> out;
    if (!db) return out;
    auto rows = (*db)->query(
        "SELECT rule || '|' || store_id || '|' || period_start || '|' || detail || '|' || window_start || '|' || "
        "window_end || '|' || responses || '|' || unhappy || '|' || matching || '|' || top_reasons FROM alerts "
        "ORDER BY rule, store_id, period_start, detail");
    EXPECT_TRUE(rows);
    for (std::size_t i = 0; rows && i < rows->size(); ++i) out.push_back(rows->text(i, 0));
    return out;
}

std::size_t alertCount(HubStore& store) {
    auto alerts = store.cases().listAlerts("store-1", 0, 100);
    EXPECT_TRUE(alerts) << (alerts ? "" : alerts.error().message);
    return alerts ? alerts->size() : 0;
}

TEST(HubAlertWindow, AnswersOfOneMillisecondAreTakenInMessageIdOrder) {
    TempDir dir;
    auto store = openHubStore(testing::hubDatabaseUrl(dir), detractorRunOf3());
    ASSERT_TRUE(store) << store.error().message;

    // One millisecond, four answers: in message-id order a (unhappy), b (happy), c, d (unhappy) hold no run of
    // three. They arrive b, a, c, d: in arrival order a, c, d would be one.
    const std::int64_t at = SystemClock::instance().utcMs() - 60'000;
    ASSERT_NO_FATAL_FAILURE(ingest(**store, {answer("fb-b", 10, at), answer("fb-a", 2, at)}));
    ASSERT_NO_FATAL_FAILURE(ingest(**store, {answer("fb-c", 2, at), answer("fb-d", 2, at)}));
    EXPECT_EQ(alertCount(**store), 0u);

    // A fifth in the same millisecond, last by its id: c, d, e are a run.
    ASSERT_NO_FATAL_FAILURE(ingest(**store, {answer("fb-e", 1, at)}));
    EXPECT_EQ(alertCount(**store), 1u);
}


/// A day of a busy chain in random batches: mostly in order, some late (minutes, and hours: past what a hub
/// keeps in memory), some re-sent, answers in one millisecond, three stores.
std::vector<std::vector<IngestMessage>> randomDay(std::int64_t startMs) {
    std::mt19937 rng(20261206);
    auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
    const std::vector<std::string> reasonNames = {"queue", "staff", "price", "clean"};
    std::vector<std::vector<IngestMessage>> batches;
    std::vector<IngestMessage> sent;
    std::int64_t front = startMs;
    int next = 0;
    for (int b = 0; b < 400; ++b) {
        std::vector<IngestMessage> batch;
        const int kind = pick(100);
        if (kind < 8 && !sent.empty()) {  // re-sent: a few messages sent before
            for (int i = 0; i < 1 + pick(5); ++i) batch.push_back(sent[static_cast<std::size_t>(pick(static_cast<int>(sent.size())))]);
        } else {
            const std::string store = "store-" + std::to_string(pick(3));
            // 12%: minutes late; 4%: three hours late, before any window a hub keeps in memory
            const std::int64_t lateBy = kind < 20 ? pick(40) * 60'000 : kind < 24 ? 3 * 3'600'000 : 0;
            std::int64_t at = front - lateBy;
            for (int i = 0; i < 1 + pick(12); ++i) {
                if (lateBy == 0) front += pick(4) == 0 ? 0 : pick(25'000);  // a quarter in the same millisecond
                at = lateBy == 0 ? front : at + pick(20'000);
                std::vector<std::string> reasons;
                for (int r = pick(3); r > 0; --r) reasons.push_back(reasonNames[static_cast<std::size_t>(pick(4))]);
                const int nps = pick(3) == 0 ? pick(5) : 5 + pick(6);
                char id[32];
                std::snprintf(id, sizeof id, "fb-%05d-%02x", next++, pick(256));
                batch.push_back(answer(id, nps, at, store, reasons));
            }
        }
        for (const auto& m : batch) sent.push_back(m);
        batches.push_back(std::move(batch));
    }
    return batches;
}

HubConfig everyWindowRule() {
    HubConfig config;
    AlertRule share;
    share.name = "unhappy-share";
    share.minResponses = 4;
    share.unhappyShare = 0.5;
    AlertRule run = testing::detractorRun(3, 60);
    AlertRule reason = share;
    reason.name = "frequent-reason";
    reason.kind = AlertKind::FrequentReason;
    reason.minCount = 4;
    reason.windowMinutes = 10;
    config.cases.alerts = {share, run, reason};
    return config;
}

TEST(HubAlertWindow, WindowsKeptInMemoryFireWhatWindowsReadFromTheDatabaseFire) {
    const auto batches = randomDay(SystemClock::instance().utcMs() - 86'400'000);
    const HubConfig config = everyWindowRule();

    // One hub through the whole day: windows from memory where it can.
    TempDir kept;
    IngestStats keptStats;
    {
        auto store = openHubStore(testing::hubDatabaseUrl(kept), config);
        ASSERT_TRUE(store) << store.error().message;
        for (const auto& batch : batches) {
            IngestStats s;
            ASSERT_NO_FATAL_FAILURE(ingest(**store, batch, &s));
            keptStats.alertWindowsFromMemory += s.alertWindowsFromMemory;
            keptStats.alertWindowsFromDatabase += s.alertWindowsFromDatabase;
        }
    }
    // A hub started afresh for every batch: every window read from the database.
    TempDir read;
    IngestStats readStats;
    for (const auto& batch : batches) {
        auto store = openHubStore(testing::hubDatabaseUrl(read), config);
        ASSERT_TRUE(store) << store.error().message;
        IngestStats s;
        ASSERT_NO_FATAL_FAILURE(ingest(**store, batch, &s));
        readStats.alertWindowsFromMemory += s.alertWindowsFromMemory;
        readStats.alertWindowsFromDatabase += s.alertWindowsFromDatabase;
    }

    EXPECT_EQ(readStats.alertWindowsFromMemory, 0);
    EXPECT_GT(keptStats.alertWindowsFromMemory, 100);
    // The late batches (three hours: past what is kept) and each store's first are read from the database.
    EXPECT_GT(keptStats.alertWindowsFromDatabase, 3);
    EXPECT_LT(keptStats.alertWindowsFromDatabase, keptStats.alertWindowsFromMemory / 3);
    const auto fromMemory = storedAlerts(kept);
    const auto fromDatabase = storedAlerts(read);
    EXPECT_GT(fromDatabase.size(), 20u);
    std::set<std::string> kinds;
    for (const auto& a : fromDatabase) kinds.insert(a.substr(0, a.find('|')));
    EXPECT_EQ(kinds.size(), 3u);  // every rule fired
    EXPECT_EQ(fromMemory.size(), fromDatabase.size());
    for (std::size_t i = 0; i < std::min(fromMemory.size(), fromDatabase.size()); ++i) {
        ASSERT_EQ(fromMemory[i], fromDatabase[i]) << "the first alert that differs, of " << fromDatabase.size();
    }
}

TEST(HubAlertWindow, AHubSeesTheAnswersAnotherHubStoredForTheSameStore) {
    // Two hubs on one database, as two processes would be: each keeps windows in memory.
    TempDir dir;
    auto first = openHubStore(testing::hubDatabaseUrl(dir), detractorRunOf3());
    ASSERT_TRUE(first) << first.error().message;
    auto second = openHubStore(testing::hubDatabaseUrl(dir), detractorRunOf3());
    ASSERT_TRUE(second) << second.error().message;
    const std::int64_t at = SystemClock::instance().utcMs() - 600'000;
    IngestStats s;
    ASSERT_NO_FATAL_FAILURE(ingest(**first, {answer("fb-1", 1, at)}, &s));
    ASSERT_NO_FATAL_FAILURE(ingest(**first, {answer("fb-2", 9, at + 1'000)}, &s));
    EXPECT_EQ(s.alertWindowsFromMemory, 1);
    ASSERT_NO_FATAL_FAILURE(ingest(**first, {answer("fb-3", 2, at + 2'000)}, &s));
    ASSERT_NO_FATAL_FAILURE(ingest(**second, {answer("fb-4", 2, at + 3'000)}, &s));
    EXPECT_EQ(alertCount(**first), 0u);
    // The first hub's window in memory lacks fb-4: it reads the database, and finds the run fb-3, fb-4, fb-5.
    ASSERT_NO_FATAL_FAILURE(ingest(**first, {answer("fb-5", 0, at + 4'000)}, &s));
    EXPECT_EQ(s.alertWindowsFromDatabase, 1);
    EXPECT_EQ(s.alertWindowsFromMemory, 0);
    EXPECT_EQ(alertCount(**first), 1u);
    ASSERT_NO_FATAL_FAILURE(ingest(**first, {answer("fb-6", 10, at + 5'000)}, &s));
    EXPECT_EQ(s.alertWindowsFromMemory, 1);
}

TEST(HubAlertWindow, OnlyStoresHaveStamps) {
    TempDir dir;
    auto store = openHubStore(testing::hubDatabaseUrl(dir), detractorRunOf3());
    ASSERT_TRUE(store) << store.error().message;
    const std::int64_t at = SystemClock::instance().utcMs() - 600'000;
    // Answers that name no store (a web or app key's) take no turn and read no window.
    IngestStats s;
    ASSERT_NO_FATAL_FAILURE(ingest(**store, {answer("w-1", 1, at, ""), answer("w-2", 1, at + 1), answer("w-3", 1, at + 2, "")}, &s));
    EXPECT_EQ(s.alertWindowsFromMemory + s.alertWindowsFromDatabase, 1);  // store-1's, for w-2
    auto db = openSqlite((dir / "hub.db").string());
    ASSERT_TRUE(db);
    auto rows = (*db)->query("SELECT store_id FROM feedback_windows ORDER BY store_id");
    ASSERT_TRUE(rows);
    ASSERT_EQ(rows->size(), 1u);
    EXPECT_EQ(rows->text(0, 0), "store-1");
    EXPECT_EQ(alertCount(**store), 0u);
}

FeedbackAnswer windowAnswer(const std::string& id, std::int64_t atMs) {
    FeedbackAnswer a;
    a.messageId = id;
    a.storeId = "store-1";
    a.atMs = atMs;
    a.nps = 1;
    return a;
}

std::vector<std::string> idsOf(std::span<const FeedbackAnswer> window) {
    std::vector<std::string> out;
    for (const auto& a : window) out.push_back(a.messageId);
    return out;
}

/// A raw connection to a new hub database in `dir` (the schema only, no hub): null, with a failure, if none.
std::unique_ptr<SqlConnection> emptyHubDatabase(const TempDir& dir) {
    auto store = openHubStore(testing::hubDatabaseUrl(dir), HubConfig{});
    EXPECT_TRUE(store) << (store ? "" : store.error().message);
    if (!store) return nullptr;
    store->reset();
    auto c = openSqlite((dir / "hub.db").string());
    EXPECT_TRUE(c) << (c ? "" : c.error().message);
    return c ? std::move(c).value() : nullptr;
}

TEST(HubAlertWindow, AWindowTakenInATransactionThatRolledBackIsNotUsed) {
    TempDir dir;
    auto c = emptyHubDatabase(dir);
    ASSERT_TRUE(c);
    SqlConnection& db = *c;
    AnswerWindows windows({.keepMs = 3'600'000, .answersInAll = 1'000});
    const std::vector<FeedbackAnswer> a1 = {windowAnswer("a1", 10'000'000)};
    const auto install = [&](AnswerWindows::Transaction& t, const std::vector<FeedbackAnswer>& stored) {
        ASSERT_TRUE(t.stamp(stored));
        ASSERT_FALSE(t.window("store-1", 0, 20'000'000));
        ASSERT_TRUE(t.stamped("store-1"));
        t.install("store-1", 9'000'000, stored);
    };
    // Committed: the next transaction finds the window in memory, with its own answer in order.
    ASSERT_TRUE(db.begin());
    {
        AnswerWindows::Transaction t(windows, db);
        ASSERT_NO_FATAL_FAILURE(install(t, a1));
    }
    ASSERT_TRUE(db.commit());
    ASSERT_TRUE(db.begin());
    {
        AnswerWindows::Transaction t(windows, db);
        ASSERT_TRUE(t.stamp({windowAnswer("a0", 9'500'000)}));
        auto w = t.window("store-1", 9'100'000, 20'000'000);
        ASSERT_TRUE(w);
        EXPECT_EQ(idsOf(*w), (std::vector<std::string>{"a0", "a1"}));
        EXPECT_FALSE(t.window("store-1", 8'000'000, 20'000'000));  // before what it holds
        EXPECT_FALSE(t.window("store-2", 9'100'000, 20'000'000));  // not stamped here
    }
    // Rolled back: the database keeps the stamp before, which the window in memory no longer has.
    db.rollback();
    ASSERT_TRUE(db.begin());
    {
        AnswerWindows::Transaction t(windows, db);
        ASSERT_TRUE(t.stamp({windowAnswer("a2", 10'500'000)}));
        EXPECT_FALSE(t.window("store-1", 9'100'000, 20'000'000));
    }
    ASSERT_TRUE(db.commit());
    EXPECT_EQ(windows.size(), 0u);
}

TEST(HubAlertWindow, WindowsInMemoryStayWithinTheirLimits) {
    TempDir dir;
    auto c = emptyHubDatabase(dir);
    ASSERT_TRUE(c);
    SqlConnection& db = *c;
    const auto answers = [](const std::string& store, std::size_t n) {
        std::vector<FeedbackAnswer> out;
        for (std::size_t i = 0; i < n; ++i) {
            out.push_back(windowAnswer(store + "-" + std::to_string(i), 10'000'000 + static_cast<std::int64_t>(i)));
            out.back().storeId = store;
        }
        return out;
    };
    // Installs `n` answers of `store` in a committed transaction; whether the next one, which adds one more,
    // finds the window in memory.
    const auto kept = [&](AnswerWindows& windows, const std::string& store, std::size_t n) {
        const auto all = answers(store, n);
        EXPECT_TRUE(db.begin());
        {
            AnswerWindows::Transaction t(windows, db);
            EXPECT_TRUE(t.stamp({all.back()}));
            t.install(store, 9'000'000, all);
        }
        EXPECT_TRUE(db.commit());
        EXPECT_TRUE(db.begin());
        bool found = false;
        {
            AnswerWindows::Transaction t(windows, db);
            auto next = windowAnswer(store + "-next", 10'500'000);
            next.storeId = store;
            EXPECT_TRUE(t.stamp({next}));
            found = t.window(store, 9'500'000, 20'000'000).has_value();
        }
        db.rollback();
        return found;
    };
    AnswerWindows small({.keepMs = 3'600'000, .answersInAll = 4});
    EXPECT_TRUE(kept(small, "store-1", 3));
    EXPECT_TRUE(kept(small, "store-2", 3));  // store-1's window, idle, made room
    EXPECT_LE(small.size(), 4u);
    EXPECT_FALSE(kept(small, "store-3", 5));  // more than all the room there is: read from the database
    EXPECT_LE(small.size(), 4u);

    AnswerWindows large({.keepMs = 3'600'000, .answersInAll = 2 * AnswerWindows::kMaxAnswersPerStore});
    // The next transaction's answer makes the first store's window the most a store may keep; the second's one more.
    EXPECT_TRUE(kept(large, "store-1", AnswerWindows::kMaxAnswersPerStore - 1));
    EXPECT_FALSE(kept(large, "store-2", AnswerWindows::kMaxAnswersPerStore));  // too busy a store to keep
}

}  // namespace
}  // namespace touchpoint::hub
