#include <gtest/gtest.h>

#include <set>

#include "hub/dashboard/session_store.hpp"

namespace touchpoint::hub::dashboard {
namespace {

using namespace std::chrono_literals;

TEST(DashboardSessions, IdsAreRandomAndOnlyIssuedOnesWork) {
    ManualClock clock;
    SessionStore store(clock, SessionPolicy{});
    std::set<std::string> ids;
    for (int i = 0; i < 50; ++i) ids.insert(store.create());
    EXPECT_EQ(ids.size(), 50u);
    const std::string id = *ids.begin();
    EXPECT_EQ(id.size(), 64u);
    EXPECT_TRUE(store.touch(id));
    std::string forged = id;
    forged[0] = forged[0] == 'a' ? 'b' : 'a';
    EXPECT_FALSE(store.touch(forged));
    EXPECT_FALSE(store.touch("short"));
    EXPECT_FALSE(store.touch(std::string(64, 'z')));
}

TEST(DashboardSessions, IdleTimeoutIsExtendedByUseButAbsoluteLifetimeIsNot) {
    ManualClock clock;
    SessionStore store(clock, SessionPolicy{30min, 2h, 100});
    const std::string id = store.create();
    clock.advanceMs(29 * 60'000);
    EXPECT_TRUE(store.touch(id));
    clock.advanceMs(29 * 60'000);
    EXPECT_TRUE(store.touch(id)) << "each use extends the idle window";
    clock.advanceMs(31 * 60'000);
    EXPECT_FALSE(store.touch(id)) << "idle too long";

    const std::string busy = store.create();
    for (int i = 0; i < 8; ++i) {
        clock.advanceMs(15 * 60'000);
        store.touch(busy);
    }
    EXPECT_FALSE(store.touch(busy)) << "two hours after sign-in the session ends however busy";
}

TEST(DashboardSessions, SignOutEndsSessionAndTheTableIsBounded) {
    ManualClock clock;
    SessionStore store(clock, SessionPolicy{30min, 12h, 3});
    const std::string first = store.create();
    clock.advanceMs(1000);
    const std::string second = store.create();
    store.remove(second);
    EXPECT_FALSE(store.touch(second));
    for (int i = 0; i < 5; ++i) {
        clock.advanceMs(1000);
        store.create();
    }
    EXPECT_EQ(store.size(), 3u);
    EXPECT_FALSE(store.touch(first)) << "the least recently used session made room";
}

}  // namespace
}  // namespace touchpoint::hub::dashboard
