#pragma once
// Retry timing: exponential backoff with full jitter (AWS's "full jitter": wait a uniformly random time between
// zero and the exponential ceiling), and a pacer that spreads a post-outage drain over time, so a fleet of
// kiosks coming back after a regional outage does not hit the hub at the same instant.

#include <chrono>
#include <cstdint>
#include <functional>

namespace touchpoint::uploader {

using Millis = std::chrono::milliseconds;

class Backoff {
public:
    /// `random01` returns a uniform number in [0, 1]; nullptr: a seeded std::mt19937.
    Backoff(Millis base, Millis cap, std::function<double()> random01 = nullptr);

    /// The exponential ceiling after `failures` consecutive failures (1 -> base, 2 -> 2*base, ... <= cap).
    Millis ceiling(int failures) const;
    /// A full-jitter delay in [0, ceiling(failures)].
    Millis next(int failures);
    /// A uniform delay in [0, max] (the post-outage wait).
    Millis uniform(Millis max);

private:
    Millis m_base;
    Millis m_cap;
    std::function<double()> m_random01;
};

/// Token bucket with a burst of one batch: after sending n events the next send may start n/rate seconds
/// after the previous one was allowed.
class DrainPacer {
public:
    void start(double eventsPerS) { m_rate = eventsPerS; m_active = eventsPerS > 0; m_readyAtMs = 0; }
    void stop() { m_active = false; }
    bool active() const { return m_active; }
    /// How long to wait before the next send (0 when inactive).
    Millis waitBefore(std::int64_t nowMs) const;
    /// Records that `events` were just sent.
    void consumed(std::int64_t events, std::int64_t nowMs);

private:
    double m_rate = 0;
    bool m_active = false;
    double m_readyAtMs = 0;
};

}  // namespace touchpoint::uploader
