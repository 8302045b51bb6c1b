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
    std::int64_t utcMs() const override { return (m_frozen ? m_frozenUtc.load() : m_base.utcMs()) + m_offsetMs.load(); }
    std::int64_t monotonicMs() const override {
        return (m_frozen ? m_frozenMono.load() : m_base.monotonicMs()) + m_offsetMs.load();
    }
    void advanceMs(std::int64_t ms) {
        if (ms > 0) m_offsetMs += ms;
    }
    /// From now on time moves only through advanceMs(). The script driver freezes the clock so a slow,
    /// loaded machine cannot let a timer fire between two steps: scripts are deterministic.
    void freeze() {
        m_frozenUtc = m_base.utcMs();
        m_frozenMono = m_base.monotonicMs();
        m_frozen = true;
    }

private:
    const Clock& m_base;
    std::atomic<std::int64_t> m_offsetMs{0};
    std::atomic<bool> m_frozen{false};
    std::atomic<std::int64_t> m_frozenUtc{0};
    std::atomic<std::int64_t> m_frozenMono{0};
};

}  // namespace touchpoint::kiosk
