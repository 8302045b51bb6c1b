// SIGKILL a writer process at random moments, many times: every enqueue that returned success is on disk
// exactly once, and the file passes PRAGMA integrity_check after every kill.

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <random>
#include <sstream>

#include "child_process.hpp"
#include "common/sqlite.hpp"
#include "outbox_fixture.hpp"
#include "temp_dir.hpp"

namespace touchpoint::outbox {
namespace {

using touchpoint::testing::TempDir;

TEST(OutboxCrash, EveryAcknowledgedEnqueueSurvivesSigkill) {
    TempDir dir;
    const auto path = dir / "outbox.db";
    testing::openOutbox(path).reset();  // the schema exists before the first kill, so every check can query it
    std::mt19937 rng(std::random_device{}());
    std::uniform_int_distribution<int> delayMs(5, 250);
    std::map<std::string, std::int64_t> acknowledged;  // messageId -> sequence, across all rounds
    constexpr int kRounds = 30;
    int roundsWithWrites = 0;
    for (int round = 0; round < kRounds; ++round) {
        touchpoint::testing::ChildProcess child({TOUCHPOINT_OUTBOX_WRITER, path.string(), "0"});
        std::string out;
        const int delay = delayMs(rng);
        // Read while the child runs so the pipe never fills and blocks it. The deadline is wall time: poll
        // returns at once while the child is writing, so counting iterations would kill every round early.
        const auto killAt = std::chrono::steady_clock::now() + std::chrono::milliseconds(delay);
        while (std::chrono::steady_clock::now() < killAt) child.readSome(out, 5);
        child.kill();
        child.readAll(out);
        const int status = child.wait();
        ASSERT_TRUE(WIFSIGNALED(status)) << "round " << round << ": the writer exited by itself, status " << status;

        std::istringstream lines(out);
        std::string id;
        std::int64_t seq = 0;
        int got = 0;
        while (lines >> id >> seq) {
            ASSERT_TRUE(acknowledged.emplace(id, seq).second) << "messageId reported twice: " << id;
            ++got;
        }
        if (got > 0) ++roundsWithWrites;

        auto db = sqlite::Database::open(path, false);
        ASSERT_TRUE(db) << db.error().message;
        EXPECT_EQ(*db->queryText("PRAGMA integrity_check"), "ok") << "round " << round;
        auto count = db->prepare("SELECT COUNT(*), MIN(row_id) FROM pending WHERE message_id = ?1");
        ASSERT_TRUE(count) << count.error().message;
        for (const auto& [messageId, sequence] : acknowledged) {
            count->bind(1, messageId);
            auto row = count->step();
            ASSERT_TRUE(row && *row);
            ASSERT_EQ(count->columnInt64(0), 1) << "round " << round << ": acknowledged " << messageId << " missing";
            EXPECT_EQ(count->columnInt64(1), sequence);
            count->reset();
        }
    }
    EXPECT_GE(roundsWithWrites, kRounds / 2) << "the writer rarely got going before the kill; the test proves little";
    // The outbox itself opens the survivor without calling it corrupt.
    OpenReport report;
    auto box = testing::openOutbox(path, nullptr, 512LL * 1024 * 1024, &report);
    EXPECT_FALSE(report.recovered);
    // A kill between COMMIT and the report leaves a row nobody was told about: at most one per round.
    const auto stored = static_cast<std::size_t>(box->stats()->pendingCount);
    EXPECT_GE(stored, acknowledged.size());
    auto raw = sqlite::Database::open(path, false);
    ASSERT_TRUE(raw);
    EXPECT_EQ(*raw->queryInt("SELECT COUNT(*) FROM pending"), box->stats()->pendingCount)
        << "the running totals agree with the rows after every kill";
    EXPECT_LE(stored, acknowledged.size() + kRounds);
}

}  // namespace
}  // namespace touchpoint::outbox
