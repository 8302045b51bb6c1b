// Two processes on one outbox file (the kiosk UI and the sync service do exactly this).

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <sstream>

#include "child_process.hpp"
#include "common/sqlite.hpp"
#include "outbox_fixture.hpp"
#include "temp_dir.hpp"

namespace touchpoint::outbox {
namespace {

using touchpoint::testing::TempDir;

TEST(OutboxProcesses, ASecondProcessEnqueuesConcurrentlyAndNothingCollides) {
    TempDir dir;
    const auto path = dir / "outbox.db";
    testing::EventKit kit;
    auto box = testing::openOutbox(path);  // create the file first so both sides open an existing one
    constexpr int kMine = 150;
    // The child commits its first row, then holds until this process has committed one of its own, then both
    // loops run at once: the interleaving check below proves they overlapped.
    constexpr int kTheirs = 600;
    touchpoint::testing::ChildProcess child(
        {TOUCHPOINT_OUTBOX_WRITER, path.string(), std::to_string(kTheirs), "--hold-after-first"});
    ASSERT_TRUE(child.waitForOutput("\n", std::chrono::seconds(60))) << "the writer committed nothing";
    std::map<std::string, std::int64_t> mine;
    std::string drained;
    for (int i = 0; i < kMine; ++i) {
        auto m = i % 2 == 0 ? kit.feedback(i % 11) : kit.phoneSignin();
        auto r = box->enqueue(m);
        ASSERT_TRUE(r) << r.error().message;
        mine[m.messageId] = r->sequence;
        child.readSome(drained, 0);  // keeps the child's pipe from filling; its end of stream is seen below
    }
    child.readAll(drained);
    const int status = child.wait();
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "writer status " << status;

    // The writer prints "<messageId> <sequence>" after each COMMIT.
    std::map<std::string, std::int64_t> theirs;
    std::istringstream lines(child.output());
    std::string id;
    std::int64_t seq = 0;
    while (lines >> id >> seq) theirs[id] = seq;
    ASSERT_EQ(theirs.size(), static_cast<std::size_t>(kTheirs));

    auto pending = box->listPending(10000);
    ASSERT_TRUE(pending);
    ASSERT_EQ(pending->size(), static_cast<std::size_t>(kMine + kTheirs));
    std::set<std::int64_t> sequences;
    std::map<std::string, std::int64_t> stored;
    for (const auto& p : *pending) {
        auto parsed = event::fromJson(nlohmann::json::parse(p.payload));
        ASSERT_TRUE(parsed);
        EXPECT_EQ(parsed->context.sequence, p.rowId);
        sequences.insert(parsed->context.sequence);
        stored[p.messageId] = parsed->context.sequence;
    }
    EXPECT_EQ(sequences.size(), static_cast<std::size_t>(kMine + kTheirs))
        << "every sequence number is unique across both processes";
    EXPECT_EQ(*sequences.rbegin(), kMine + kTheirs) << "and there are no gaps";
    for (const auto& [m, s] : mine) EXPECT_EQ(stored.count(m) ? stored[m] : -1, s) << "mine " << m;
    for (const auto& [t, s] : theirs) EXPECT_EQ(stored.count(t) ? stored[t] : -1, s) << "theirs " << t;
    // The two processes really wrote at the same time: some of this process's rows fall between the child's.
    std::int64_t theirFirst = kMine + kTheirs;
    std::int64_t theirLast = 0;
    for (const auto& [t, s] : theirs) {
        theirFirst = std::min(theirFirst, s);
        theirLast = std::max(theirLast, s);
    }
    int between = 0;
    for (const auto& [m, s] : mine) between += s > theirFirst && s < theirLast ? 1 : 0;
    EXPECT_GT(between, 0) << "no row of this process was committed while the child was writing";
    EXPECT_EQ(box->stats()->pendingCount, kMine + kTheirs);
}

}  // namespace
}  // namespace touchpoint::outbox
