// Two processes on one outbox file (the kiosk UI and the sync service do exactly this).

#include <gtest/gtest.h>

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
    constexpr int kEach = 150;
    touchpoint::testing::ChildProcess child({TOUCHPOINT_OUTBOX_WRITER, path.string(), std::to_string(kEach)});
    std::set<std::string> mine;
    std::string childOut;
    for (int i = 0; i < kEach; ++i) {
        auto m = i % 2 == 0 ? kit.feedback(i % 11) : kit.phoneSignin();
        auto r = box->enqueue(m);
        ASSERT_TRUE(r) << r.error().message;
        mine.insert(m.messageId);
        ASSERT_TRUE(child.readSome(childOut, 0) || true);
    }
    child.readAll(childOut);
    const int status = child.wait();
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "writer status " << status;

    std::set<std::string> theirs;
    std::istringstream lines(childOut);
    std::string id;
    std::int64_t seq = 0;
    while (lines >> id >> seq) theirs.insert(id);
    ASSERT_EQ(theirs.size(), static_cast<std::size_t>(kEach));

    auto pending = box->listPending(10000);
    ASSERT_TRUE(pending);
    ASSERT_EQ(pending->size(), 2U * kEach);
    std::set<std::int64_t> sequences;
    std::set<std::string> stored;
    for (const auto& p : *pending) {
        auto parsed = event::fromJson(nlohmann::json::parse(p.payload));
        ASSERT_TRUE(parsed);
        EXPECT_EQ(parsed->context.sequence, p.rowId);
        sequences.insert(parsed->context.sequence);
        stored.insert(p.messageId);
    }
    EXPECT_EQ(sequences.size(), 2U * kEach) << "every sequence number is unique across both processes";
    EXPECT_EQ(*sequences.rbegin(), 2 * kEach) << "and there are no gaps";
    for (const auto& m : mine) EXPECT_TRUE(stored.count(m));
    for (const auto& t : theirs) EXPECT_TRUE(stored.count(t));
    EXPECT_EQ(box->stats()->pendingCount, 2 * kEach);
}

}  // namespace
}  // namespace touchpoint::outbox
