#pragma once
// Wrong-PIN lockout that survives a restart. The count of consecutive wrong PINs and the lock's wall-clock
// window are kept in a small JSON file written atomically (write, fsync, rename), so pulling the plug or
// restarting the app cannot reset the count or lift a lock.
//
// Time: the persisted lock uses wall time, because a monotonic clock restarts with the machine. While the
// process runs, the lock counts down on the monotonic clock so a wall clock that jumps (NTP, a bad RTC)
// neither lifts nor extends it. At start, a wall clock earlier than the moment the lock began means the clock
// went back; the lock is then re-anchored to a full period from now rather than trusted or dropped, so the
// worst a backwards jump can do is add one lock period.

#include <cstdint>
#include <filesystem>
#include <string>

#include "common/clock.hpp"
#include "common/result.hpp"

namespace touchpoint::kiosk::staff {

struct LockoutPolicy {
    int maxAttempts = 5;
    std::int64_t lockMs = 5 * 60 * 1000;
};

/// What the state file holds.
struct LockoutState {
    int failures = 0;                   ///< consecutive wrong PINs since the last success or lock end
    std::int64_t lockStartUtcMs = 0;    ///< 0: not locked
    std::int64_t lockUntilUtcMs = 0;
};

/// Reads the state file: a missing file is a fresh state; an unreadable or malformed one is an error (the
/// caller fails closed).
Result<LockoutState, std::string> readLockoutState(const std::filesystem::path& file);
Result<void, std::string> writeLockoutState(const std::filesystem::path& file, const LockoutState& state);

class PinLockout {
public:
    /// Loads the state file. A corrupt file locks staff mode for one full period (and is rewritten), so a
    /// damaged or tampered file never grants extra attempts.
    PinLockout(std::filesystem::path stateFile, LockoutPolicy policy, const Clock& clock);

    bool isLocked() const;
    /// Milliseconds until the lock lifts (0 when not locked).
    std::int64_t remainingMs() const;
    int failures() const { return m_state.failures; }
    int attemptsLeft() const;

    /// A wrong PIN: counts it, and locks when the count reaches the policy's limit. Returns true when this
    /// failure started a lock. Persisted before returning.
    bool recordFailure();
    /// A right PIN: clears the count.
    void recordSuccess();

    /// The last problem writing or reading the state file ("" when none); shown on the staff screen.
    const std::string& storageProblem() const { return m_storageProblem; }

private:
    void expireIfDue() const;
    void lockFromNow(std::int64_t durationMs);
    void save() const;

    std::filesystem::path m_file;
    LockoutPolicy m_policy;
    const Clock& m_clock;
    mutable LockoutState m_state;
    mutable std::int64_t m_monoUntil = 0;  ///< in-process deadline on the monotonic clock
    mutable std::string m_storageProblem;
};

}  // namespace touchpoint::kiosk::staff
