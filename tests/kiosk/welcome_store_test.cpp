// The welcome cache on disk: real SQLite files in a TempDir. What a restart keeps, what never reaches the
// disk, expiry, the cap, and a damaged file.
#include <gtest/gtest.h>

#include <fstream>

#include "core/profile.hpp"
#include "core/welcome_store.hpp"
#include "temp_dir.hpp"

namespace touchpoint::kiosk {
namespace {

using touchpoint::testing::readFile;
using touchpoint::testing::TempDir;

WelcomeInfo gold() {
    WelcomeInfo w;
    w.found = true;
    w.firstInitial = "Q";
    w.tier = "GoldTier";
    w.points = 1234;
    w.nextTier = "PlatinumTier";
    w.pointsToNextTier = 766;
    w.progress = 0.6;
    w.rewards.push_back({"r1", "Free coffee", 100});
    w.nextStepKind = "reward";
    w.nextStepText = "Zelda, your birthday reward is waiting";
    return w;
}

TEST(WelcomeStore, ARestartKeepsTheBalanceButNoPersonalText) {
    TempDir dir;
    ManualClock clock;
    const auto path = dir / "welcome-cache.db";
    {
        auto store = WelcomeStore::open({path}, clock);
        ASSERT_TRUE(store) << store.error();
        ASSERT_TRUE((*store)->put("hash-1", gold()));
    }
    // Closed: everything is in the main file now. The balance is there, the person's text is not.
    const auto bytes = readFile(path) + readFile(path.string() + "-wal");
    EXPECT_NE(bytes.find("GoldTier"), std::string::npos);
    EXPECT_EQ(bytes.find("Zelda"), std::string::npos);
    EXPECT_EQ(bytes.find("Free coffee"), std::string::npos);

    auto store = WelcomeStore::open({path}, clock);
    ASSERT_TRUE(store) << store.error();
    auto got = (*store)->get("hash-1");
    ASSERT_TRUE(got) << got.error();
    ASSERT_TRUE(got->has_value());
    const auto& w = **got;
    EXPECT_TRUE(w.found);
    EXPECT_EQ(w.tier, "GoldTier");
    EXPECT_EQ(w.points, 1234);
    EXPECT_EQ(w.nextTier, "PlatinumTier");
    EXPECT_EQ(w.pointsToNextTier, 766);
    EXPECT_DOUBLE_EQ(w.progress, 0.6);
    EXPECT_TRUE(w.firstInitial.empty());
    EXPECT_TRUE(w.nextStepText.empty());
    EXPECT_TRUE(w.rewards.empty());
    auto missing = (*store)->get("hash-2");
    ASSERT_TRUE(missing);
    EXPECT_FALSE(missing->has_value());
}

TEST(WelcomeStore, OldEntriesExpireAndTheTableIsCapped) {
    ManualClock clock;
    WelcomeStoreOptions options{":memory:", 2, 24LL * 3600 * 1000};
    auto store = WelcomeStore::open(options, clock);
    ASSERT_TRUE(store) << store.error();
    auto& s = **store;
    ASSERT_TRUE(s.put("a", gold()));
    clock.advanceMs(1000);
    ASSERT_TRUE(s.put("b", gold()));
    clock.advanceMs(1000);
    ASSERT_TRUE(s.put("c", gold()));
    EXPECT_EQ(*s.size(), 2);
    EXPECT_FALSE(s.get("a")->has_value());  // the oldest went first
    EXPECT_TRUE(s.get("c")->has_value());
    clock.advanceMs(options.maxAgeMs + 1);
    EXPECT_FALSE(s.get("c")->has_value());  // too old to show
}

TEST(WelcomeStore, ADamagedFileIsMovedAsideAndAFreshOneStarted) {
    TempDir dir;
    ManualClock clock;
    const auto path = dir / "welcome-cache.db";
    {
        std::ofstream out(path, std::ios::binary);
        out << std::string(8192, 'x');
    }
    auto store = WelcomeStore::open({path}, clock);
    ASSERT_TRUE(store) << store.error();
    ASSERT_TRUE((*store)->put("a", gold()));
    EXPECT_TRUE((*store)->get("a")->has_value());
    bool movedAside = false;
    for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
        if (e.path().filename().string().rfind("welcome-cache.db.corrupt-", 0) == 0) movedAside = true;
    }
    EXPECT_TRUE(movedAside);
}

TEST(WelcomeStore, TheCacheReadsItOnAMemoryMiss) {
    ManualClock clock;
    auto store = WelcomeStore::open({":memory:"}, clock);
    ASSERT_TRUE(store) << store.error();
    {
        WelcomeCache before;
        before.persistTo(store->get());
        before.put("hash-1", gold());
        EXPECT_EQ(before.get("hash-1")->firstInitial, "Q");  // memory keeps the whole answer
    }
    WelcomeCache after;  // a restarted kiosk
    EXPECT_FALSE(after.get("hash-1").has_value());
    after.persistTo(store->get());
    const auto w = after.get("hash-1");
    ASSERT_TRUE(w.has_value());
    EXPECT_EQ(w->points, 1234);
    EXPECT_TRUE(w->firstInitial.empty());
    EXPECT_EQ(after.size(), 1u);
}

}  // namespace
}  // namespace touchpoint::kiosk
