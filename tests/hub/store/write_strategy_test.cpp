// The store's write strategies on real SQLite files: retries on conflict, rollback on error, SQLite's group
// commit answering every request with exactly its own statuses, and its write-ahead log restarting under a
// steady stream of writes.

#include "hub/store/write_strategy.hpp"

#include <gtest/gtest.h>
#include <pthread.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "hub/store/sqlite_write_strategy.hpp"
#include "temp_dir.hpp"

namespace touchpoint::hub {
namespace {

using Statuses = StoreResult<std::vector<ReceiptStatus>>;
using touchpoint::testing::TempDir;

std::int64_t rowCount(SqlConnection& c) {
    auto rows = c.query("SELECT COUNT(*) FROM t");
    EXPECT_TRUE(rows);
    return rows ? rows->integer(0, 0) : -1;
}

StoreResult<void> insertRow(SqlConnection& c, std::int64_t v) {
    auto r = c.exec("INSERT INTO t(x) VALUES(?)", {v});
    if (!r) return Fail(r.error());
    return {};
}

class WriteStrategyTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto c = openSqlite(path);
        ASSERT_TRUE(c) << c.error().message;
        ASSERT_TRUE((*c)->script("CREATE TABLE t(x INTEGER)"));
        std::vector<std::unique_ptr<SqlConnection>> connections;
        connections.push_back(std::move(c).value());
        pool = std::make_unique<ConnectionPool>(std::move(connections));
    }

    std::int64_t count() {
        auto lease = pool->acquire();
        return rowCount(*lease);
    }

    TempDir dir;
    std::string path = (dir.path() / "w.db").string();
    std::unique_ptr<ConnectionPool> pool;
};

TEST_F(WriteStrategyTest, AConflictRunsTheTransactionAgainAndAnErrorRollsItBack) {
    auto writes = pooledWrites(*pool);
    int attempts = 0;
    auto r = writes->write([&](SqlConnection& c) -> StoreResult<void> {
        if (auto i = insertRow(c, 1); !i) return i;
        if (++attempts == 1) return Fail(StoreError{"conflict", true});
        return {};
    });
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(attempts, 2);
    EXPECT_EQ(count(), 1);  // the first attempt's row was rolled back

    attempts = 0;
    auto bad = writes->write([&](SqlConnection& c) -> StoreResult<void> {
        ++attempts;
        if (auto i = insertRow(c, 2); !i) return i;
        return Fail(StoreError{"bad", false});
    });
    ASSERT_FALSE(bad);
    EXPECT_EQ(attempts, 1);
    EXPECT_EQ(count(), 1);
}

TEST_F(WriteStrategyTest, SqliteGroupCommitAnswersEachRequestWithItsOwnStatuses) {
    auto opened = openSqliteWrites(path);
    ASSERT_TRUE(opened) << opened.error().message;
    WriteStrategy& writes = **opened;
    constexpr int kSenders = 4;
    constexpr int kBatches = 25;
    std::vector<IngestMessage> messages(kSenders);
    std::atomic<int> transactions{0};
    std::atomic<int> wrong{0};
    std::vector<std::thread> senders;
    for (int s = 0; s < kSenders; ++s) {
        senders.emplace_back([&, s] {
            // Sender s sends s+1 messages a batch; a message's status says whether it is sender 0's.
            const std::vector<const IngestMessage*> batch(static_cast<std::size_t>(s + 1), &messages[s]);
            // What was prepared for each message names its sender: it must reach the transaction beside it.
            std::vector<PreparedMessage> prepared(batch.size());
            for (auto& p : prepared) p.sealedPayload = "sender " + std::to_string(s);
            for (int b = 0; b < kBatches; ++b) {
                auto r = writes.ingest(batch, prepared, [&](SqlConnection& c, const std::vector<const IngestMessage*>& all,
                                                           const std::vector<const PreparedMessage*>& allPrepared) {
                    ++transactions;
                    std::vector<ReceiptStatus> out;
                    if (all.size() != allPrepared.size()) return Statuses(Fail(StoreError{"prepared"}));
                    for (std::size_t i = 0; i < all.size(); ++i) {
                        if (allPrepared[i]->sealedPayload != "sender " + std::to_string(all[i] - messages.data())) {
                            return Statuses(Fail(StoreError{"a message's preparation is another's"}));
                        }
                    }
                    for (const IngestMessage* m : all) {
                        if (auto i = insertRow(c, m - messages.data()); !i) return Statuses(Fail(i.error()));
                        out.push_back(m == &messages[0] ? ReceiptStatus::Duplicate : ReceiptStatus::Accepted);
                    }
                    return Statuses(std::move(out));
                });
                const auto expected = s == 0 ? ReceiptStatus::Duplicate : ReceiptStatus::Accepted;
                if (!r || r->size() != batch.size()) {
                    ++wrong;
                    continue;
                }
                for (auto status : *r) wrong += status != expected;
            }
        });
    }
    for (auto& t : senders) t.join();
    EXPECT_EQ(wrong.load(), 0);
    EXPECT_LE(transactions.load(), kSenders * kBatches);
    EXPECT_EQ(count(), kBatches * (1 + 2 + 3 + 4));  // every message stored once, durable
}

