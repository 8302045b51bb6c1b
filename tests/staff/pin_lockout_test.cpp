#include <gtest/gtest.h>

#include <fstream>

#include "common/clock.hpp"
#include "staff/lockout.hpp"
#include "staff/pin.hpp"
#include "temp_dir.hpp"

namespace touchpoint::kiosk::staff {
namespace {

using touchpoint::testing::TempDir;

constexpr std::int64_t kMinute = 60'000;

TEST(StaffPin, HashVerifiesOnlyItsPinAndReportsTheSlot) {
    auto first = hashPin("1234");
    auto second = hashPin("987654");
    ASSERT_TRUE(first) << first.error();
    ASSERT_TRUE(second) << second.error();
    EXPECT_EQ(first->rfind("$argon2id$", 0), 0u) << *first;
    EXPECT_EQ(first->find("1234"), std::string::npos);
    EXPECT_TRUE(isPinHash(*first));

    const std::vector<std::string> slots{*first, *second};
    EXPECT_EQ(verifyPin(slots, "1234"), 0);
    EXPECT_EQ(verifyPin(slots, "987654"), 1);
    EXPECT_EQ(verifyPin(slots, "1235"), std::nullopt);
    EXPECT_EQ(verifyPin(slots, ""), std::nullopt);
    EXPECT_EQ(verifyPin({}, "1234"), std::nullopt);
}

TEST(StaffPin, MalformedPinsAndHashesAreRefusedWithoutCrashing) {
    EXPECT_FALSE(hashPin("123"));
    EXPECT_FALSE(hashPin("12a4"));
    EXPECT_FALSE(hashPin("1234567890123"));
    EXPECT_EQ(hashPin("12").error(), "a PIN must be 4 to 12 digits");
    EXPECT_FALSE(isPinHash("1234"));
    EXPECT_FALSE(isPinHash(""));
    EXPECT_FALSE(isPinHash(std::string(500, '$')));
    // A broken slot never matches, and does not stop the others from working.
    auto good = hashPin("4321");
    ASSERT_TRUE(good);
    EXPECT_EQ(verifyPin({"not a hash", std::string(300, 'x'), *good}, "4321"), 2);
}

TEST(StaffLockout, FiveWrongPinsLockForFiveMinutes) {
    TempDir dir;
    ManualClock clock;
    PinLockout lockout(dir / "staff-lock.json", LockoutPolicy{}, clock);
    EXPECT_FALSE(lockout.isLocked());
    EXPECT_EQ(lockout.attemptsLeft(), 5);
    for (int i = 0; i < 4; ++i) EXPECT_FALSE(lockout.recordFailure());
    EXPECT_EQ(lockout.attemptsLeft(), 1);
    EXPECT_FALSE(lockout.isLocked());
    EXPECT_TRUE(lockout.recordFailure());
    EXPECT_TRUE(lockout.isLocked());
    EXPECT_EQ(lockout.remainingMs(), 5 * kMinute);
    EXPECT_FALSE(lockout.recordFailure()) << "failures while locked do not extend or restart the lock";

    clock.advanceMs(5 * kMinute - 1);
    EXPECT_TRUE(lockout.isLocked());
    EXPECT_EQ(lockout.remainingMs(), 1);
    clock.advanceMs(1);
    EXPECT_FALSE(lockout.isLocked());
    EXPECT_EQ(lockout.attemptsLeft(), 5);
}

TEST(StaffLockout, SuccessResetsTheCount) {
    TempDir dir;
    ManualClock clock;
    PinLockout lockout(dir / "lock.json", LockoutPolicy{}, clock);
    for (int i = 0; i < 4; ++i) lockout.recordFailure();
    lockout.recordSuccess();
    EXPECT_EQ(lockout.attemptsLeft(), 5);
    for (int i = 0; i < 4; ++i) EXPECT_FALSE(lockout.recordFailure());
    EXPECT_FALSE(lockout.isLocked());
}

TEST(StaffLockout, CountAndLockSurviveARestart) {
    TempDir dir;
    const auto file = dir / "lock.json";
    ManualClock clock;
    {
        PinLockout lockout(file, LockoutPolicy{}, clock);
        for (int i = 0; i < 3; ++i) lockout.recordFailure();
    }
    {
        PinLockout lockout(file, LockoutPolicy{}, clock);
        EXPECT_EQ(lockout.failures(), 3) << "restarting the app must not hand out fresh attempts";
        lockout.recordFailure();
        EXPECT_TRUE(lockout.recordFailure());
    }
    clock.advanceMs(2 * kMinute);
    // A fresh process: a different monotonic base, the same wall clock.
    ManualClock restarted(clock.utcMs(), 5);
    PinLockout lockout(file, LockoutPolicy{}, restarted);
    EXPECT_TRUE(lockout.isLocked());
    EXPECT_EQ(lockout.remainingMs(), 3 * kMinute);
    restarted.advanceMs(3 * kMinute);
    EXPECT_FALSE(lockout.isLocked());
    // Expiry is written back, so the next start is unlocked too.
    auto state = readLockoutState(file);
    ASSERT_TRUE(state) << state.error();
    EXPECT_EQ(state->lockUntilUtcMs, 0);
    EXPECT_EQ(state->failures, 0);
}

TEST(StaffLockout, AWallClockThatJumpsBackDoesNotLiftTheLock) {
    TempDir dir;
    const auto file = dir / "lock.json";
    ManualClock clock;
    {
        PinLockout lockout(file, LockoutPolicy{}, clock);
        for (int i = 0; i < 5; ++i) lockout.recordFailure();
        ASSERT_TRUE(lockout.isLocked());
        // While running, the wall clock jumping back or forward changes nothing: the lock counts down on
        // the monotonic clock.
        clock.setUtcMs(clock.utcMs() + 24 * 60 * kMinute);
        EXPECT_TRUE(lockout.isLocked());
        EXPECT_EQ(lockout.remainingMs(), 5 * kMinute);
        clock.setUtcMs(clock.utcMs() - 48 * 60 * kMinute);
        EXPECT_TRUE(lockout.isLocked());
    }
    // At restart the wall clock is a day before the lock began: the lock restarts for one full period.
    ManualClock restarted(clock.utcMs(), 1);
    PinLockout lockout(file, LockoutPolicy{}, restarted);
    EXPECT_TRUE(lockout.isLocked());
    EXPECT_EQ(lockout.remainingMs(), 5 * kMinute);
    restarted.advanceMs(5 * kMinute);
    EXPECT_FALSE(lockout.isLocked());
}

TEST(StaffLockout, ACorruptStateFileFailsClosed) {
    TempDir dir;
    const auto file = dir / "lock.json";
    {
        std::ofstream out(file);
        out << "{\"failures\": \"many\"";
    }
    ManualClock clock;
    PinLockout lockout(file, LockoutPolicy{}, clock);
    EXPECT_TRUE(lockout.isLocked());
    EXPECT_FALSE(lockout.storageProblem().empty());
    EXPECT_EQ(lockout.remainingMs(), 5 * kMinute);
    // The file was rewritten in a readable form.
    auto state = readLockoutState(file);
    ASSERT_TRUE(state) << state.error();
    EXPECT_GT(state->lockUntilUtcMs, 0);
}

TEST(StaffLockout, AnUnwritableStateFileIsReported) {
    TempDir dir;
    ManualClock clock;
    // The state "file" path is an existing directory: every write fails.
    std::filesystem::create_directories(dir / "blocked.json");
    PinLockout lockout(dir / "blocked.json", LockoutPolicy{}, clock);
    lockout.recordFailure();
    EXPECT_FALSE(lockout.storageProblem().empty());
    EXPECT_EQ(lockout.attemptsLeft(), 0) << "unreadable state fails closed";
}

TEST(StaffLockout, PolicyFromConfigIsHonoured) {
    TempDir dir;
    ManualClock clock;
    PinLockout lockout(dir / "lock.json", LockoutPolicy{3, 10 * kMinute}, clock);
    lockout.recordFailure();
    lockout.recordFailure();
    EXPECT_TRUE(lockout.recordFailure());
    EXPECT_EQ(lockout.remainingMs(), 10 * kMinute);
}

}  // namespace
}  // namespace touchpoint::kiosk::staff
