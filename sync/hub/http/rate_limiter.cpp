#include "hub/http/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace touchpoint::hub::http {

int RateLimiter::take(const std::string& key, Clock::time_point now) {
    if (!enabled()) return 0;
    const double burst = std::max(m_limit.burst, 1.0);
    std::lock_guard lock(m_mutex);
    auto it = m_buckets.find(key);
    if (it == m_buckets.end()) {
        if (m_buckets.size() >= m_maxKeys) evict(now);
        it = m_buckets.emplace(key, Bucket{burst, now}).first;
    }
    Bucket& b = it->second;
    const std::chrono::duration<double> elapsed = now - b.at;
    b.tokens = std::min(burst, b.tokens + std::max(elapsed.count(), 0.0) * m_limit.perSecond);
    b.at = now;
    if (b.tokens >= 1.0) {
        b.tokens -= 1.0;
        return 0;
    }
    return std::max(1, static_cast<int>(std::ceil((1.0 - b.tokens) / m_limit.perSecond)));
}

void RateLimiter::evict(Clock::time_point now) {
    const double burst = std::max(m_limit.burst, 1.0);
    std::erase_if(m_buckets, [&](const auto& entry) {
        const std::chrono::duration<double> elapsed = now - entry.second.at;
        return entry.second.tokens + elapsed.count() * m_limit.perSecond >= burst;
    });
    if (m_buckets.size() >= m_maxKeys) m_buckets.clear();
}

}  // namespace touchpoint::hub::http
