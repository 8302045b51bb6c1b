#include "uploader/backoff.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <random>

namespace touchpoint::uploader {

Backoff::Backoff(Millis base, Millis cap, std::function<double()> random01)
    : m_base(std::max(Millis(1), base)), m_cap(std::max(m_base, cap)), m_random01(std::move(random01)) {
    if (!m_random01) {
        auto engine = std::make_shared<std::mt19937_64>(std::random_device{}());
        m_random01 = [engine] { return std::uniform_real_distribution<double>(0.0, 1.0)(*engine); };
    }
}

Millis Backoff::ceiling(int failures) const {
    if (failures <= 0) return Millis(0);
    // Doubling past 2^40 would overflow long before it matters; the cap wins far earlier.
    const int shift = std::min(failures - 1, 40);
    const double ceil = static_cast<double>(m_base.count()) * std::ldexp(1.0, shift);
    return Millis(static_cast<std::int64_t>(std::min(ceil, static_cast<double>(m_cap.count()))));
}

Millis Backoff::next(int failures) { return uniform(ceiling(failures)); }

Millis Backoff::uniform(Millis max) {
    const double r = std::clamp(m_random01(), 0.0, 1.0);
    return Millis(static_cast<std::int64_t>(std::llround(r * static_cast<double>(max.count()))));
}

Millis DrainPacer::waitBefore(std::int64_t nowMs) const {
    if (!m_active) return Millis(0);
    const double wait = m_readyAtMs - static_cast<double>(nowMs);
    return Millis(wait > 0 ? static_cast<std::int64_t>(std::ceil(wait)) : 0);
}

void DrainPacer::consumed(std::int64_t events, std::int64_t nowMs) {
    if (!m_active) return;
    m_readyAtMs = std::max(m_readyAtMs, static_cast<double>(nowMs)) + static_cast<double>(events) * 1000.0 / m_rate;
}

}  // namespace touchpoint::uploader