TEST_F(WriteStrategyTest, SqliteGroupCommitWhoseWorkThrowsFailsItsRequestsAndWritesTheNext) {
    auto opened = openSqliteWrites(path);
    ASSERT_TRUE(opened) << opened.error().message;
    WriteStrategy& writes = **opened;
    IngestMessage message;
    const std::vector<const IngestMessage*> batch{&message};
    const std::vector<PreparedMessage> prepared(1);
    auto storing = [](bool fail) {
        return [fail](SqlConnection& c, const std::vector<const IngestMessage*>& all,
                      const std::vector<const PreparedMessage*>&) -> Statuses {
            if (auto i = insertRow(c, 7); !i) return Fail(i.error());
            if (fail) throw std::runtime_error("a bug in the ingest");
            return std::vector<ReceiptStatus>(all.size(), ReceiptStatus::Accepted);
        };
    };
    const auto thrown = writes.ingest(batch, prepared, storing(true));
    ASSERT_FALSE(thrown);
    EXPECT_NE(thrown.error().message.find("a bug in the ingest"), std::string::npos)
        << thrown.error().message;
    EXPECT_EQ(count(), 0) << "the row inserted before the throw was rolled back";
    // Without the rollback the writer's connection would keep the transaction open, and without giving the
    // leader's place back the next group would wait for ever.
    const auto next = writes.ingest(batch, prepared, storing(false));
    ASSERT_TRUE(next) << next.error().message;
    EXPECT_EQ(count(), 1);
}

/// This thread's CPU time.
std::chrono::nanoseconds threadCpu() {
    timespec t{};
    EXPECT_EQ(::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t), 0);
    return std::chrono::seconds(t.tv_sec) + std::chrono::nanoseconds(t.tv_nsec);
}

TEST_F(WriteStrategyTest, SqliteWriterTimeAddsUpItsTransactionsWallClockAndCpu) {
    EXPECT_FALSE(pooledWrites(*pool)->writerTime());  // transactions side by side: no one writer to time
    auto opened = openSqliteWrites(path);
    ASSERT_TRUE(opened) << opened.error().message;
    WriteStrategy& writes = **opened;
    const auto before = writes.writerTime();
    ASSERT_TRUE(before);
    EXPECT_EQ(before->transactions, 0);
    EXPECT_EQ(before->busySeconds, 0);

    // One transaction that waits 60 ms (the writer held, no CPU) and then computes for 40 ms of CPU time.
    ASSERT_TRUE(writes.write([](SqlConnection& c) -> StoreResult<void> {
        std::this_thread::sleep_for(std::chrono::milliseconds(60));
        const auto spinFrom = threadCpu();
        volatile std::uint64_t sink = 0;
        while (threadCpu() - spinFrom < std::chrono::milliseconds(40)) sink = sink + 1;
        return insertRow(c, 1);
    }));
    // A transaction that fails is rolled back, and held the writer all the same.
    EXPECT_FALSE(writes.write([](SqlConnection&) -> StoreResult<void> { return Fail(StoreError{"refused", false}); }));

    const auto after = writes.writerTime();
    ASSERT_TRUE(after);
    EXPECT_EQ(after->transactions, 2);
    EXPECT_GE(after->busySeconds, 0.100);
    EXPECT_GE(after->cpuSeconds, 0.040);
    EXPECT_LE(after->cpuSeconds, after->busySeconds);
    EXPECT_GE(after->busySeconds - after->cpuSeconds, 0.050);  // the wait held the writer without using a core
    EXPECT_EQ(count(), 1);
}

/// Sizes of the log file seen while writing (each writer looks after each of its transactions).
struct LogSizes {
    std::uintmax_t largest = 0;
    /// The smallest size seen after the file had once been at least `restartBytes` long; 0 if it never was.
    std::uintmax_t smallestOnceRestartSized = 0;
};

/// Four threads write back to back through SQLite's write strategy, as a flood of ingests does, `perThread`
/// transactions of sixteen one-page rows each. A log that restarts is written again from its start, so its
/// file stops growing.
LogSizes logSizesWhileWriting(const std::string& path, SqliteLogPolicy policy, int perThread) {
    auto opened = openSqliteWrites(path, policy);
    EXPECT_TRUE(opened) << opened.error().message;
    if (!opened) return {};
    const std::uintmax_t restartBytes = static_cast<std::uintmax_t>(policy.restartFrames) * (4096 + 24);
    std::mutex mutex;
    LogSizes sizes;
    bool restartSized = false;
    std::vector<std::thread> writers;
    for (int t = 0; t < 4; ++t) {
        writers.emplace_back([&] {
            for (int i = 0; i < perThread; ++i) {
                auto r = (*opened)->write([](SqlConnection& c) -> StoreResult<void> {
                    for (int row = 0; row < 16; ++row) {
                        if (auto e = c.exec("INSERT INTO pages(b) VALUES(randomblob(4000))"); !e) return Fail(e.error());
                    }
                    return {};
                });
                EXPECT_TRUE(r) << r.error().message;
                std::error_code ec;
                const std::uintmax_t size = std::filesystem::file_size(path + "-wal", ec);
                std::lock_guard<std::mutex> lock(mutex);
                sizes.largest = std::max(sizes.largest, size);
                if (restartSized)
                    sizes.smallestOnceRestartSized = std::min(sizes.smallestOnceRestartSized, size);
                if (!restartSized && size >= restartBytes) {
                    restartSized = true;
                    sizes.smallestOnceRestartSized = size;
                }
            }
        });
    }
    for (auto& w : writers) w.join();
    return sizes;
}

