#pragma once
// Time sources behind one small interface so flows, timers and backoff run on a manual clock in tests.

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

namespace touchpoint {

/// Wall-clock UTC milliseconds since the Unix epoch, and a monotonic reading that never goes back.
class Clock {
public:
    virtual ~Clock() = default;
    virtual std::int64_t utcMs() const = 0;
    virtual std::int64_t monotonicMs() const = 0;
};

class SystemClock final : public Clock {
public:
    std::int64_t utcMs() const override;
    std::int64_t monotonicMs() const override;
    /// The process-wide instance; stateless, so sharing it is safe.
    static SystemClock& instance();
};

/// A clock that moves only when told to. Thread-safe so a test can advance it while a worker reads it.
class ManualClock final : public Clock {
public:
    explicit ManualClock(std::int64_t utcMs = 1'700'000'000'000, std::int64_t monotonicMs = 1'000)
        : m_utc(utcMs), m_mono(monotonicMs) {}
    std::int64_t utcMs() const override;
    std::int64_t monotonicMs() const override;
    void advanceMs(std::int64_t ms);
    void setUtcMs(std::int64_t ms);

private:
    mutable std::mutex m_mutex;
    std::int64_t m_utc;
    std::int64_t m_mono;
};

/// "2026-11-23T03:40:45.123Z"
std::string formatIsoUtcMs(std::int64_t utcMs);
/// "2026-11-23": the UTC date of a time.
std::string formatIsoUtcDay(std::int64_t utcMs);
/// Parses RFC 3339 / ISO 8601 timestamps as Segment SDKs send them ("...Z", "+01:00", "+0100", with or
/// without 1-9 fractional digits). Returns false on anything else, including dates that do not exist.
bool parseIsoUtcMs(std::string_view text, std::int64_t& utcMs);

/// This boot's id from /proc/sys/kernel/random/boot_id (stable until reboot), or "unknown".
std::string currentBootId();

}  // namespace touchpoint
