#pragma once
// The system clock plus an offset that only grows: the script driver "waits" minutes of inactivity in an
// instant while timestamps stay real-looking and both readings stay consistent.

#include <atomic>
#include <cstdint>

#include "common/clock.hpp"

namespace touchpoint::kiosk {

class OffsetClock final : public Clock {
public:
    explicit OffsetClock(const Clock& base) : m_base(base) {}
    std::int64_t utcMs() const override { return m_base.utcMs() + m_offsetMs.load(); }
    std::int64_t monotonicMs() const override { return m_base.monotonicMs() + m_offsetMs.load(); }
    void advanceMs(std::int64_t ms) {
        if (ms > 0) m_offsetMs += ms;
    }

private:
    const Clock& m_base;
    std::atomic<std::int64_t> m_offsetMs{0};
};

}  // namespace touchpoint::kiosk
