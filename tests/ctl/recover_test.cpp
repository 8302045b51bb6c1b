// `touchpointctl recover` end to end: an outbox damaged as OutboxRecovery.DamagedPageFailingQuickCheck... does
// it (b-tree pages scribbled over) is moved aside at open; recover puts every readable event back, drain
// delivers them to a real hub, and each readable event is stored there exactly once, also after a second
// recover and drain.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "child_process.hpp"
#include "common/clock.hpp"
#include "common/sqlite.hpp"
#include "event/kiosk_events.hpp"
#include "event/sealing.hpp"
#include "hub/ephemeral_hub.hpp"
#include "outbox/outbox.hpp"
#include "outbox/salvage.hpp"
#include "temp_dir.hpp"

namespace touchpoint::ctl {
namespace {

/// The hub's kiosk and staff tokens are bound to this test kiosk's store and kiosk ids.
hub::EphemeralHubOptions kioskZeroOne() {
    hub::EphemeralHubOptions o;
    o.storeId = "store-0001";
    o.kioskId = "kiosk-01";
    return o;
}

using namespace std::chrono_literals;
using touchpoint::testing::ChildProcess;
using touchpoint::testing::readFile;
using touchpoint::testing::TempDir;

constexpr int kEvents = 3000;

void writeFile(const std::filesystem::path& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

struct Ran {
    int code = -1;
    std::string out;
};

Ran run(std::vector<std::string> args) {
    args.insert(args.begin(), TOUCHPOINT_CTL_BINARY);
    ChildProcess child(args);
    Ran r;
    if (!child.readToEnd(300s)) ADD_FAILURE() << "touchpointctl did not finish";
    const int status = child.wait();
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
    r.out = child.output();
    return r;
}

std::multiset<std::string> hubMessageIds(hub::EphemeralHub& hub) {
    auto db = sqlite::Database::open(hub.dir() / "hub.db", false, true);
    EXPECT_TRUE(db.ok());
    std::multiset<std::string> ids;
    if (!db) return ids;
    auto st = db->prepare("SELECT message_id FROM events");
    EXPECT_TRUE(st.ok());
    if (!st) return ids;
    for (;;) {
        auto row = st->step();
        EXPECT_TRUE(row.ok());
        if (!row.ok() || !row.value()) break;
        ids.insert(st->columnText(0));
    }
    return ids;
}

TEST(Recover, EveryReadableEventOfADamagedOutboxReachesTheHubExactlyOnce) {
    auto hub = hub::EphemeralHub::start(kioskZeroOne());
    ASSERT_TRUE(hub.ok()) << hub.error();
    TempDir dir;
    const auto live = dir / "outbox.db";
    auto sealer = event::Sealer::fromPublicKeyB64((*hub)->sealingPublicKeyB64());
    auto hasher = event::IdentityHasher::fromKeyB64(event::IdentityHasher::generateKeyB64());
    ASSERT_TRUE(sealer.ok() && hasher.ok());
    const event::KioskEventFactory factory({"store-0001", "kiosk-01", "UTC", "test", "boot"}, *sealer, *hasher,
                                           SystemClock::instance());
    std::vector<std::string> all;
    {
        outbox::OutboxOptions o;
        o.path = live;
        auto box = outbox::Outbox::open(o);
        ASSERT_TRUE(box.ok()) << box.error().message;
        std::vector<event::Message> many;
        for (int i = 0; i < kEvents; ++i) {
            event::FeedbackAnswers a;
            a.surveyId = "store-visit";
            a.nps = i % 11;
            a.comment = i % 3 == 0 ? "a comment" : "";
            many.push_back(factory.feedback("session-" + std::to_string(i), "en-US", a, std::nullopt));
            all.push_back(many.back().messageId);
        }
        ASSERT_TRUE((*box)->enqueueBatch(many).ok());
    }
    // The same damage as the moved-aside test (a run of b-tree pages early in the file), plus two leaves of
    // the pending table itself in the middle, so that rows are lost and not only index pages.
    std::vector<std::int64_t> leaves;
    {
        auto check = sqlite::Database::open(live, false, true);
        ASSERT_TRUE(check.ok());
        auto st = check->prepare("SELECT pageno FROM dbstat WHERE name = 'pending' AND pagetype = 'leaf' ORDER BY pageno");
        ASSERT_TRUE(st.ok()) << st.error().message;
        while (st->step().value()) leaves.push_back(st->columnInt64(0));
    }
    ASSERT_GT(leaves.size(), 20u);
    std::string bytes = readFile(live);
    ASSERT_GT(bytes.size(), 40U * 4096);
    auto scribble = [&](std::size_t from, std::size_t to) {
        for (std::size_t i = from; i < to; ++i) bytes[i] = static_cast<char>((i * 131) & 0xFF);
    };
    scribble(6 * 4096, 12 * 4096);
    for (const std::size_t at : {leaves.size() / 2, leaves.size() / 2 + 3}) {
        const auto page = static_cast<std::size_t>(leaves[at] - 1);  // pages are numbered from 1
        scribble(page * 4096 + 8, (page + 1) * 4096);                // keep the page type byte's neighbours
    }
    writeFile(live, bytes);
    std::filesystem::path aside;
    {
        outbox::OutboxOptions o;
        o.path = live;
        outbox::OpenReport report;
        auto box = outbox::Outbox::open(o, &report);
        ASSERT_TRUE(box.ok()) << box.error().message;
        ASSERT_TRUE(report.recovered);
        aside = report.movedAsideTo;
        EXPECT_EQ((*box)->stats()->pendingCount, 0);
        EXPECT_EQ(outbox::findMovedAside(live), std::vector<std::filesystem::path>{aside});
    }

    const std::vector<std::string> db{"--db", live.string()};
    auto args = db;
    args.insert(args.end(), {"recover", aside.string(), "--json"});
    const Ran first = run(args);
    ASSERT_EQ(first.code, 0) << first.out;
    const auto report = nlohmann::json::parse(first.out);
    const std::int64_t read = report["read"];
    EXPECT_GT(read, kEvents * 9 / 10) << report.dump(2);
    EXPECT_LT(read, kEvents) << "the damage must cost some rows, or this test proves nothing";
    EXPECT_EQ(report["reenqueued"], read);
    EXPECT_EQ(report["alreadyPresent"], 0);
    // Nothing was ever deleted from this outbox, so every row id that is not read is an unreadable one.
    EXPECT_EQ(read + report["unreadable"].get<std::int64_t>(), kEvents) << report.dump(2);
    EXPECT_FALSE(report["problems"].empty());
    EXPECT_EQ(readFile(aside), bytes) << "the evidence is left as it was";
    EXPECT_TRUE(outbox::pendingRecovery(live).empty()) << "a recovered file is no longer offered";
    EXPECT_EQ(outbox::findMovedAside(live), std::vector<std::filesystem::path>{aside}) << "nor is its record a file";

    // Recover again before draining: every event is already in the live outbox.
    const Ran again = run(args);
    ASSERT_EQ(again.code, 0) << again.out;
    EXPECT_EQ(nlohmann::json::parse(again.out)["alreadyPresent"], read);
    EXPECT_EQ(nlohmann::json::parse(again.out)["reenqueued"], 0);

    auto drain = db;
    drain.insert(drain.end(), {"drain", "--hub", (*hub)->url(), "--token", (*hub)->ingestToken(), "--ca",
                               (*hub)->caFile().string(), "--json"});
    const Ran drained = run(drain);
    ASSERT_EQ(drained.code, 0) << drained.out;
    auto ids = hubMessageIds(**hub);
    EXPECT_EQ(static_cast<std::int64_t>(ids.size()), read);
    std::set<std::string> readIds;
    {
        auto salvaged = outbox::salvageOutbox(aside);
        ASSERT_TRUE(salvaged.ok()) << salvaged.error();
        for (const auto& row : salvaged->rows) readIds.insert(row.messageId);
    }
    EXPECT_EQ(static_cast<std::int64_t>(readIds.size()), read);
    for (const auto& id : readIds) EXPECT_EQ(ids.count(id), 1u) << id;
    const std::set<std::string> known(all.begin(), all.end());
    for (const auto& id : ids) EXPECT_EQ(known.count(id), 1u) << "the hub holds an event never enqueued: " << id;

    // After the drain the live outbox is empty: a second recover re-enqueues everything, the hub answers
    // duplicate, and each event is still stored once.
    const Ran third = run(args);
    ASSERT_EQ(third.code, 0) << third.out;
    EXPECT_EQ(nlohmann::json::parse(third.out)["reenqueued"], read);
    const Ran drainedAgain = run(drain);
    ASSERT_EQ(drainedAgain.code, 0) << drainedAgain.out;
    EXPECT_EQ(nlohmann::json::parse(drainedAgain.out)["eventsDuplicate"], read);
    ids = hubMessageIds(**hub);
    EXPECT_EQ(static_cast<std::int64_t>(ids.size()), read);
    for (const auto& id : readIds) EXPECT_EQ(ids.count(id), 1u) << id;
}

TEST(Recover, RefusesTheLiveOutboxAndAMissingFile) {
    TempDir dir;
    const auto live = dir / "outbox.db";
    {
        outbox::OutboxOptions o;
        o.path = live;
        ASSERT_TRUE(outbox::Outbox::open(o).ok());
    }
    const Ran self = run({"--db", live.string(), "recover", live.string()});
    EXPECT_EQ(self.code, 1);
    const Ran missing = run({"--db", live.string(), "recover", (dir / "nope.db").string()});
    EXPECT_EQ(missing.code, 1);
    const Ran usage = run({"--db", live.string(), "recover"});
    EXPECT_EQ(usage.code, 2);
}

}  // namespace
}  // namespace touchpoint::ctl
