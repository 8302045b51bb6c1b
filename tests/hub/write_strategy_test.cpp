// The store's write strategies on real SQLite files: retries on conflict, rollback on error, and SQLite's
// group commit answering every request with exactly its own statuses.

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "hub/store/sqlite_write_strategy.hpp"
#include "hub/store/write_strategy.hpp"
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

}  // namespace
}  // namespace touchpoint::hub