// The request workers run at a lower priority than the process (http/worker_pool.hpp); the transactions they
// ask for must not, so they run on the writer's own thread, which keeps the priority of the thread that
// opened the store.
TEST_F(WriteStrategyTest, SqliteTransactionsRunOnTheWritersOwnThreadAtTheOpenersPriority) {
    const pid_t opener = ::gettid();
    const int openerNice = ::getpriority(PRIO_PROCESS, static_cast<id_t>(opener));
    auto opened = openSqliteWrites(path);
    ASSERT_TRUE(opened) << opened.error().message;
    WriteStrategy& writes = **opened;

    struct Seen {
        pid_t caller = 0, writer = 0;
        int writerNice = 0;
        std::string writerName;
    };
    std::mutex seenMutex;
    std::vector<Seen> seen;
    auto callFrom = [&](int lowerBy, std::int64_t row) {
        Seen s;
        s.caller = ::gettid();
        ASSERT_EQ(
            ::setpriority(PRIO_PROCESS, static_cast<id_t>(s.caller), std::min(19, openerNice + lowerBy)), 0);
        auto r = writes.write([&](SqlConnection& c) -> StoreResult<void> {
            s.writer = ::gettid();
            s.writerNice = ::getpriority(PRIO_PROCESS, static_cast<id_t>(s.writer));
            char name[16] = {};
            pthread_getname_np(pthread_self(), name, sizeof name);
            s.writerName = name;
            return insertRow(c, row);
        });
        ASSERT_TRUE(r) << r.error().message;
        std::lock_guard lock(seenMutex);
        seen.push_back(s);
    };
    std::thread lowered([&] { callFrom(7, 1); });
    std::thread lowest([&] { callFrom(19, 2); });
    lowered.join();
    lowest.join();

    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(count(), 2);
    for (const auto& s : seen) {
        EXPECT_NE(s.writer, s.caller);
        EXPECT_NE(s.writer, opener);
        EXPECT_EQ(s.writer, seen.front().writer) << "every transaction on the same thread";
        EXPECT_EQ(s.writerNice, openerNice) << "the caller's lower priority is not the writer's";
        EXPECT_EQ(s.writerName, "tp-writer");
    }
    // What a transaction throws reaches the caller, and the writer goes on.
    EXPECT_THROW(
        (void)writes.write([](SqlConnection&) -> StoreResult<void> { throw std::runtime_error("bad work"); }),
        std::runtime_error);
    EXPECT_TRUE(writes.write([](SqlConnection& c) { return insertRow(c, 3); }));
    EXPECT_EQ(count(), 3);
}

TEST_F(WriteStrategyTest, SqliteLogRestartsFromItsBeginningWhileWritesGoOn) {
    // About 6,400 pages are written: 26 MB. With a restart at 256 pages (1 MB) the log stays a few times that
    // (3 MB measured). The same writes without the cue (restartFrames 0) kept every page on an idle machine,
    // 30 MB in 5 runs of 5: a checkpoint alone never finds the log complete while commits follow one another.
    // (Not asserted here: under load, gaps between commits let some checkpoints complete, 11-19 MB.)
    ASSERT_TRUE(pool->acquire()->script("CREATE TABLE pages(b BLOB)"));
    constexpr int kPerThread = 100;
    const SqliteLogPolicy policy{std::chrono::milliseconds(5), 256};
    const LogSizes sizes = logSizesWhileWriting(path, policy, kPerThread);
    EXPECT_LT(sizes.largest, 8'000'000u)
        << "the log did not restart: it reached " << sizes.largest << " bytes";
    // A restarted log is written over in place: its file is cut back at a restart to 150% of the restart size
    // (keptLogPercent), never below the restart size, which the next run of commits would allocate again.
    EXPECT_GE(sizes.smallestOnceRestartSized, 256u * (4096 + 24))
        << "the log file was cut short at a restart";

    auto lease = pool->acquire();
    auto rows = lease->query("SELECT COUNT(*) FROM pages");
    ASSERT_TRUE(rows);
    EXPECT_EQ(rows->integer(0, 0), 4 * kPerThread * 16);  // every committed row kept across the restarts
    auto check = lease->query("PRAGMA integrity_check");
    ASSERT_TRUE(check);
    EXPECT_EQ(check->text(0, 0), "ok");
}

}  // namespace
}  // namespace touchpoint::hub
